"""The default bake installs from its lock, passes its own tests and its own hooks.

The stamp is moved to another folder and used under another HOME before anything runs: it
must hold no path of the machine or folder that stamped it (satchel comes from the platform
index, the hooks from the kit's git URL, both at the template's release).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.kit import BIN, tool_env


@pytest.fixture(scope="module")
def service(kit_repo, tmp_path_factory):
    """Bake the template with no input, as a newcomer would, then move it elsewhere."""
    out = tmp_path_factory.mktemp("bake")
    subprocess.run(
        [BIN / "cookiecutter", str(kit_repo), "--directory", "template", "--no-input"]
        + ["--output-dir", str(out)],
        check=True,
        env=tool_env(),
        capture_output=True,
    )
    moved = tmp_path_factory.mktemp("moved") / "students"
    shutil.move(out / "students", moved)
    return moved


@pytest.fixture(scope="module")
def other_home(tmp_path_factory) -> str:
    """A HOME that is not the stamping user's (no caches, no git or pip configuration)."""
    return str(tmp_path_factory.mktemp("home"))


def run(command: list, cwd, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        env=tool_env(**env),
        timeout=900,
    )


def test_holds_no_path_of_the_stamping_machine(service, kit_repo):
    """No generated file names the output folder, the kit checkout or the user's HOME."""
    tracked = run(["git", "ls-files"], service).stdout.split()
    assert "Pipfile.lock" in tracked and ".cruft.json" in tracked
    for name in tracked:
        text = (service / name).read_text(errors="replace")
        for path in (str(service.parent.parent), str(kit_repo), str(Path.home())):
            assert path not in text, f"{name} holds the path {path}"


def test_installs_from_lock_and_passes_its_tests(service, other_home):
    """`pipenv install --dev --deploy` (satchel from the index, hash checked), then pytest."""
    env = {
        "PIPENV_VENV_IN_PROJECT": "1",
        "PIPENV_NOSPIN": "1",
        "PIPENV_YES": "1",
        "HOME": other_home,
    }
    install = run([BIN / "pipenv", "install", "--dev", "--deploy"], service, **env)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    tests = run(
        [BIN / "pipenv", "run", "pytest", "-q", "-p", "no:cacheprovider"],
        service,
        **env,
    )
    assert tests.returncode == 0, tests.stdout[-5000:]
    assert " passed" in tests.stdout and "failed" not in tests.stdout


@pytest.fixture(scope="module")
def pre_commit_home(tmp_path_factory) -> str:
    """One hook-environment cache for the module, so hooks install once."""
    return str(tmp_path_factory.mktemp("pre-commit-home"))


def test_passes_its_own_hooks(service, pre_commit_home, other_home):
    """A fresh service passes `pre-commit run --all-files`, the hooks at the release tag."""
    command = [BIN / "pre-commit", "run", "--all-files"]
    hooks = run(command, service, PRE_COMMIT_HOME=pre_commit_home, HOME=other_home)
    assert hooks.returncode == 0, hooks.stdout[-5000:] + hooks.stderr[-2000:]
    assert "satchel-spec" in hooks.stdout and "Failed" not in hooks.stdout


BRANCH = (
    '"""Branch off the first migration."""\n\nfrom alembic import op\n\n'
    'revision = "{rev}"\ndown_revision = "0001"\n\n\n'
    'def upgrade() -> None:\n    op.execute("SELECT 1")\n\n\n'
    'def downgrade() -> None:\n    op.execute("SELECT 1")\n'
)
ARCHIVED = "              example: {id: 3, title: Trip consent forms, body: Collect by"
NOTES = "students/api/notes.py"
TENANT_FROM_BODY = (
    '    with tenancy.tenant_scope(body["school"]):\n'
    "        pass\n"
    "    actor = current_actor()\n"
)
IMAGE = 'FROM {base}\n{env}USER 10001\nHEALTHCHECK CMD ["python", "-c", "print(1)"]\n'
JWT_KEY = "ENV STUDENTS_JWT_KEY=not-so-secret\n"
# case -> (the rule it breaks, edits: (path, text to replace or None for a new file, new text))
BREAKAGES = {
    "unformatted": ("SAT-PY-001", [("students/extra.py", None, "x=1\n")]),
    "print": (
        "SAT-LOG-001",
        [
            (
                NOTES,
                '"""Delete a note."""\n',
                '"""Delete a note."""\n    print(note_id)\n',
            )
        ],
    ),
    "raw-engine": (
        "SAT-TEN-001",
        [
            (
                "students/db.py",
                None,
                "from sqlalchemy import create_engine\n\nENGINE = "
                'create_engine("sqlite://")\n',
            )
        ],
    ),
    "undeclared-flag": ("SAT-FLG-001", [(NOTES, '"notes-archive"', '"notes-archiv"')]),
    "second-alembic-head": (
        "SAT-DAT-001",
        [
            ("migrations/versions/0002_a.py", None, BRANCH.format(rev="0002a")),
            ("migrations/versions/0002_b.py", None, BRANCH.format(rev="0002b")),
        ],
    ),
    "no-example": (
        "SAT-API-002",
        [("spec/openapi.yaml", ARCHIVED, ARCHIVED.replace("example", "x-ex"))],
    ),
    "unnamed-public-function": (
        "SAT-API-007",
        [
            (
                NOTES,
                "def _find(",
                "def find(note_id):\n    return _find(note_id)\n\n\ndef _find(",
            )
        ],
    ),
    "tenant-from-the-body": (
        "SAT-TEN-003",
        [(NOTES, "    actor = current_actor()\n", TENANT_FROM_BODY)],
    ),
    "secret-in-the-image": (
        "SAT-CON-004",
        [
            (
                "tools.dockerfile",
                None,
                IMAGE.format(base="python:3.11-slim", env=JWT_KEY),
            )
        ],
    ),
    "base-image-latest": (
        "DL3007",
        [("tools.dockerfile", None, IMAGE.format(base="python:latest", env=""))],
    ),
}


@pytest.mark.parametrize("case", sorted(BREAKAGES))
def test_commit_breaking_a_rule_is_refused(service, pre_commit_home, tmp_path, case):
    """In a clone of the baked service, a commit that breaks a rule is refused with its ID."""
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "--quiet", str(service), str(clone)], check=True)
    installed = run(
        [BIN / "pre-commit", "install"], clone, PRE_COMMIT_HOME=pre_commit_home
    )
    assert installed.returncode == 0, installed.stderr
    rule, edits = BREAKAGES[case]
    for path, old, new in edits:
        target = clone / path
        if old is None:
            target.write_text(new)
        else:
            text = target.read_text()
            assert old in text, f"{path} no longer contains {old!r}: update this case"
            target.write_text(text.replace(old, new, 1))
    subprocess.run(["git", "add", "--all"], cwd=clone, check=True)
    commit = run(
        ["git", "commit", "-m", f"break {case}"], clone, PRE_COMMIT_HOME=pre_commit_home
    )
    assert commit.returncode != 0, commit.stdout
    assert rule in commit.stdout + commit.stderr
