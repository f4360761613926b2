"""`satchel fleet` over five stamps at different template releases: table, JSON, policy."""

from __future__ import annotations

import pytest

from tests.fleet.conftest import git, run_fleet


@pytest.fixture(scope="module")
def table(fleet):
    """Run the report once as a person would: the table."""
    return run_fleet(fleet)


def rows(table_text: str) -> dict[str, list[str]]:
    """Return the table's cells by service name."""
    lines = table_text.splitlines()
    body = lines[2 : lines.index("")]
    return {
        cells[0]: cells
        for cells in ([c.strip() for c in line.split("|")] for line in body)
    }


def test_table_shows_each_services_release_age_and_drift(table, fleet):
    """Each service's template release, age, releases behind, pin, drift and flags."""
    assert table.exit_code == 1, table.output
    cells = rows(table.stdout)
    assert list(cells) == ["alpha", "bravo", "charlie", "delta", "echo"]
    charlie_commit = git(fleet["kit"], "rev-parse", "--short=7", "HEAD~2")
    echo_commit = git(fleet["kit"], "rev-parse", "--short=7", "HEAD")
    assert [cells[name][1:4] for name in cells] == [
        ["v0.1.0", "364", "2"],
        ["v0.2.0", "274", "1"],
        [f"v0.2.0+1 ({charlie_commit})", "213", "1"],
        ["v0.3.0", "121", "0"],
        [f"v0.3.0+1 ({echo_commit})", "60", "0"],
    ]
    assert cells["delta"][4] == "v0.2.0 (1 behind)"
    assert cells["alpha"][4] == "0.1.0 (2 behind)"
    assert cells["echo"][5] == "0"  # stamped at the kit's head, never edited
    assert all(int(cells[name][5]) >= 1 for name in ("bravo", "charlie"))
    assert cells["charlie"][7] == "notes-archive"
    assert cells["bravo"][8] == "2026-12-20 Bravo's notes in the README"
    assert "bravo: drifted README.md" in table.stdout
    assert "charlie: drifted charlie/flags.py" in table.stdout
    assert "charlie: release flag notes-archive (expired 2026-12-01)" in table.stdout


def test_policy_breaches_fail_with_one_line_each(table):
    """Exit 1, and one line per breach on stderr naming the service, figure and limit."""
    breaches = [line for line in table.stderr.splitlines() if line.startswith("policy")]
    assert breaches == [
        "policy breach: alpha: 2 template releases behind (on v0.1.0);"
        " policy max_releases_behind: 1",
        "policy breach: charlie: 1 release flags past expiry"
        " (notes-archive (expired 2026-12-01)); policy max_expired_flags: 0",
    ]
    assert table.stdout.rstrip().endswith(
        "5 services; latest release v0.3.0; 2 policy breaches"
    )


def test_progress_is_one_line_per_service_on_stderr(table):
    """Progress goes to stderr, one numbered line per service; stdout is the table only."""
    progress = [line for line in table.stderr.splitlines() if line.startswith("[")]
    assert [line.split(":")[0] for line in progress] == [
        f"[{n}/5] {name}"
        for n, name in enumerate(["alpha", "bravo", "charlie", "delta", "echo"], 1)
    ]
    assert "[1/5]" not in table.stdout


def test_json_holds_every_fact(as_json, fleet):
    """JSON names each service's facts, the latest release and the breaches."""
    result, data = as_json
    assert result.exit_code == 1
    assert (data["today"], data["latest_release"], data["passed"]) == (
        "2027-01-09",
        "v0.3.0",
        False,
    )
    by_name = {service["name"]: service for service in data["services"]}
    drift = {name: set(by_name[name]["drifted_files"]) for name in by_name}
    assert drift["echo"] == set()
    assert {"README.md"} <= drift["bravo"] and "README.md" not in drift["alpha"]
    assert {"charlie/flags.py"} <= drift["charlie"]
    assert {"Pipfile.lock"}.isdisjoint(drift["delta"])  # cruft skips the lock
    assert by_name["charlie"]["standards_failures"] == {"SAT-FLG-003": 1}
    assert by_name["alpha"]["standards_failures"] == {}
    assert by_name["echo"]["root"].startswith(str(fleet["root"] / "cache"))
    assert by_name["alpha"]["template_commit"] == git(
        fleet["kit"], "rev-parse", "v0.1.0"
    )
    assert len(data["breaches"]) == 2
