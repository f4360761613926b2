"""Shared helpers for tests that need the kit as a committed git repository."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

from satchel_kit.release import release
from satchel_kit.versions import Version

KIT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Satchel Tests",
    "GIT_AUTHOR_EMAIL": "tests@satchel.localhost",
    "GIT_COMMITTER_NAME": "Satchel Tests",
    "GIT_COMMITTER_EMAIL": "tests@satchel.localhost",
}


# The kit's git URL that stamps record (template/cookiecutter.json `_satchel_repository`). Tests
# have no network: git rewrites it to the latest snapshot (url.<path>.insteadOf, passed as
# GIT_CONFIG_* variables, which pre-commit and cruft both let through to git).
KIT_URL = json.loads((KIT / "template" / "cookiecutter.json").read_text())[
    "_satchel_repository"
]
_snapshot: dict[str, Path] = {}


def tool_env(**extra: str) -> dict[str, str]:
    """Return an environment whose PATH finds the kit's tools (cookiecutter, pre-commit...).

    Once a kit snapshot exists, its git URL leads to the snapshot and SATCHEL_INDEX_URL to its
    released wheel, as a platform's git server and package index would.
    """
    env = dict(os.environ, **GIT_IDENTITY)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    if "kit" in _snapshot:
        env.update(kit_at(_snapshot["kit"], _snapshot["index"]))
    env.update(extra)
    return env


def kit_at(kit: Path, index: Path) -> dict[str, str]:
    """Return the variables that make the kit's git URL lead to ``kit``, its index ``index``."""
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.{kit}.insteadOf",
        "GIT_CONFIG_VALUE_0": KIT_URL,
        "SATCHEL_INDEX_URL": index.as_uri(),
    }


def snapshot_kit(destination: Path) -> Path:
    """Copy the kit's working tree (tracked and unignored files) into a new one-commit repo.

    Bakes record the template's commit and pre-commit clones hooks at a commit, so tests need
    the work in progress committed somewhere; never in the developer's own checkout.
    """
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=KIT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    for name in filter(None, listed.split("\0")):
        source = KIT / name
        if source.is_file():
            target = destination / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    env = tool_env()
    for command in (
        ["git", "init", "--quiet", "--initial-branch=main"],
        ["git", "config", "user.name", GIT_IDENTITY["GIT_AUTHOR_NAME"]],
        ["git", "config", "user.email", GIT_IDENTITY["GIT_AUTHOR_EMAIL"]],
        ["git", "add", "--all"],
        [
            "git",
            "commit",
            "--quiet",
            "--no-verify",
            "-m",
            "Snapshot of the kit under test",
        ],
    ):
        subprocess.run(
            command, cwd=destination, check=True, env=env, capture_output=True
        )
    release_snapshot(destination)
    return destination


def release_snapshot(kit: Path) -> None:
    """Release the snapshot at the kit's current version, its wheel in ``kit/dist/index``.

    Stamps pin a release (its version, wheel hash and tag), so the snapshot is one, made by
    the real `satchel release`; the index directory is what SATCHEL_INDEX_URL serves.
    """
    version = Version.parse(
        re.search(
            r'__version__ = "(.*)"', (KIT / "satchel" / "__init__.py").read_text()
        ).group(1)
    )
    index = kit / "dist" / "index"
    release(kit, version, kit / "dist", index)
    _snapshot.update(kit=kit, index=index)
