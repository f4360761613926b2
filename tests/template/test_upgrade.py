"""`satchel upgrade`: a service stamped from an older release lands on a newer one.

The two releases are made in a temporary clone of the kit by the real `satchel release`: the
kit snapshot's own release (the older one), then a template change and the next patch release.
Older commits of main were not used: they predate releases and release pins, so an upgrade
from them could not show the pins moving from one release to the next (the examples'
re-level, `make examples-level`, exercises that path instead).
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from satchel import __version__ as OLD
from satchel_kit.package_index import publish
from satchel_kit.versions import Version
from tests.kit import BIN, kit_at, tool_env

NEW = str(Version.parse(OLD)._replace(patch=Version.parse(OLD).patch + 1))
SPECS = Path(__file__).resolve().parent.parent / "resources" / "template" / "neighbours"
README = Path("template") / "{{cookiecutter.service_slug}}" / "README.md"
DOCKERFILE = Path("template") / "{{cookiecutter.service_slug}}" / "Dockerfile"
PLANTED = "## Run it"
TEMPLATE_LINE = "## Run it locally"
SERVICE_LINE = "## Run it on a laptop"
ENDPOINT = """  /notes/{note_id}/words:
    parameters:
      - name: note_id
        in: path
        required: true
        schema: {type: integer, format: int32, minimum: 1}
    get:
      operationId: count_note_words
      tags: [notes]
      summary: Count the words of a note's body.
      responses:
        "200":
          description: The count.
          content:
            application/json:
              schema:
                type: object
                required: [words]
                properties:
                  words: {type: integer, format: int32}
              example: {words: 3}
        "401": {$ref: "#/components/responses/Unauthorized"}
        "403": {$ref: "#/components/responses/Forbidden"}
        "404": {$ref: "#/components/responses/NotFound"}
"""
HANDLER = '''

def count_note_words(note_id: int) -> dict:
    """Return how many words a note's body has, up to the configured limit."""
    limit = current_app.config["SETTINGS"].note_word_limit
    return {"words": min(len(_find(note_id).body.split()), limit)}
'''
MIGRATION = '''"""Pin notes.

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        "notes",
        sa.Column("pinned", sa.Boolean, nullable=False, server_default=sa.false()),
    )


def downgrade() -> None:
    op.drop_column("notes", "pinned")
'''
TEST = '''"""The service's own endpoint, added after the stamp."""


def test_words_are_counted(client):
    """A note's words are counted."""
    note = client.post("/v1/notes", json={"title": "T", "body": "one two three"})
    response = client.get(f"/v1/notes/{note.get_json()['id']}/words")
    assert response.get_json() == {"words": 3}
'''


def run(command: list, cwd: Path, env: dict) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=tool_env(**env),
        timeout=900,
    )


def ok(done: subprocess.CompletedProcess) -> str:
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return done.stdout


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{path} no longer holds {old!r}: update this test"
    path.write_text(text.replace(old, new, 1))


@pytest.fixture(scope="module")
def world(kit_repo, tmp_path_factory):
    """Return (env, kit, service): a service stamped at the older release, with its own changes."""
    root = tmp_path_factory.mktemp("upgrade")
    kit, index = root / "kit", root / "index"
    env = kit_at(kit, index)
    ok(run(["git", "clone", "--quiet", kit_repo, kit], root, env))
    [old_wheel] = (kit_repo / "dist").glob(f"satchel-{OLD}-*.whl")
    publish(old_wheel, index)
    # The older release, checked out apart: cookiecutter bakes a local folder as it is.
    ok(
        run(
            ["git", "clone", "--quiet", "--branch", f"v{OLD}", kit, root / "old"],
            root,
            env,
        )
    )
    shutil.copytree(SPECS / "rooms", root / "rooms-service" / "spec")
    ok(
        run(
            [
                BIN / "cookiecutter",
                root / "old",
                "--directory",
                "template",
                "--no-input",
            ]
            + [
                "--output-dir",
                root,
                "service_name=Gradebook",
                "owning_team=team-grades",
            ]
            + ["neighbours=rooms=rooms-service/spec/openapi.yaml"],
            root,
            dict(env, SATCHEL_SKIP_HOOK_INSTALL="1"),
        )
    )
    # The next release: the template changes a line the service will change too (the
    # planted conflict) and a file the service leaves alone.
    edit(kit / README, f"\n{PLANTED}\n", f"\n{TEMPLATE_LINE}\n")
    (kit / DOCKERFILE).write_text((kit / DOCKERFILE).read_text() + "# Upgraded.\n")
    changelog = kit / "CHANGELOG.md"
    edit(changelog, "\n## ", f"\n## {NEW}\n\n### Upgrading\n- Nothing to do.\n\n## ")
    ok(run(["git", "commit", "--quiet", "-am", "Template change"], kit, env))
    ok(run([BIN / "satchel", "release", NEW, "--publish", index], kit, env))
    # The service's own work, committed.
    service = root / "gradebook"
    archive = "  /notes/{note_id}/archive:\n"
    edit(service / "spec" / "openapi.yaml", archive, ENDPOINT + archive)
    notes = service / "gradebook" / "api" / "notes.py"
    notes.write_text(notes.read_text() + HANDLER)
    edit(notes, "from sqlalchemy ", "from flask import current_app\nfrom sqlalchemy ")
    edit(
        service / "gradebook" / "settings.py",
        "    env: Literal[",
        "    # The most words a count reports.\n    note_word_limit: int = 1000\n"
        "    env: Literal[",
    )
    (service / "migrations" / "versions" / "0002_pin_notes.py").write_text(MIGRATION)
    (service / "tests" / "test_words.py").write_text(TEST)
    edit(service / "README.md", f"\n{PLANTED}\n", f"\n{SERVICE_LINE}\n")
    ok(run(["git", "add", "--all"], service, env))
    ok(run(["git", "commit", "--quiet", "--no-verify", "-m", "Words"], service, env))
    return env, kit, service


def test_refuses_local_changes_and_unknown_tags(world, tmp_path):
    """Uncommitted changes and a tag the kit lacks are refused, saying what to do."""
    env, _, service = world
    clone = tmp_path / "gradebook"
    ok(run(["git", "clone", "--quiet", service, clone], tmp_path, env))
    unknown = run([BIN / "satchel", "upgrade", "--to", "v99.0.0"], clone, env)
    assert unknown.returncode == 1
    assert "tag 'v99.0.0' does not exist in https://" in unknown.stderr
    assert f"(latest releases: v{OLD}, v{NEW})" in unknown.stderr
    (clone / "README.md").write_text("mine\n")
    dirty = run([BIN / "satchel", "upgrade"], clone, env)
    assert dirty.returncode == 1
    assert "the service has uncommitted changes:\n   M README.md\n" in dirty.stderr
    assert "Traceback" not in dirty.stderr + unknown.stderr


def test_upgrade_lands_pins_together_and_the_service_stays_green(world, tmp_path):
    """Pins, lock and hooks move to the new release; only the planted conflict; all green."""
    env, kit, service = world
    upgraded = run([BIN / "satchel", "upgrade", "--to", f"v{NEW}"], service, env)
    assert upgraded.returncode == 1, upgraded.stdout + upgraded.stderr
    assert f"Upgraded from satchel v{OLD} to satchel v{NEW}." in upgraded.stdout
    # git merges three-way where it can: the planted conflict is an unmerged README.md.
    assert "1 conflict(s) to resolve by hand:\n  README.md\n" in upgraded.stdout
    assert "Next: " in upgraded.stdout
    config = json.loads((kit / "template" / "cookiecutter.json").read_text())
    new_sha = config["_satchel_sha256"]
    pipfile = (service / "Pipfile").read_text()
    assert f'satchel = {{version = "=={NEW}", index = "platform"}}' in pipfile
    lock = json.loads((service / "Pipfile.lock").read_text())
    for section in ("default", "develop"):
        assert lock[section]["satchel"]["version"] == f"=={NEW}"
        assert lock[section]["satchel"]["hashes"] == [f"sha256:{new_sha}"]
    assert f"rev: v{NEW}\n" in (service / ".pre-commit-config.yaml").read_text()
    assert (service / "Dockerfile").read_text().endswith("# Upgraded.\n")
    readme = (service / "README.md").read_text()
    conflict = (
        f"<<<<<<< ours\n{SERVICE_LINE}\n=======\n{TEMPLATE_LINE}\n>>>>>>> theirs\n"
    )
    assert conflict in readme and f"release **v{NEW}**" in readme
    # Resolve the planted conflict by keeping the service's line, then check everything.
    (service / "README.md").write_text(readme.replace(conflict, f"{SERVICE_LINE}\n"))
    ok(run(["git", "add", "--all"], service, env))
    ok(run(["git", "commit", "--quiet", "--no-verify", "-m", "Upgrade"], service, env))
    again = ok(run([BIN / "satchel", "upgrade", "--to", f"v{NEW}"], service, env))
    assert f"Already up to date with satchel v{NEW}: nothing to do." in again
    assert run(["git", "status", "--porcelain"], service, env).stdout == ""
    pipenv = dict(
        env,
        PIPENV_VENV_IN_PROJECT="1",
        PIPENV_NOSPIN="1",
        PIPENV_YES="1",
        PRE_COMMIT_HOME=str(tmp_path / "pre-commit"),
    )
    ok(run([BIN / "pipenv", "install", "--dev", "--deploy"], service, pipenv))
    tests = ok(
        run(
            [BIN / "pipenv", "run", "pytest", "-q", "-p", "no:cacheprovider"],
            service,
            pipenv,
        )
    )
    assert " passed" in tests and "failed" not in tests
    installed = ok(
        run([BIN / "pipenv", "run", "pip", "show", "satchel"], service, pipenv)
    )
    assert f"Version: {NEW}" in installed
    hooks = run([BIN / "pre-commit", "run", "--all-files"], service, pipenv)
    assert hooks.returncode == 0, hooks.stdout[-5000:]
    standards = run([BIN / "pipenv", "run", "satchel-standards", "."], service, pipenv)
    assert standards.returncode == 0, standards.stdout[-5000:]


@pytest.mark.parametrize(
    "args, code, message",
    [
        (
            ["--to", "1.2"],
            2,
            "'1.2' is not a release tag: give vX.Y.Z (e.g. v0.2.0) or HEAD.",
        ),
        (["--answer", "neighbours"], 2, "'neighbours' is not KEY=VALUE"),
        ([], 1, "has no .cruft.json: run `satchel upgrade` in a service stamped from"),
    ],
    ids=["not-a-tag", "answer-without-value", "not-a-service"],
)
def test_bad_invocations_are_refused(tmp_path, args, code, message):
    """A bad --to or --answer, or a folder that is no stamp, is refused without a traceback."""
    done = run([BIN / "satchel", "upgrade", *args], tmp_path, {})
    assert done.returncode == code
    assert message in " ".join(done.stderr.split())
    assert "Traceback" not in done.stderr
