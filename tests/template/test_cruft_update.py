"""A stamp with neighbours takes template changes through `cruft diff` and `cruft update`.

cruft re-renders the template in a temporary folder; the generation hooks must not look for
the neighbours' specs (given relative to where the bake ran) there.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.kit import BIN, tool_env

SPECS = Path(__file__).resolve().parent.parent / "resources" / "template" / "neighbours"
ADDED = "A line the template gained after the service was stamped."
PLATFORM = Path(
    "template", "{{cookiecutter.service_slug}}", "migrations", "platform.yaml"
)
DECLARATION = Path(__file__).resolve().parents[2] / PLATFORM


def run(command: list, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(part) for part in command],
        cwd=cwd,
        capture_output=True,
        text=True,
        env=tool_env(SATCHEL_SKIP_HOOK_INSTALL="1"),
    )


@pytest.fixture(scope="module")
def stamped(kit_repo, tmp_path_factory):
    """Return (kit clone, service) for a service baked with a relative neighbour spec."""
    root = tmp_path_factory.mktemp("cruft")
    kit = root / "kit"
    assert run(["git", "clone", "--quiet", kit_repo, kit], root).returncode == 0
    # A template from before platform migrations: the update below brings the declaration.
    (kit / PLATFORM).unlink()
    for command in (
        ["git", "add", "--all"],
        ["git", "commit", "-qm", "No platform.yaml"],
    ):
        assert run(command, kit).returncode == 0
    # The neighbour's spec sits beside the output, named relative to it, as a team types it.
    shutil.copytree(SPECS / "rooms", root / "rooms-service" / "spec")
    baked = run(
        [BIN / "cookiecutter", kit, "--directory", "template", "--no-input"]
        + ["--output-dir", root, "service_name=Gradebook"]
        + ["neighbours=rooms=rooms-service/spec/openapi.yaml"],
        root,
    )
    assert baked.returncode == 0, baked.stderr
    return kit, root / "gradebook"


def test_cruft_diff_runs_and_finds_no_drift(stamped):
    """A fresh stamp with a neighbour diffs clean against its own template commit."""
    _, service = stamped
    assert (service / "mocks" / "rooms" / "openapi.yaml").is_file()
    diff = run([BIN / "cruft", "diff", "--exit-code"], service)
    assert (diff.returncode, diff.stdout, diff.stderr) == (0, "", "")


def test_cruft_update_brings_a_template_change(stamped):
    """A later template commit arrives (platform.yaml too); the vendored neighbour stays."""
    kit, service = stamped
    mocks_before = (service / "mocks.yaml").read_text()
    readme = kit / "template" / "{{cookiecutter.service_slug}}" / "README.md"
    readme.write_text(readme.read_text() + f"\n{ADDED}\n")
    shutil.copy(DECLARATION, kit / PLATFORM)
    for command in (["git", "add", "--all"], ["git", "commit", "-qm", "README line"]):
        assert run(command, kit).returncode == 0
    update = run([BIN / "cruft", "update", "--skip-apply-ask"], service)
    assert update.returncode == 0, update.stdout + update.stderr
    assert ADDED in (service / "README.md").read_text()
    head = run(["git", "rev-parse", "HEAD"], kit).stdout.strip()
    assert json.loads((service / ".cruft.json").read_text())["commit"] == head
    assert (service / "mocks.yaml").read_text() == mocks_before
    assert (service / "gradebook" / "clients" / "rooms.py").is_file()
    # A schema change the platform needs arrives as the declaration, not a migration edit.
    platform = service / "migrations" / "platform.yaml"
    assert platform.read_text() == DECLARATION.read_text()
