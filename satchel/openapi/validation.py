"""What request validation produces, and the shape of an operation's compiled request check.

A leaf module: :mod:`satchel.openapi.model` names the check an operation hands out and
:mod:`satchel.openapi.request` builds it, so both depend on this, not on each other.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple, Protocol


class ValidRequest(NamedTuple):
    """A request that passed validation, with every value coerced to its schema's type.

    A NamedTuple rather than a frozen dataclass: one is built per request, at half the cost.
    """

    path: dict[str, Any]
    query: dict[str, Any]
    headers: dict[str, Any]
    cookies: dict[str, Any]
    body: Any


class RequestCheck(Protocol):
    """An operation's compiled request validator (:class:`~satchel.openapi.RequestValidator`)."""

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
