"""What every flag store offers, and the audit record of a change."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import Any, Protocol

#: The version of a shared store that was never written, or was wiped by a restart.
EMPTY = "empty"

#: Turns the stored rule (or None) into the new rule (or None to remove it); may raise.
RuleChange = Callable[[dict[str, Any] | None], dict[str, Any] | None]


@dataclass(frozen=True)
class ChangeRecord:
    """One audited change: which flag, who, when (UTC ISO 8601), why, old and new rule."""

    flag: str
    who: str
    when: str
    why: str
    old: dict[str, Any] | None
    new: dict[str, Any] | None

    def to_json(self) -> str:
        """Return the record as one JSON line."""
        return json.dumps(asdict(self), sort_keys=True)

    @classmethod
    def from_json(cls, text: str) -> ChangeRecord:
        """Read a record written by :meth:`to_json`."""
        return cls(**json.loads(text))


class FlagStore(Protocol):
    """A place the rules live; read by the poller, written by the CLI, never per request."""

    def describe(self) -> str:
        """Return where the store is, without secrets, for logs and /readyz."""

    def fetch_if_changed(self, known_version: str | None) -> tuple[str, Any] | None:
        """Return (version, raw rules) if the store moved past ``known_version``, else None."""

    def update(self, key: str, change: RuleChange, who: str, why: str) -> ChangeRecord:
        """Apply ``change`` to one flag's rule atomically and record it in the history."""

    def history(self, key: str | None = None, limit: int = 50) -> list[ChangeRecord]:
        """Return the latest ``limit`` changes, oldest first, optionally for one flag."""
