"""Per-tenant migration outcomes and the JSON run report built from them."""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field

UPGRADED = "upgraded"
SKIPPED = "skipped"  # already at the target: nothing to do
FAILED = "failed"
NOT_ATTEMPTED = "not_attempted"  # the run stopped before reaching this tenant
OUTCOMES = (UPGRADED, SKIPPED, FAILED, NOT_ATTEMPTED)


@dataclass(frozen=True)
class TenantOutcome:
    """What happened to one tenant database in a migration run."""

    tenant: str
    status: str
    from_revision: str | None = None
    to_revision: str | None = None
    duration_ms: float = 0.0
    wave: int | None = None
    error: str | None = None
    server: str | None = None


@dataclass(frozen=True)
class MigrationReport:
    """Every tenant's outcome in one run, in the order they finished."""

    target: str
    started_at: str
    finished_at: str
    outcomes: tuple[TenantOutcome, ...]
    # Servers that could not be reached during the run, with the reason.
    servers_down: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        """Return True if no tenant failed and none was left unattempted."""
        return all(outcome.status in (UPGRADED, SKIPPED) for outcome in self.outcomes)

    def summary(self) -> dict[str, int]:
        """Return how many tenants ended in each outcome."""
        counts = Counter(outcome.status for outcome in self.outcomes)
        return {status: counts.get(status, 0) for status in OUTCOMES}

    def by_server(self) -> dict[str, dict[str, int]]:
        """Return how many tenants of each server ended in each outcome."""
        counts: dict[str, Counter] = {}
        for outcome in self.outcomes:
            counts.setdefault(outcome.server or "-", Counter())[outcome.status] += 1
        return {
            server: {status: found.get(status, 0) for status in OUTCOMES}
            for server, found in sorted(counts.items())
        }

    def summary_line(self) -> str:
        """Return the one-line summary printed at the end of a run."""
        parts = ", ".join(
            f"{n} {status.replace('_', ' ')}" for status, n in self.summary().items()
        )
        return f"{len(self.outcomes)} tenants to {self.target}: {parts}"

    def to_json(self) -> str:
        """Return the report as indented JSON."""
        body = {
            "target": self.target,
            "started_at": self.started_at,
            "finished_at": self.finished_at,
            "ok": self.ok,
            "summary": self.summary(),
            "servers": {
                server: {**counts, "down": self.servers_down.get(server)}
                for server, counts in self.by_server().items()
            },
            "tenants": [asdict(outcome) for outcome in self.outcomes],
        }
        return json.dumps(body, indent=2)
