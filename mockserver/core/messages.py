"""The engine's request and response types, shared by every transport."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import NamedTuple

from satchel.openapi import Operation

from mockserver.core.answers import Answer

__all__ = ["MockRequest", "MockResponse", "to_response", "route_of"]

#: Sent on every answer; an echo of the caller's Origin replaces it when there is one.
ANY_ORIGIN = ("access-control-allow-origin", "*")


class MockRequest(NamedTuple):
    """What the engine needs of a request; header names are lower-case.

    A named tuple rather than a dataclass: one is built per request on the hot path.
    """

    method: str
    path: str
    query: str = ""
    headers: Mapping[str, str] = MappingProxyType({})
    body: bytes = b""


@dataclass(frozen=True)
class MockResponse:
    """The engine's answer, plus the route and operation for the access log.

    ``delay`` (seconds) and ``drop`` (``"reset"`` or ``"timeout"``) are an injected fault's
    instructions to the transport; the engine itself never sets them.
    """

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    route: str | None = None
    operation_id: str | None = None
    delay: float = 0.0
    drop: str | None = None
    #: Set when the answer breaks its spec (its Satchel-Mock-Violations value): logged.
    violations: str = ""

    def header(self, name: str) -> str | None:
        """Return the first value of header ``name`` (case-insensitive), if present."""
        name = name.lower()
        return next((v for k, v in self.headers if k == name), None)


def route_of(base_path: str, operation: Operation) -> str:
    """Return the path template the service really serves (base path included)."""
    return f"{base_path}{operation.path}" if base_path else operation.path


def to_response(
    answer: Answer, base_path: str, operation: Operation | None
) -> MockResponse:
    """Wrap an answer with the default CORS header and the fields the access log needs."""
    return MockResponse(
        status=answer.status,
        headers=answer.headers + (ANY_ORIGIN,),
        body=answer.body,
        route=route_of(base_path, operation) if operation is not None else None,
        operation_id=operation.operation_id if operation is not None else None,
        violations=answer.violations,
    )
