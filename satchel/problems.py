"""RFC 9457 problem details: the one error shape every Satchel service and mock answers with.

Raise :class:`Problem` anywhere in request handling; the runtime renders it as
``application/problem+json``. Other components subclass nothing: they raise ``Problem``
with their own ``type`` slug so that clients can branch on it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

PROBLEM_MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "https://satchel.dev/problems/"


@dataclass
class Problem(Exception):
    """An HTTP error with a machine-readable type and a human-readable fix."""

    status: int
    detail: str = ""
    title: str = ""
    type: str = "about:blank"
    extensions: dict[str, Any] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if not self.title:
            try:
                self.title = HTTPStatus(self.status).phrase
            except ValueError:
                self.title = "Error"
        if self.type != "about:blank" and ":" not in self.type:
            self.type = TYPE_PREFIX + self.type
        super().__init__(f"{self.status} {self.title}: {self.detail}")

    def to_dict(self) -> dict[str, Any]:
        """Return the problem as the JSON object a client receives."""
        body: dict[str, Any] = {
            "type": self.type,
            "title": self.title,
            "status": self.status,
        }
        if self.detail:
            body["detail"] = self.detail
        body.update(self.extensions)
        return body

    def to_json(self) -> bytes:
        """Return the serialised body, UTF-8 encoded."""
        return json.dumps(self.to_dict(), separators=(",", ":")).encode()


def problem(
    status: int, detail: str = "", type: str = "about:blank", **extensions: Any
) -> Problem:
    """Build a :class:`Problem`; a shorthand for handlers (``raise problem(404, ...)``)."""
    return Problem(status=status, detail=detail, type=type, extensions=extensions)
