"""Waivers: parsed, applied to findings, and checked by satchel-waivers."""

from __future__ import annotations

from pathlib import Path

import pytest

from hooks.waiver_check import main
from hooks.waivers import Waiver, find_waivers
from tests.hooks.conftest import write


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        pytest.param("x = 1", [], id="none"),
        pytest.param(
            "print(1)  # satchel: allow SAT-LOG-001 -- CLI output",
            [Waiver(1, ("SAT-LOG-001",), "CLI output")],
            id="one-rule",
        ),
        pytest.param(
            "# satchel:allow SAT-LOG-001, SAT-LOG-002 --   both, on purpose  ",
            [Waiver(1, ("SAT-LOG-001", "SAT-LOG-002"), "both, on purpose")],
            id="two-rules",
        ),
        pytest.param(
            "# satchel: allow SAT-LOG-001",
            [Waiver(1, ("SAT-LOG-001",), "")],
            id="no-reason",
        ),
        pytest.param("# satchel: allow", [Waiver(1, (), "")], id="no-rule"),
    ],
)
def test_find_waivers(line: str, expected: list[Waiver]) -> None:
    """Waiver comments parse into their rule ids and reason."""
    assert find_waivers(line) == expected


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        pytest.param("# satchel: allow SAT-LOG-001 -- CLI output\n", [], id="valid"),
        pytest.param(
            "x = 1\nprint(x)  # satchel: allow SAT-LOG-001\n",
            [
                "app.py:2: SAT-STD-002 waiver for SAT-LOG-001 gives no reason (fix: add "
                "` -- <why the rule does not apply here>` after the rule id)"
            ],
            id="no-reason",
        ),
        pytest.param(
            "# satchel: allow SAT-LOG-999 -- typo\n",
            [
                "app.py:1: SAT-STD-003 waiver names unknown rule SAT-LOG-999 (fix: name a rule "
                "listed in standards/README.md)"
            ],
            id="unknown-rule",
        ),
        pytest.param(
            "# satchel: allow -- because\n",
            [
                "app.py:1: SAT-STD-003 waiver names no rule (fix: write "
                "`# satchel: allow SAT-XXX-NNN -- reason`)"
            ],
            id="no-rule",
        ),
    ],
)
def test_waiver_hook(workdir: Path, run_main, source: str, expected: list[str]) -> None:
    """satchel-waivers refuses waivers without a reason or for unknown rules."""
    write(workdir, {"app.py": source})
    code, out, err = run_main(main, ["app.py"])
    assert (code, out.splitlines(), err) == (1 if expected else 0, expected, "")


def test_invalid_waiver_waives_nothing(workdir: Path, run_main) -> None:
    """A waiver without a reason does not silence the finding it names."""
    from hooks.log_calls import main as logging_main

    write(workdir, {"app.py": "print(1)  # satchel: allow SAT-LOG-001\n"})
    code, out, _ = run_main(logging_main, ["app.py"])
    assert code == 1
    assert out.startswith("app.py:1: SAT-LOG-001 print() in service code")
