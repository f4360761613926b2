"""Compile an operation's request validator: coerce parameters, parse the body, check schemas."""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Mapping

from satchel.openapi.coerce import Reader, query_reader, types_of, value_coercer
from satchel.openapi.errors import Issue, RequestInvalid
from satchel.openapi.forms import FormPlan, form_plan
from satchel.openapi.media import (
    FORM,
    BodyUnreadable,
    essence,
    lowered,
    parse_body,
    pick,
)
from satchel.openapi.model import MISSING, Operation, Parameter
from satchel.openapi.multipart import MULTIPART
from satchel.openapi.schemas import SchemaCompiler, SchemaValidator
from satchel.openapi.validation import ValidRequest

# Where each parameter location sits in the validator's (path, query, header, cookie) tuples.
_SLOTS = {"path": 0, "query": 1, "header": 2, "cookie": 3}
_FORMS = (FORM, MULTIPART)


@dataclass(frozen=True)
class _ParamPlan:
    """Everything needed to check one parameter, decided at compile time."""

    name: str
    location: str
    slot: int
    required: bool
    read: Reader
    check: SchemaValidator
    default: Any
    #: For allowEmptyValue: tells whether the parameter was sent with an empty value.
    sent_empty: Reader | None = None


@dataclass(frozen=True)
class _BodyPlan:
    """How to read and check one declared request media type."""

    media_type: str
    check: SchemaValidator | None
    form: FormPlan | None


class RequestValidator:
    """Validates requests for one operation; built once by :meth:`Operation.request_validator`."""

    def __init__(self, operation: Operation, compiler: SchemaCompiler) -> None:
        self.operation = operation
        self._plans = tuple(_plan(param, compiler) for param in operation.parameters)
        body = operation.request_body
        self._body_required = bool(body and body.required)
        content = body.content if body else {}
        self._bodies = lowered(
            {mt: _body_plan(media, compiler) for mt, media in content.items()}
        )
        self._accepted = ", ".join(content) or "none"
        self._accepts = bool(body)

    def __call__(
        self,
        path_params: Mapping[str, str],
        query: Mapping[str, list[str]],
        headers: Mapping[str, str],
        cookies: Mapping[str, str],
        content_type: str | None,
        body: bytes,
    ) -> ValidRequest:
        """Return the coerced request, or raise RequestInvalid (400, 415 or 422)."""
        issues: list[Issue] = []
        sources = (path_params, query, headers, cookies)
        values: tuple[dict[str, Any], ...] = ({}, {}, {}, {})
        for plan in self._plans:
            value = plan.read(sources[plan.slot])
            if value is MISSING:
                if plan.required and not (
                    plan.sent_empty and plan.sent_empty(sources[plan.slot])
                ):
                    issues.append(
                        Issue(plan.location, plan.name, "required parameter is missing")
                    )
                elif plan.default is not MISSING:
                    values[plan.slot][plan.name] = copy.deepcopy(plan.default)
                continue
            if not plan.check.is_valid(value):
                issues.extend(
                    Issue(plan.location, plan.name + pointer, message)
                    for pointer, message in plan.check.violations(value)
                )
            values[plan.slot][plan.name] = value
        if self._accepts:
            parsed = self._body(content_type, body, issues)
        elif body:
            # The spec declares no body: the real service would not read it, so say so.
            message = (
                f"{self.operation.method} {self.operation.path} takes no request body"
            )
            raise RequestInvalid(
                415,
                (Issue("body", "", message),),
                f"Unsupported media type: {message}; send none.",
            )
        else:
            parsed = None
        if issues:
            raise RequestInvalid(422, tuple(issues))
        return ValidRequest(values[0], values[1], values[2], values[3], parsed)

    def _body(self, content_type: str | None, body: bytes, issues: list[Issue]) -> Any:
        """Parse and check the body; 415 and 400 are raised at once, 422 issues collected."""
        if not body:
            if self._body_required:
                issues.append(Issue("body", "", "request body is required"))
            return None
        plan = pick(self._bodies, content_type)
        if plan is None:
            what = (
                f"'{essence(content_type)}'"
                if essence(content_type)
                else "no Content-Type"
            )
            message = f"{what} is not accepted; send one of: {self._accepted}"
            raise RequestInvalid(
                415,
                (Issue("header", "Content-Type", message),),
                f"Unsupported media type: {message}.",
            )
        try:
            parsed = parse_body(content_type or plan.media_type, body)
        except BodyUnreadable as exc:
            raise RequestInvalid(
                400, (Issue("body", "", str(exc)),), f"Malformed request: {exc}."
            ) from None
        checked = parsed
        media_type = essence(content_type)
        if media_type in _FORMS and isinstance(parsed, dict) and plan.form is not None:
            issues.extend(plan.form.reserved_issues(body, parsed, media_type))
            parsed = plan.form.values(parsed, media_type)
            # Uploaded files are bytes, which JSON Schema has no type for: check a text view.
            checked = {name: _as_text(value) for name, value in parsed.items()}
        if plan.check is not None and not plan.check.is_valid(checked):
            issues.extend(
                Issue("body", p, m) for p, m in plan.check.violations(checked)
            )
        return parsed


def _plan(param: Parameter, compiler: SchemaCompiler) -> _ParamPlan:
    """Decide how one parameter is read, coerced and checked."""
    schema, uri = compiler.resolve(param.schema, param.schema_uri)

    def resolve(sub: Any) -> dict[str, Any]:
        return compiler.resolve(sub, uri)[0]

    default = schema.get("default", MISSING)
    sent_empty = None
    if param.location == "query":
        read = query_reader(param, schema, resolve)
        if param.allow_empty_value and (
            default is not MISSING or "string" not in types_of(schema)
        ):
            # "?q=" is allowed and empty: the default, or (with none) as if left out.
            sent_empty = _sent_empty(param.name)
            read = _unless_empty(read, sent_empty)
    else:
        read = _mapping_reader(param, value_coercer(param, schema, resolve))
    return _ParamPlan(
        name=param.name,
        location=param.location,
        slot=_SLOTS[param.location],
        required=param.required,
        read=read,
        check=compiler.compile(param.schema, param.schema_uri, response=False),
        default=default,
        sent_empty=sent_empty,
    )


def _sent_empty(name: str) -> Reader:
    """Tell whether the query has ``name`` with nothing but empty values ("?q=", "?q")."""

    def sent_empty(query: Any) -> bool:
        values = query.get(name)
        return bool(values) and not any(values)

    return sent_empty


def _unless_empty(read: Reader, sent_empty: Reader) -> Reader:
    """Read the parameter, or MISSING when it was sent empty."""

    def read_unless_empty(query: Any) -> Any:
        return MISSING if sent_empty(query) else read(query)

    return read_unless_empty


def _mapping_reader(param: Parameter, coerce: Any) -> Reader:
    """Read a path, header or cookie parameter; header names are case-insensitive."""
    name = param.name
    if param.location == "path":

        def read_path(source: Any) -> Any:
            raw = source.get(name)
            # An empty segment ("/users//posts") leaves the parameter out.
            return MISSING if not raw else coerce(raw)

        return read_path
    if param.location != "header":

        def read(source: Any) -> Any:
            raw = source.get(name)
            return MISSING if raw is None else coerce(raw)

        return read
    lowered = name.lower()

    def read_header(source: Any) -> Any:
        raw = source.get(name)
        if raw is None:
            raw = next((v for k, v in source.items() if k.lower() == lowered), None)
        return MISSING if raw is None else coerce(raw)

    return read_header


def _body_plan(media: Any, compiler: SchemaCompiler) -> _BodyPlan:
    """Compile one request media type's schema and, for forms, how to read their fields."""
    form = essence(media.media_type) in _FORMS or "*" in media.media_type
    if media.schema is None:
        # No fields to follow: each is read as its first value, as text.
        return _BodyPlan(media.media_type, None, FormPlan({}) if form else None)
    schema, uri = compiler.resolve(media.schema, media.schema_uri)

    def resolve(sub: Any, base: str = uri) -> tuple[dict[str, Any], Any]:
        target, inner = compiler.resolve(sub, base)
        return target, lambda deeper: resolve(deeper, inner)

    return _BodyPlan(
        media.media_type,
        compiler.compile(media.schema, media.schema_uri, response=False),
        form_plan(schema, media.encoding, resolve) if form else None,
    )


def _as_text(value: Any) -> Any:
    """Show a form field's file content (bytes) as latin-1 text, which keeps its length."""
    if isinstance(value, bytes):
        return value.decode("latin-1")
    if isinstance(value, list):
        return [
            item.decode("latin-1") if isinstance(item, bytes) else item
            for item in value
        ]
    return value
