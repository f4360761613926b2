"""Hold each service's report against the fleet file's policy: one line per breach.

A limit whose fact could not be read (satchel installed from a path, cruft failing) is a
breach too: a policy that cannot be checked is not met.
"""

from __future__ import annotations

from collections.abc import Sequence

from satchel_kit.fleet.fleet_file import POLICY_KEYS
from satchel_kit.fleet.service_report import ServiceReport


def measure(report: ServiceReport, key: str) -> int | None:
    """Return the figure a policy key limits, or None if it could not be read."""
    if key == "max_releases_behind":
        return report.releases_behind
    if key == "max_template_age_days":
        return report.template_age_days
    if key == "max_satchel_releases_behind":
        return report.satchel_releases_behind
    if key == "max_drifted_files":
        return None if report.drifted_files is None else len(report.drifted_files)
    if key == "max_standards_failures":
        failures = report.standards_failures
        return None if failures is None else len(failures)
    if key == "max_expired_flags":
        return len(report.expired_flags)
    raise KeyError(key)


def breaches(reports: Sequence[ServiceReport], policy: dict[str, int]) -> list[str]:
    """Return one line per service and limit it exceeds, in fleet order."""
    lines = []
    for report in reports:
        for key, limit in policy.items():
            value = measure(report, key)
            what = POLICY_KEYS[key]
            if value is None:
                lines.append(
                    f"{report.name}: cannot tell {what} ({_why(report, key)}); policy"
                    f" {key}: {limit}"
                )
            elif value > limit:
                lines.append(
                    f"{report.name}: {value} {what}{_which(report, key)}; policy {key}: {limit}"
                )
    return lines


def _which(report: ServiceReport, key: str) -> str:
    if key == "max_standards_failures" and report.standards_failures:
        return f" ({', '.join(sorted(report.standards_failures))})"
    if key == "max_expired_flags":
        return f" ({', '.join(report.expired_flags)})"
    if key == "max_releases_behind":
        return f" (on {report.template_release})"
    if key == "max_satchel_releases_behind":
        return f" (pinned {report.satchel_pin})"
    return ""


def _why(report: ServiceReport, key: str) -> str:
    if key == "max_satchel_releases_behind":
        return f"satchel is {report.satchel_pin}"
    return "; ".join(report.notes) or "not readable"
