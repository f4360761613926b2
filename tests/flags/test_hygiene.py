"""Stale-flag report: the rule table with exact messages, and the command's exit codes."""

from __future__ import annotations

import subprocess
import sys
from datetime import date
from pathlib import Path

import pytest

from satchel.flags import FlagDeclarationError, FlagFinding, find_flag_problems
from satchel.flags.hygiene import main

RESOURCES = Path(__file__).parents[1] / "resources" / "flags"
STALE = RESOURCES / "stale" / "stalesvc"
CLEAN = RESOURCES / "service" / "flagsvc"
TODAY = date(2026, 11, 27)


def test_every_rule_fires_with_its_exact_message() -> None:
    """001 undeclared reads, 002 unused declaration, 003 expired release, 004 no owner."""
    flags_module = STALE / "flags.py"
    findings = find_flag_problems(flags_module, [STALE], TODAY)
    assert [str(f) for f in findings] == [
        f"{flags_module}:6: SAT-FLG-003 release flag 'old-release' expired on 2026-01-31; "
        "finish the rollout and remove the flag, or move expires with the owner's agreement.",
        f"{flags_module}:14: SAT-FLG-002 flag 'unused-ops' is declared but never referenced; "
        "remove the declaration and its stored rules, or use the flag.",
        f"{flags_module}:15: SAT-FLG-004 release flag 'ownerless' has no owner or no expiry; "
        "add owner='team-...' and expires='YYYY-MM-DD'.",
        f"{STALE / 'handlers.py'}:16: SAT-FLG-001 flag 'typo-flag' is referenced but not "
        f"declared in {flags_module}; declare it there or fix the key.",
        f"{STALE / 'templates' / 'page.html'}:2: SAT-FLG-001 flag 'missing-in-template' is "
        f"referenced but not declared in {flags_module}; declare it there or fix the key.",
    ]
    assert findings[0] == FlagFinding(
        flags_module,
        6,
        "SAT-FLG-003",
        "release flag 'old-release' expired on 2026-01-31; finish the rollout and remove "
        "the flag, or move expires with the owner's agreement.",
    )


@pytest.mark.parametrize(
    ("today", "expired"),
    [
        pytest.param(date(2026, 1, 31), False, id="on-expiry-day"),
        pytest.param(date(2026, 2, 1), True, id="day-after"),
    ],
)
def test_expiry_is_reported_from_the_day_after(today: date, expired: bool) -> None:
    """A release flag is stale only once its expiry date has passed."""
    rules = {f.rule_id for f in find_flag_problems(STALE / "flags.py", [STALE], today)}
    assert ("SAT-FLG-003" in rules) is expired


def test_clean_service_has_no_findings() -> None:
    """Python, decorator, `flags.value` and template reads all count as references."""
    assert find_flag_problems(CLEAN / "flags.py", [CLEAN], TODAY) == []


def test_files_that_do_not_parse_are_skipped(tmp_path: Path) -> None:
    """A syntax error elsewhere is Black's and flake8's to report, not this check's."""
    (tmp_path / "flags.py").write_text((CLEAN / "flags.py").read_text())
    (tmp_path / "broken.py").write_text("def broken(:\n    is_enabled('ghost')\n")
    (tmp_path / "uses.py").write_text(
        "from satchel.flags import value\nvalue('page-size')\nflags.is_enabled('notes-search')\n"
    )
    assert find_flag_problems(tmp_path / "flags.py", [tmp_path], TODAY) == []


def test_an_unparsable_flags_module_is_an_error(tmp_path: Path) -> None:
    """The flags module itself must parse."""
    (tmp_path / "flags.py").write_text("FLAGS = declare_flags(\n")
    with pytest.raises(FlagDeclarationError, match="cannot read flag declarations"):
        find_flag_problems(tmp_path / "flags.py", [tmp_path], TODAY)


@pytest.mark.parametrize(
    ("argv", "code", "out_lines", "err"),
    [
        pytest.param([str(CLEAN)], 0, 0, "", id="clean-finds-its-flags-module"),
        pytest.param([str(STALE), "--today", "2026-11-27"], 1, 5, "", id="findings"),
        pytest.param([str(STALE), "--flags-module", str(STALE / "flags.py"),
                      "--today", "2020-01-01"], 1, 4, "", id="explicit-module"),
        pytest.param([str(STALE / "handlers.py")], 2, 0, "no flags module found: pass "
                     "--flags-module PATH or include the service's flags.py (the file that "
                     "calls declare_flags) in PATHs.\n", id="no-flags-module"),
    ],
)  # fmt: skip
def test_main_exit_codes(capsys, argv, code: int, out_lines: int, err: str) -> None:
    """Exit 0 when clean, 1 with findings (one line each), 2 on usage errors."""
    assert main(argv) == code
    captured = capsys.readouterr()
    assert len(captured.out.splitlines()) == out_lines
    assert captured.err == err


def test_main_reports_an_unparsable_flags_module(tmp_path: Path, capsys) -> None:
    """A flags module that does not parse is a usage error (2) with the reason."""
    (tmp_path / "flags.py").write_text("declare_flags(\n")
    assert main([str(tmp_path)]) == 2
    assert capsys.readouterr().err.startswith(
        f"{tmp_path / 'flags.py'}: cannot read flag"
    )


def test_module_runs_as_a_command() -> None:
    """`python -m satchel.flags.hygiene` is the entry point the hooks and CI call."""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "satchel.flags.hygiene",
            str(STALE),
            "--today",
            "2026-11-27",
        ],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 1
    assert result.stdout.splitlines()[0] == (
        f"{STALE / 'flags.py'}:6: SAT-FLG-003 release flag 'old-release' expired on 2026-01-31; "
        "finish the rollout and remove the flag, or move expires with the owner's agreement."
    )
