"""Bake the real template over its option matrix and check what comes out."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from tests.kit import BIN, tool_env

UNRENDERED = re.compile(r"\{\{\s*cookiecutter|\{%|cookiecutter\.")
# The option matrix: every answer that changes what is generated, with its default elsewhere.
MATRIX = {
    "default": {},
    "words-in-name": {"service_name": "Pupil Records", "owning_team": "team-classroom"},
    "git-source": {"satchel_source": "https://git.example.org/platform/satchel.git"},
    "with-neighbours": {"neighbours": "timetable={timetable},rooms={rooms}"},
}


def answers(case: str, resources: Path) -> dict:
    specs = resources / "template" / "neighbours"
    return {
        key: value.format(
            timetable=specs / "timetable.yaml", rooms=specs / "rooms" / "openapi.yaml"
        )
        for key, value in MATRIX[case].items()
    }


@pytest.fixture(scope="module")
def resources() -> Path:
    return Path(__file__).resolve().parent.parent / "resources"


@pytest.fixture(params=sorted(MATRIX), ids=sorted(MATRIX))
def baked(request, cookies, kit_repo, resources, monkeypatch):
    """Bake one case of the matrix from the committed kit snapshot."""
    # pytest-cookies renders the context itself, outside cookiecutter's import-path patch,
    # so the template's Jinja extension must be importable beforehand.
    monkeypatch.syspath_prepend(str(kit_repo / "template"))
    # The post-gen hook installs the git hooks with the pre-commit it finds on PATH.
    monkeypatch.setenv("PATH", tool_env()["PATH"])
    result = cookies.bake(
        extra_context=answers(request.param, resources),
        template=str(kit_repo / "template"),
    )
    assert result.exception is None, result.exception
    assert result.exit_code == 0
    return result.project_path


def generated_files(root: Path) -> list[Path]:
    return [
        p
        for p in root.rglob("*")
        if p.is_file() and ".git" not in p.relative_to(root).parts
    ]


def test_nothing_is_left_unrendered(baked):
    """No generated file or path keeps a cookiecutter expression."""
    for path in generated_files(baked):
        assert not UNRENDERED.search(str(path.relative_to(baked))), path
        if path.suffix in {".py", ".yaml", ".toml", ".cfg", ".md", ".json", ".ini", ""}:
            text = path.read_text()
            assert not UNRENDERED.search(
                text
            ), f"{path}: {UNRENDERED.search(text).group()}"


def test_python_is_black_and_flake8_clean(baked):
    """The generated code passes the formatters and linters its own hooks run."""
    black = subprocess.run(
        [BIN / "black", "--check", "--quiet", "."],
        cwd=baked,
        capture_output=True,
        text=True,
    )
    assert black.returncode == 0, black.stderr
    flake8 = subprocess.run(
        [BIN / "flake8", "."], cwd=baked, capture_output=True, text=True
    )
    assert flake8.returncode == 0, flake8.stdout


def test_first_commit_holds_everything(baked):
    """The service starts as a git repository with one clean commit."""
    log = subprocess.run(
        ["git", "log", "--oneline"],
        cwd=baked,
        capture_output=True,
        text=True,
        check=True,
    )
    assert len(log.stdout.splitlines()) == 1
    status = subprocess.run(
        ["git", "status", "--porcelain"],
        cwd=baked,
        capture_output=True,
        text=True,
        check=True,
    )
    assert status.stdout == ""


def test_lock_matches_pipfile(baked):
    """pipenv itself accepts the lock the post-gen hook re-hashed."""
    verify = subprocess.run(
        [BIN / "pipenv", "verify"],
        cwd=baked,
        capture_output=True,
        text=True,
        env=tool_env(),
    )
    assert verify.returncode == 0, verify.stdout + verify.stderr


def test_cruft_check_passes(baked):
    """A fresh bake is up to date with its template, as cruft sees it."""
    check = subprocess.run(
        [BIN / "cruft", "check"],
        cwd=baked,
        capture_output=True,
        text=True,
        env=tool_env(),
    )
    assert check.returncode == 0, check.stdout + check.stderr
    assert json.loads((baked / ".cruft.json").read_text())["directory"] == "template"


def test_production_without_secrets_stops_with_one_line(baked):
    """The production entry point refuses default secrets, naming them, with no traceback."""
    package = json.loads((baked / ".cruft.json").read_text())["context"][
        "cookiecutter"
    ]["package_name"]
    prefix = package.upper()
    env = tool_env(PYTHONPATH=str(baked), **{f"{prefix}_ENV": "production"})
    done = subprocess.run(
        [BIN / "python", "-c", f"import {package}.wsgi"],
        cwd=baked,
        capture_output=True,
        text=True,
        env=env,
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{prefix}_SECRET_KEY" in done.stderr and f"{prefix}_JWT_KEY" in done.stderr


def _package(baked) -> str:
    context = json.loads((baked / ".cruft.json").read_text())["context"]
    return context["cookiecutter"]["package_name"]


def test_pgbouncer_pooler_setting_reaches_the_tenant_engines(baked):
    """TENANT_DB_POOLER=pgbouncer gives the preset's budget; a budget setting overrides it."""
    package = _package(baked)
    prefix = package.upper()
    show = (
        f"from {package}.app import create_app;"
        " print(create_app().extensions['satchel.tenancy'].engines.options"
        ".connection_budget)"
    )
    budgets = []
    for extra in ({}, {f"{prefix}_TENANT_DB_CONNECTION_BUDGET": "300"}):
        env = tool_env(
            PYTHONPATH=str(baked),
            **{f"{prefix}_TENANT_DB_POOLER": "pgbouncer"},
            **extra,
        )
        done = subprocess.run(
            [BIN / "python", "-c", show],
            cwd=baked,
            capture_output=True,
            text=True,
            env=env,
        )
        assert done.returncode == 0, done.stderr
        budgets.append(done.stdout.split()[-1])
    assert budgets == ["2000", "300"]


def test_misspelt_pooler_stops_with_one_line_naming_the_choices(baked):
    """A pooler value that is not a choice stops the entry point, saying which are."""
    package = _package(baked)
    variable = f"{package.upper()}_TENANT_DB_POOLER"
    done = subprocess.run(
        [BIN / "python", "-c", f"import {package}.wsgi"],
        cwd=baked,
        capture_output=True,
        text=True,
        env=tool_env(PYTHONPATH=str(baked), **{variable: "pgbouncr"}),
    )
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert f"{variable}='pgbouncr' is not a valid choice" in done.stderr
    assert "expected one of 'direct', 'pgbouncer'" in done.stderr
