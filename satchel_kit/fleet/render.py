"""Render the fleet report as an aligned text table (then the details) or as JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, dataclass

from satchel_kit.fleet.service_report import ServiceReport

HEADER = (
    "service",
    "template",
    "age (days)",
    "releases behind",
    "satchel pin",
    "drifted files",
    "standards failing",
    "expired flags",
    "last commit",
)


@dataclass(frozen=True)
class FleetReport:
    """The whole report: when, against which latest release, each service, the breaches."""

    today: str
    latest_release: str | None
    services: tuple[ServiceReport, ...]
    breaches: tuple[str, ...]


def _unknown(value: object) -> str:
    return "?" if value is None else str(value)


def _shorten(text: str, limit: int = 50) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def row(report: ServiceReport) -> tuple[str, ...]:
    """Return a service's cells, as the table (and the HTML page) show them."""
    failures = report.standards_failures
    return (
        report.name,
        report.template_release,
        _unknown(report.template_age_days),
        _unknown(report.releases_behind),
        report.satchel_pin
        + (
            ""
            if report.satchel_releases_behind is None
            else f" ({report.satchel_releases_behind} behind)"
        ),
        "?" if report.drifted_files is None else str(len(report.drifted_files)),
        "?" if failures is None else (", ".join(sorted(failures)) or "none"),
        ", ".join(flag.split(" ")[0] for flag in report.expired_flags) or "none",
        (
            f"{report.last_commit_date} {_shorten(report.last_commit_subject or '')}"
            if report.last_commit_date
            else "?"
        ),
    )


def details(report: ServiceReport) -> list[str]:
    """Return the lines under the table for one service: drifted files, failures, notes."""
    lines = [f"{report.name}: drifted {path}" for path in report.drifted_files or ()]
    lines += [
        f"{report.name}: {rule} fails ({count} finding{'s' * (count != 1)})"
        for rule, count in sorted((report.standards_failures or {}).items())
    ]
    lines += [f"{report.name}: release flag {flag}" for flag in report.expired_flags]
    lines += [f"{report.name}: note: {note}" for note in report.notes]
    return lines


def render_table(fleet: FleetReport) -> str:
    """Return the table, the details of every service, then the verdict."""
    rows = [HEADER] + [row(report) for report in fleet.services]
    widths = [max(len(r[i]) for r in rows) for i in range(len(HEADER))]
    lines = [
        " | ".join(cell.ljust(w) for cell, w in zip(r, widths)).rstrip() for r in rows
    ]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    extra = [line for report in fleet.services for line in details(report)]
    latest = fleet.latest_release or "none"
    verdict = (
        f"{len(fleet.breaches)} policy breach{'es' * (len(fleet.breaches) != 1)}"
        if fleet.breaches
        else "policy met"
    )
    summary = f"{len(fleet.services)} services; latest release {latest}; {verdict}"
    return "\n".join([*lines, "", *extra, *([""] if extra else []), summary])


def render_json(fleet: FleetReport) -> str:
    """Return the report as JSON, for dashboards and scripts."""
    return json.dumps(
        {
            "today": fleet.today,
            "latest_release": fleet.latest_release,
            "passed": not fleet.breaches,
            "breaches": list(fleet.breaches),
            "services": [asdict(report) for report in fleet.services],
        },
        indent=2,
    )


def render_breaches(breaches: Sequence[str]) -> str:
    """Return the breach lines as printed to stderr."""
    return "\n".join(f"policy breach: {line}" for line in breaches)
