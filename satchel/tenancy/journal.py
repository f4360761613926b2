"""The control plane's own audit: who did what to which tenant or server, and when.

Append-only entries kept beside the registry (a table in the control-plane database, a
JSON-lines file next to a YAML registry). Moves between servers write one entry per step,
so an interrupted move can be found and resumed or rolled back from its last step.
"""

from __future__ import annotations

import getpass
import os
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def current_actor() -> str:
    """Return who is running this command: ``SATCHEL_ACTOR`` if set, else the OS user."""
    actor = os.environ.get("SATCHEL_ACTOR")
    if actor:
        return actor
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no passwd entry (some containers)
        return f"uid:{os.getuid()}"


@dataclass(frozen=True)
class ControlEvent:
    """One entry of the control plane's audit."""

    action: str
    subject: str
    actor: str
    details: dict[str, Any] = field(default_factory=dict)
    at: str = field(default_factory=_now)

    def as_dict(self) -> dict[str, Any]:
        """Return the entry as plain data (JSON)."""
        return {
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject,
            "details": self.details,
        }
