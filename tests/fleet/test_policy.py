"""The policy check: one line per service and limit exceeded, or that cannot be read."""

from __future__ import annotations

import pytest

from satchel_kit.fleet.service_report import ServiceReport
from satchel_kit.fleet.policy import breaches


def service(**facts) -> ServiceReport:
    return ServiceReport(
        name="students", root="/srv/students", template_commit="a" * 40, **facts
    )


CASES = {
    "within": ({"releases_behind": 2}, {"max_releases_behind": 2}, []),
    "drift": (
        {"drifted_files": ["Dockerfile", "README.md"]},
        {"max_drifted_files": 1},
        ["students: 2 files drifted from the template; policy max_drifted_files: 1"],
    ),
    "standards": (
        {"standards_failures": {"SAT-DAT-002": 1, "SAT-API-001": 3}},
        {"max_standards_failures": 0},
        [
            "students: 2 standards rules failing (SAT-API-001, SAT-DAT-002);"
            " policy max_standards_failures: 0"
        ],
    ),
    "age": (
        {"template_age_days": 400},
        {"max_template_age_days": 365},
        [
            "students: 400 days since its template commit; policy max_template_age_days: 365"
        ],
    ),
    "unpinned-satchel": (
        {"satchel_pin": "path ../satchel (not pinned)"},
        {"max_satchel_releases_behind": 1},
        [
            "students: cannot tell satchel releases behind (satchel is path ../satchel"
            " (not pinned)); policy max_satchel_releases_behind: 1"
        ],
    ),
    "drift-unreadable": (
        {"notes": ["cruft diff failed: ERROR: no template"]},
        {"max_drifted_files": 0},
        [
            "students: cannot tell files drifted from the template (cruft diff failed:"
            " ERROR: no template); policy max_drifted_files: 0"
        ],
    ),
}


@pytest.mark.parametrize("facts, policy, expected", CASES.values(), ids=CASES.keys())
def test_breach_lines(facts, policy, expected):
    """A limit exceeded or unreadable is one line naming the figure and the policy key."""
    assert breaches([service(**facts)], policy) == expected
