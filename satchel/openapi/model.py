"""The normalised spec model: the same shapes whether the source was Swagger 2.0 or OpenAPI 3.x."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from satchel.openapi.errors import Issue
from satchel.openapi.validation import RequestCheck

ParameterLocation = Literal["path", "query", "header", "cookie"]


class _Missing:
    """The type of :data:`MISSING`: "no value", distinct from a ``null`` example."""

    _instance: _Missing | None = None

    def __new__(cls) -> _Missing:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


#: Marks an absent example (``None`` is a legitimate ``null`` example).
MISSING: Any = _Missing()


@dataclass(frozen=True)
class Encoding:
    """How one field of a form body is serialised (OpenAPI's Encoding object).

    ``serialised`` tells whether ``style``, ``explode`` and ``allowReserved`` apply: always
    in application/x-www-form-urlencoded, and in multipart/form-data only when the spec
    writes one of them (OpenAPI 3.0.4 / 3.1.1, Encoding Object).
    """

    style: str = "form"
    explode: bool = True
    allow_reserved: bool = False
    serialised: bool = True
    #: Swagger 2.0's ``allowEmptyValue: true`` on a formData field (see Parameter).
    allow_empty_value: bool = False


@dataclass(frozen=True)
class MediaType:
    """One media type of a body: its schema and examples.

    ``schema_uri`` is the absolute ``file:...#/pointer`` of the schema, the base against which its
    ``$ref`` values resolve (see :meth:`Spec.deref`).
    """

    media_type: str
    schema: dict[str, Any] | None
    example: Any = MISSING
    examples: dict[str, Any] = field(default_factory=dict)
    schema_uri: str = ""
    #: Form fields' serialisation, by field name (forms only; see :class:`Encoding`).
    encoding: dict[str, Encoding] = field(default_factory=dict)


@dataclass(frozen=True)
class Parameter:
    """A path, query, header or cookie parameter, with its serialisation style."""

    name: str
    location: ParameterLocation
    required: bool
    schema: dict[str, Any]
    style: str
    explode: bool
    schema_uri: str = ""
    #: ``allowEmptyValue: true`` (query, and 2.0 formData): "?q=" is sent but empty, which
    #: reads as the schema's default when it has one.
    allow_empty_value: bool = False


@dataclass(frozen=True)
class RequestBody:
    """The body an operation accepts, by media type."""

    required: bool
    content: dict[str, MediaType]


@dataclass(frozen=True)
class Response:
    """One declared response ("200", "4XX", "default"): headers and content by media type."""

    status: str
    description: str
    headers: dict[str, Parameter]
    content: dict[str, MediaType]


@dataclass(frozen=True, eq=False)
class Operation:
    """One method on one path template; compiles its validators on first use and keeps them."""

    operation_id: str | None
    method: str
    path: str
    tags: tuple[str, ...]
    summary: str
    parameters: tuple[Parameter, ...]
    request_body: RequestBody | None
    responses: dict[str, Response]
    security: list[dict[str, list[str]]] | None
    pointer: str = ""
    compiler: Any = field(default=None, repr=False)
    _cache: dict[str, Any] = field(default_factory=dict, repr=False)

    def request_validator(self) -> RequestCheck:
        """Return this operation's request validator, compiling it on the first call."""
        validator = self._cache.get("request")
        if validator is None:
            validator = self._cache["request"] = self.compiler.request_validator(self)
        return validator

    def validate_response(
        self, status: int | str, media_type: str | None, body: Any
    ) -> list[Issue]:
        """Check a response against the declared one (exact code, then "4XX", then default)."""
        return self.compiler.validate_response(self, status, media_type, body)

    def __repr__(self) -> str:
        name = f" {self.operation_id}" if self.operation_id else ""
        return f"<Operation {self.method} {self.path}{name}>"
