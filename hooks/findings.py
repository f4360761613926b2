"""The one shape every hook reports: ``path:line: RULE-ID message (fix: ...)``."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Finding:
    """A broken rule at a place in a file, with the fix that mends it."""

    path: str
    line: int
    rule_id: str
    message: str
    fix: str

    def __str__(self) -> str:
        return (
            f"{self.path}:{self.line}: {self.rule_id} {self.message} (fix: {self.fix})"
        )


class HookError(Exception):
    """A usage error: the hook cannot run as asked (exit code 2)."""
