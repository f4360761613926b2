"""`satchel release` on a clone of the kit: what it refuses, and what a release is."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from satchel import __version__ as LAST
from tests.kit import BIN, tool_env

ENTRY = "\n## {version}\n\n### Fixed\n- Something.\n\n### Upgrading\n- Nothing to do.\n"


def run(command: list, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, cwd=cwd, capture_output=True, text=True, env=tool_env(), timeout=300
    )


@pytest.fixture
def clone(kit_repo, tmp_path) -> Path:
    """A clone of the released kit snapshot, never the developer's checkout."""
    target = tmp_path / "kit"
    subprocess.run(
        ["git", "clone", "--quiet", str(kit_repo), str(target)],
        check=True,
        capture_output=True,
    )
    return target


def add_entry(clone: Path, version: str, text: str = ENTRY) -> None:
    changelog = clone / "CHANGELOG.md"
    changelog.write_text(changelog.read_text() + text.format(version=version))
    run(
        ["git", "commit", "--quiet", "-am", f"Changelog {version}"], clone
    ).check_returncode()


def release(clone: Path, *args: str) -> subprocess.CompletedProcess:
    return run([BIN / "satchel", "release", *args], clone)


@pytest.mark.parametrize(
    "prepare, version, message",
    [
        (None, "1.2", "'1.2' is not a semantic version: give X.Y.Z, e.g. 0.2.0."),
        (None, LAST, f"version {LAST} is not above the last release v{LAST}"),
        (None, "0.0.9", f"version 0.0.9 is not above the last release v{LAST}"),
        (
            None,
            "7.0.0",
            "CHANGELOG.md has no entry for 7.0.0: add a section '## 7.0.0'",
        ),
        (
            "no-upgrading",
            "7.0.0",
            "CHANGELOG.md: the entry for 7.0.0 has no '### Upgrading' part",
        ),
        ("dirty", "7.0.0", "the working tree has uncommitted changes:\n   M README.md"),
    ],
    ids=[
        "not-semver",
        "same-as-last",
        "below-last",
        "no-entry",
        "no-upgrading",
        "dirty",
    ],
)
def test_refusals_say_why_and_change_nothing(clone, prepare, version, message):
    """A bad release is refused with what was wrong and how to fix it; no tag, no commit."""
    if prepare == "no-upgrading":
        add_entry(clone, version, "\n## {version}\n\n### Fixed\n- Something.\n")
    if prepare == "dirty":
        add_entry(clone, version)
        (clone / "README.md").write_text("edited\n")
    head = run(["git", "rev-parse", "HEAD"], clone).stdout
    refused = release(clone, version)
    assert refused.returncode != 0
    assert message in refused.stderr
    assert "Traceback" not in refused.stderr
    assert run(["git", "tag"], clone).stdout.split() == [f"v{LAST}"]
    assert run(["git", "rev-parse", "HEAD"], clone).stdout == head


def test_release_commits_tags_builds_and_publishes(clone, tmp_path):
    """The version lands in the library and the template, the tag is cut, the wheel served."""
    add_entry(clone, "7.1.0")
    index = tmp_path / "index"
    done = release(clone, "7.1.0", "--publish", str(index))
    assert done.returncode == 0, done.stderr
    assert run(["git", "tag"], clone).stdout.split() == [f"v{LAST}", "v7.1.0"]
    assert run(["git", "status", "--porcelain"], clone).stdout == ""
    assert run(["git", "log", "-1", "--format=%s", "v7.1.0"], clone).stdout == (
        "Release 7.1.0\n"
    )
    assert '__version__ = "7.1.0"' in (clone / "satchel" / "__init__.py").read_text()
    config = json.loads((clone / "template" / "cookiecutter.json").read_text())
    [wheel] = (clone / "dist").glob("satchel-*.whl")
    assert wheel.name == "satchel-7.1.0-py3-none-any.whl"
    digest = re.search(r"sha256:([0-9a-f]{64})", done.stdout).group(1)
    assert config["_satchel_version"] == "7.1.0"
    assert config["_satchel_sha256"] == digest
    # pip itself finds the release in the published PEP 503 directory, hash checked.
    requirement = tmp_path / "requirements.txt"
    requirement.write_text(f"satchel==7.1.0 --hash=sha256:{digest}\n")
    fetched = run(
        [BIN / "python", "-m", "pip", "--isolated", "download", "--quiet", "--no-deps"]
        + ["--index-url", index.as_uri(), "-d", str(tmp_path / "got")]
        + ["--require-hashes", "-r", str(requirement)],
        clone,
    )
    assert fetched.returncode == 0, fetched.stderr
    assert (index / "satchel" / wheel.name).read_bytes() == wheel.read_bytes()
    assert (
        f"{wheel.name}#sha256={digest}"
        in (index / "satchel" / "index.html").read_text()
    )
    # A second release is refused below it.
    assert "is not above the last release v7.1.0" in release(clone, "7.0.5").stderr
