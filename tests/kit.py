"""Shared helpers for tests that need the kit as a committed git repository."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

KIT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Satchel Tests",
    "GIT_AUTHOR_EMAIL": "tests@satchel.localhost",
    "GIT_COMMITTER_NAME": "Satchel Tests",
    "GIT_COMMITTER_EMAIL": "tests@satchel.localhost",
}


def tool_env(**extra: str) -> dict[str, str]:
    """Return an environment whose PATH finds the kit's tools (cookiecutter, pre-commit...)."""
    env = dict(os.environ, **GIT_IDENTITY, **extra)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


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
        ["git", "add", "--all"],
        [
            "git",
            "commit",
            "--quiet",
            "--no-verify",
            "-m",
            "Snapshot of the kit under test",
        ],
        ["git", "tag", "v0.1.0"],
    ):
        subprocess.run(
            command, cwd=destination, check=True, env=env, capture_output=True
        )
    return destination
