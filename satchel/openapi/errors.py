"""Errors of the spec core: a broken spec (SpecError), a request that breaks it (RequestInvalid)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from satchel.problems import Problem

Location = Literal["path", "query", "header", "cookie", "body", "status"]


class OpenAPIError(Exception):
    """Base of every error raised by :mod:`satchel.openapi`."""


class SpecError(OpenAPIError):
    """The spec cannot be loaded: says which file, line and JSON pointer, and how to fix it."""

    def __init__(
        self,
        file: str,
        line: int | None,
        pointer: str,
        message: str,
        hint: str = "",
    ) -> None:
        self.file = file
        self.line = line
        self.pointer = pointer
        self.message = message
        self.hint = hint
        super().__init__(str(self))

    def __str__(self) -> str:
        where = f"{self.file}:{self.line}" if self.line is not None else self.file
        text = f"{where}: {self.pointer or '/'}: {self.message}."
        return f"{text} {self.hint}" if self.hint else text


#: The longest quoted value an error message keeps: enough to recognise it, never the
#: whole of a megabyte-long field echoed back (twice, in ``detail`` and ``errors``).
MAX_QUOTED = 40
MAX_MESSAGE = 300
_QUOTED = re.compile(
    r"'(?:[^'\\]|\\.){%d,}'|\"(?:[^\"\\]|\\.){%d,}\"" % (MAX_QUOTED + 1, MAX_QUOTED + 1)
)


def shorten(text: str) -> str:
    """Return ``text`` with long quoted values cut to a prefix, and at most MAX_MESSAGE long."""
    if len(text) <= MAX_QUOTED:
        return text
    text = _QUOTED.sub(_cut, text)
    if len(text) > MAX_MESSAGE:
        text = f"{text[:MAX_MESSAGE]}... ({len(text)} characters)"
    return text


def _cut(match: re.Match) -> str:
    quoted = match.group()
    return f"{quoted[:MAX_QUOTED]}...{quoted[0]} ({len(quoted) - 2} characters)"


@dataclass(frozen=True)
class Issue:
    """One thing wrong with a request or response, located by parameter name or body pointer.

    The message and field are shortened (:func:`shorten`): a client's bad value is quoted
    only by its prefix.
    """

    location: Location
    field: str
    message: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "field", shorten(self.field))
        object.__setattr__(self, "message", shorten(self.message))

    def to_dict(self) -> dict[str, str]:
        """Return the issue as one entry of a problem's ``errors`` list."""
        key = "pointer" if self.location == "body" else "name"
        return {"in": self.location, key: self.field, "message": self.message}


_TYPE_SLUGS = {
    400: "request-invalid",
    415: "unsupported-media-type",
    422: "request-invalid",
}


class RequestInvalid(OpenAPIError):
    """A request does not satisfy its operation: 400 malformed, 415 media type, 422 schema."""

    def __init__(
        self, status: int, issues: tuple[Issue, ...], detail: str = ""
    ) -> None:
        self.status = status
        self.issues = issues
        self.detail = detail or _summarise(issues)
        super().__init__(self.detail)

    def to_problem(self) -> Problem:
        """Return the problem+json error a server answers this request with."""
        return Problem(
            status=self.status,
            detail=self.detail,
            type=_TYPE_SLUGS.get(self.status, "request-invalid"),
            extensions={"errors": [issue.to_dict() for issue in self.issues]},
        )


def _summarise(issues: tuple[Issue, ...]) -> str:
    """Describe the first issue in one sentence and count the rest."""
    if not issues:
        return "The request does not match the API specification."
    first = issues[0]
    where = (
        f"{first.location} {first.field}".rstrip() if first.field else first.location
    )
    more = len(issues) - 1
    tail = (
        f" (and {more} more problem{'s' if more > 1 else ''}, see 'errors')"
        if more
        else ""
    )
    return f"Invalid request: {where}: {first.message}{tail}."
