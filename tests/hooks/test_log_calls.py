"""satchel-logging: no print(), no secrets passed to log calls."""

from __future__ import annotations

from pathlib import Path

import pytest

from hooks.log_calls import check_file, main
from hooks.waivers import drop_waived
from tests.hooks.conftest import write

PRINT_FIX = (
    '(fix: log an event instead: structlog.get_logger().info("event_name", key=value))'
)
SECRET_FIX = "(fix: log that it was present or its id, never the value)"

CASES = [
    pytest.param(
        """
        import structlog

        log = structlog.get_logger()
        log.info("login", user_id=7, token_type="bearer")
        result.error("not a logger", password="x")
        """,
        [],
        id="clean",
    ),
    pytest.param(
        'def main():\n    print("hello")\n',
        [f"app.py:2: SAT-LOG-001 print() in service code {PRINT_FIX}"],
        id="print",
    ),
    pytest.param(
        """
        import logging

        logger = logging.getLogger(__name__)
        logger.info("login", extra={"a": 1}, password=password)
        self.log.debug(f"token is {request.headers.token}")
        structlog.get_logger().bind(api_key=key)
        logger.warning("failed for %s", user.password)
        """,
        [
            f"app.py:4: SAT-LOG-002 log call passes secret-looking value 'password' {SECRET_FIX}",
            f"app.py:5: SAT-LOG-002 log call passes secret-looking value 'token' {SECRET_FIX}",
            f"app.py:6: SAT-LOG-002 log call passes secret-looking value 'api_key' {SECRET_FIX}",
            f"app.py:7: SAT-LOG-002 log call passes secret-looking value 'password' {SECRET_FIX}",
        ],
        id="secrets",
    ),
    pytest.param(
        'print("ready")  # satchel: allow SAT-LOG-001 -- a CLI prompt, not a log line\n',
        [],
        id="waived",
    ),
]


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_check_file(workdir: Path, source: str, expected: list[str]) -> None:
    """The check function returns exactly the expected findings (after waivers)."""
    write(workdir, {"app.py": source})
    assert [str(f) for f in drop_waived(check_file(Path("app.py")))] == expected


@pytest.mark.parametrize(("source", "expected"), CASES)
def test_main(workdir: Path, run_main, source: str, expected: list[str]) -> None:
    """main prints the findings and exits 1 on findings, 0 when clean."""
    write(workdir, {"app.py": source})
    code, out, err = run_main(main, ["app.py"])
    assert (code, out.splitlines(), err) == (1 if expected else 0, expected, "")
