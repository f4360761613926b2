"""satchel-standards: every check over a whole service, a table of rules with pass/fail."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from hooks.report import main
from hooks.rules import RULES


def test_clean_service_passes(service: Path, run_main) -> None:
    """The clean fixture service passes every checked rule (exit 0)."""
    code, out, err = run_main(main, [str(service), "--today", "2026-11-27"])
    assert (code, err) == (0, "")
    rows = [line for line in out.splitlines() if line.startswith("SAT-")]
    assert len(rows) == len(RULES)
    assert "| pass   | 0" in rows[0]
    assert out.rstrip().endswith("all checked rules pass")


def test_broken_service_fails_with_findings(service: Path, run_main) -> None:
    """A print and a stale lock fail their rules; the findings follow the table (exit 1)."""
    notes = service / "students/api/notes.py"
    notes.write_text(notes.read_text() + '\n\nprint("debug")\n')
    (service / "Pipfile.lock").write_text('{"_meta": {}}')
    code, out, _ = run_main(main, [str(service), "--today", "2026-11-27"])
    assert code == 1
    failed = [line.split(" ")[0] for line in out.splitlines() if "| fail" in line]
    assert failed == ["SAT-LOG-001", "SAT-DEP-001"]
    assert (
        "students/api/notes.py:32: SAT-LOG-001 print() in service code (fix: log an event "
        'instead: structlog.get_logger().info("event_name", key=value))'
    ) in out.splitlines()
    assert out.rstrip().endswith(f"2 of {len(RULES)} rules failed")


def test_json_format(service: Path, run_main) -> None:
    """--format json gives one object per rule, for dashboards."""
    (service / "Dockerfile").write_text("FROM python:3.11-slim\nUSER app\n")
    code, out, _ = run_main(main, [str(service), "--format", "json"])
    report = json.loads(out)
    by_id = {rule["rule_id"]: rule for rule in report["rules"]}
    assert (code, report["passed"]) == (1, False)
    assert by_id["SAT-CON-002"]["status"] == "fail"
    assert by_id["SAT-CON-001"]["status"] == "pass"
    assert by_id["SAT-LOG-003"]["status"] == "review"


def test_hook_error_fails_its_rules(service: Path, run_main) -> None:
    """A hook that cannot run (no flags module) fails its rules with the reason."""
    (service / "students/flags.py").unlink()
    code, out, _ = run_main(main, [str(service)])
    assert code == 1
    assert "error: no flags module at students/flags.py" in out


def test_only_missing_parts_are_na(workdir: Path, run_main) -> None:
    """In a folder with no service files, hooks with nothing to check are n/a."""
    code, out, _ = run_main(main, [str(workdir), "--format", "json"])
    statuses = {r["rule_id"]: r["status"] for r in json.loads(out)["rules"]}
    assert (code, statuses["SAT-API-001"], statuses["SAT-TPL-001"]) == (
        1,
        "n/a",
        "fail",
    )


@pytest.mark.parametrize(
    ("argv", "expected_err"),
    [
        pytest.param(
            ["no-such-dir"],
            "error: no such service folder: no-such-dir (fix: pass the service's root folder)\n",
            id="missing-folder",
        ),
    ],
)
def test_usage_errors(workdir: Path, run_main, argv, expected_err) -> None:
    """A folder that does not exist is a usage error (exit 2)."""
    assert run_main(main, argv) == (2, "", expected_err)


def test_bad_format_is_usage_error(workdir: Path, run_main) -> None:
    """An unknown --format exits 2 with argparse's message."""
    code, out, err = run_main(main, ["--format", "xml"])
    assert (code, out) == (2, "")
    assert "invalid choice: 'xml'" in err


def test_git_service_skips_ignored_files(service: Path, run_main) -> None:
    """In a git repository the report reads what git tracks or would track, not ignored files."""
    import subprocess

    subprocess.run(["git", "init", "-q"], cwd=service, check=True)
    (service / ".gitignore").write_text("scratch/\n")
    (service / "scratch").mkdir()
    (service / "scratch/debug.py").write_text('print("local only")\n')
    (service / "students/debug.py").write_text('print("committed")\n')
    code, out, _ = run_main(main, [str(service), "--today", "2026-11-27"])
    assert code == 1
    assert "students/debug.py:1: SAT-LOG-001" in out
    assert "scratch/debug.py" not in out


def test_partly_reviewed_rule_shows_review_with_its_sites(
    service: Path, run_main
) -> None:
    """A tenant only a reviewer can trace makes SAT-TEN-003 review, its call listed."""
    (service / "students/jobs.py").write_text(
        "from satchel import tenancy\n\n\ndef nightly(tenant):\n"
        "    with tenancy.tenant_scope(tenant):\n        pass\n"
    )
    code, out, _ = run_main(main, [str(service), "--today", "2026-11-27"])
    row = next(line for line in out.splitlines() if line.startswith("SAT-TEN-003"))
    assert (code, row.split("|")[3:]) == (0, [" review ", " 0"])
    assert (
        "review: students/jobs.py:5: SAT-TEN-003 tenancy.tenant_scope(tenant): the tenant is "
        "parameter tenant of nightly(), chosen by its callers (fix: check that no caller takes "
        "this tenant from a request's body, query or headers)"
    ) in out.splitlines()


def test_tenant_from_the_payload_fails(service: Path, run_main) -> None:
    """A handler taking its tenant from the body fails SAT-TEN-003."""
    notes = service / "students/api/notes.py"
    notes.write_text(
        notes.read_text().replace(
            '    note = Note(text=body["text"])',
            '    with tenancy.tenant_scope(body["school"]):\n        pass\n'
            '    note = Note(text=body["text"])',
        )
    )
    code, out, _ = run_main(main, [str(service), "--format", "json"])
    by_id = {rule["rule_id"]: rule for rule in json.loads(out)["rules"]}
    assert (code, by_id["SAT-TEN-003"]["status"]) == (1, "fail")
    assert by_id["SAT-TEN-003"]["findings"][0].startswith(
        "students/api/notes.py:21: SAT-TEN-003 tenancy.tenant_scope(body['school']) takes the "
        "tenant from the request's data (parameter body of handler create_note())"
    )


def test_hadolint_findings_fall_under_their_rules(service: Path, run_main) -> None:
    """An unpinned base image fails SAT-CON-005, through hadolint (DL3007)."""
    dockerfile = service / "Dockerfile"
    dockerfile.write_text(
        dockerfile.read_text().replace(
            "FROM python:3.11-slim\n", "FROM python:latest\n"
        )
    )
    code, out, _ = run_main(main, [str(service), "--format", "json"])
    by_id = {rule["rule_id"]: rule for rule in json.loads(out)["rules"]}
    assert (code, by_id["SAT-CON-005"]["status"], by_id["SAT-CON-006"]["status"]) == (
        1,
        "fail",
        "pass",
    )
    assert by_id["SAT-CON-005"]["findings"] == [
        "Dockerfile:6: SAT-CON-005 hadolint DL3007: Using latest is prone to errors if the "
        "image will ever update. Pin the version explicitly to a release tag (fix: pin the base "
        "image to a version tag (python:3.11-slim) or a digest (python:3.11-slim@sha256:...))"
    ]
