"""CORS for browser clients: echo the caller's origin, answer preflights from the spec.

A mock is a development tool on loopback, so it allows any origin, with credentials; what it
allows per path is exactly what the spec declares.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from satchel.openapi import Miss, Spec

from mockserver.core.answers import SOURCE_HEADER, Answer
from mockserver.core.messages import MockResponse

__all__ = ["preflight_answer", "with_origin"]

_MAX_AGE = "600"
_METHODS = ("GET", "PUT", "POST", "DELETE", "PATCH", "HEAD", "OPTIONS")


def with_origin(response: MockResponse, origin: str) -> MockResponse:
    """Return ``response`` allowing ``origin`` (with credentials) instead of ``*``."""
    headers = tuple(
        h for h in response.headers if h[0] != "access-control-allow-origin"
    )
    headers += (
        ("access-control-allow-origin", origin),
        ("access-control-allow-credentials", "true"),
        ("access-control-expose-headers", "*"),
        ("vary", "Origin"),
    )
    return replace(response, headers=headers)


def preflight_answer(
    spec: Spec, path: str, headers: Mapping[str, str]
) -> Answer | None:
    """Return the 204 answer to a preflight, or ``None`` when the spec has no such path."""
    wanted = headers.get("access-control-request-method", "GET").upper()
    found = spec.match(wanted, path)
    if isinstance(found, Miss):
        if found.status == 404:
            return None
        methods = found.allowed
    else:
        methods = tuple(
            method
            for method in _METHODS
            if method == wanted or not isinstance(spec.match(method, path), Miss)
        )
    answer_headers = (
        ("access-control-allow-methods", ", ".join(methods)),
        (
            "access-control-allow-headers",
            headers.get("access-control-request-headers") or "*",
        ),
        ("access-control-max-age", _MAX_AGE),
        (SOURCE_HEADER, "mock: CORS preflight"),
    )
    return Answer(204, answer_headers, b"")
