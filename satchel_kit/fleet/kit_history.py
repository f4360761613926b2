"""What the kit's git history says: its releases (``v*`` tags), and where a commit stands.

The template and satchel are released together from the kit repository, so one list of tags
answers both "which template release is this stamp on" and "how old is its satchel pin".
A commit the kit does not know (a stamp from a fork, a shallow clone) is reported as such.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from satchel_kit.fleet.errors import FleetError
from satchel_kit.fleet.fleet_file import is_url

RELEASE_PATTERN = "v[0-9]*"
_DESCRIBED = re.compile(r"^(?P<tag>.+)-(?P<ahead>\d+)-g[0-9a-f]+$")


@dataclass(frozen=True)
class Position:
    """Where a commit stands among the releases."""

    commit: str
    release: str | None  # the newest release at or before the commit
    ahead: int  # commits after that release (0: the commit is the release)
    behind: int  # releases made since (not contained in the commit)
    committed: date

    @property
    def label(self) -> str:
        """``v0.2.0``, ``v0.2.0+3 (abc1234)`` or ``unreleased (abc1234)``."""
        if self.release is None:
            return f"unreleased ({self.commit[:7]})"
        if self.ahead == 0:
            return self.release
        return f"{self.release}+{self.ahead} ({self.commit[:7]})"


class KitHistory:
    """Queries on one local clone of the kit repository."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def releases(self) -> list[str]:
        """Return the release tags, newest version first."""
        listed = self._git("tag", "--list", RELEASE_PATTERN, "--sort=-v:refname")
        return listed.split() if listed is not None else []

    def latest(self) -> str | None:
        """Return the newest release tag, if any."""
        return next(iter(self.releases()), None)

    def position(self, revision: str) -> Position | None:
        """Return where a commit (or tag) stands, or None if the kit does not know it."""
        commit = self._git("rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
        if not commit:
            return None
        described = self._git(
            "describe", "--tags", "--long", "--match", RELEASE_PATTERN, commit
        )
        release, ahead = None, 0
        if described and (match := _DESCRIBED.match(described)):
            release, ahead = match["tag"], int(match["ahead"])
        newer = self._git("tag", "--list", RELEASE_PATTERN, "--no-merged", commit)
        stamp = self._git("show", "-s", "--format=%cI", commit)
        return Position(
            commit,
            release,
            ahead,
            len(newer.split()) if newer else 0,
            datetime.fromisoformat(stamp).date(),
        )

    def releases_after(self, version: str) -> int | None:
        """Return how many releases are newer than ``version`` (``0.2.0`` or ``v0.2.0``)."""
        wanted = _version_key(version)
        if wanted is None:
            return None
        keys = [_version_key(tag) for tag in self.releases()]
        return sum(1 for key in keys if key is not None and key > wanted)

    def _git(self, *args: str) -> str | None:
        done = subprocess.run(
            ["git", "-C", str(self.root), *args], capture_output=True, text=True
        )
        return done.stdout.strip() if done.returncode == 0 else None


def open_kit(source: str, base: Path, cache: Path) -> KitHistory:
    """Return the kit at a local path (relative to ``base``) or git URL (cloned into cache)."""
    if not is_url(source):
        root = Path(os.path.normpath(base / os.path.expanduser(source)))
        if not (root / ".git").exists():
            raise FleetError(
                f"the kit repository {root} is not a git checkout; point 'kit:' in the"
                " fleet file (or the service's .cruft.json template) at the satchel kit"
            )
        return KitHistory(root)
    root = cache / "kits" / hashlib.sha256(source.encode()).hexdigest()[:12]
    env = dict(os.environ, GIT_TERMINAL_PROMPT="0")
    if (root / ".git").is_dir():
        command = ["git", "-C", str(root), "fetch", "--quiet", "--tags", "origin"]
    else:
        root.parent.mkdir(parents=True, exist_ok=True)
        command = ["git", "clone", "--quiet", "--no-checkout", source, str(root)]
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise FleetError(f"cannot fetch the kit repository {source} ({reason})")
    return KitHistory(root)


def _version_key(version: str) -> tuple[int, ...] | None:
    match = re.fullmatch(r"v?(\d+(?:\.\d+)*)", version.strip().lstrip("=~<>! "))
    return tuple(int(part) for part in match[1].split(".")) if match else None
