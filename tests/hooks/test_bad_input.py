"""Every hook turns bad input into one clear line: never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from hooks import (
    dockerfile,
    log_calls,
    migrations,
    pipfile_lock,
    spec,
    tenancy,
    waiver_check,
)
from tests.hooks.conftest import write

NOT_UTF8 = b"x = 1\n# caf\xe9\n"
NOT_UTF8_LINE = (
    "SAT-STD-001 is not UTF-8 (byte 0xe9 at offset 11) (fix: save the file as UTF-8)"
)
BAD_PYTHON = "def broken(:\n    pass\n"
BAD_PYTHON_LINE = (
    "SAT-STD-001 does not parse as Python: invalid syntax (fix: correct the syntax; "
    "`python -m py_compile FILE` shows the error)"
)


@pytest.mark.parametrize(
    ("main", "name", "content", "expected"),
    [
        pytest.param(
            tenancy.main, "app.py", NOT_UTF8, f"app.py:2: {NOT_UTF8_LINE}", id="tenancy"
        ),
        pytest.param(
            log_calls.main,
            "app.py",
            NOT_UTF8,
            f"app.py:2: {NOT_UTF8_LINE}",
            id="logging",
        ),
        pytest.param(
            waiver_check.main,
            "app.py",
            NOT_UTF8,
            f"app.py:2: {NOT_UTF8_LINE}",
            id="waivers",
        ),
        pytest.param(
            dockerfile.main,
            "Dockerfile",
            NOT_UTF8,
            f"Dockerfile:2: {NOT_UTF8_LINE}",
            id="docker",
        ),
        pytest.param(
            spec.main,
            "spec/openapi.yaml",
            NOT_UTF8,
            f"spec/openapi.yaml:2: {NOT_UTF8_LINE}",
            id="spec",
        ),
        pytest.param(
            tenancy.main,
            "app.py",
            BAD_PYTHON,
            f"app.py:1: {BAD_PYTHON_LINE}",
            id="tenancy-syntax",
        ),
        pytest.param(
            log_calls.main,
            "app.py",
            BAD_PYTHON,
            f"app.py:1: {BAD_PYTHON_LINE}",
            id="logging-syntax",
        ),
        pytest.param(
            migrations.main,
            "migrations/versions/0001_x.py",
            BAD_PYTHON,
            f"migrations/versions/0001_x.py:1: {BAD_PYTHON_LINE}",
            id="migrations-syntax",
        ),
        pytest.param(
            pipfile_lock.main,
            "Pipfile",
            "[packages\n",
            "Pipfile:1: SAT-STD-001 is not valid TOML: Expected ']' at the end of a table "
            "declaration (at line 1, column 10) (fix: correct the TOML)",
            id="pipfile-toml",
        ),
    ],
)
def test_unreadable_file(
    workdir: Path, run_main, main, name: str, content: str | bytes, expected: str
) -> None:
    """A file that is not UTF-8 or does not parse is reported as SAT-STD-001, exit 1."""
    files = {name: content}
    if name == "Pipfile":
        files["Pipfile.lock"] = "{}"
    write(workdir, files)
    assert run_main(main, [name]) == (1, expected + "\n", "")


@pytest.mark.parametrize(
    "main",
    [
        tenancy.main,
        log_calls.main,
        waiver_check.main,
        dockerfile.main,
        spec.main,
        migrations.main,
    ],
    ids=["tenancy", "logging", "waivers", "docker", "spec", "migrations"],
)
def test_missing_file_is_a_usage_error(workdir: Path, run_main, main) -> None:
    """A file that does not exist is a usage error (exit 2) with a clear message."""
    assert run_main(main, ["gone.py"]) == (
        2,
        "",
        "error: no such file: gone.py (fix: pass existing files, or run the hook through "
        "pre-commit, which passes only files that exist)\n",
    )


def test_unknown_option_is_a_usage_error(workdir: Path, run_main) -> None:
    """An unknown option exits 2 with argparse's message, not a traceback."""
    code, out, err = run_main(tenancy.main, ["--nope"])
    assert (code, out) == (2, "")
    assert err.endswith("error: unrecognized arguments: --nope\n")


def test_no_files_is_clean(workdir: Path, run_main) -> None:
    """With nothing to check a hook passes quietly."""
    assert run_main(tenancy.main, []) == (0, "", "")
