"""The facts the fleet report holds about one service (what JSON, table and page show)."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class ServiceReport:
    """What the fleet report says about one service (JSON-ready)."""

    name: str
    root: str
    template_commit: str
    template_release: str = "unknown"
    template_age_days: int | None = None
    releases_behind: int | None = None
    satchel_pin: str = "unknown"
    satchel_releases_behind: int | None = None
    drifted_files: list[str] | None = None
    standards_failures: dict[str, int] | None = None
    expired_flags: list[str] = field(default_factory=list)
    last_commit_date: str | None = None
    last_commit_subject: str | None = None
    notes: list[str] = field(default_factory=list)
