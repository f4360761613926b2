"""Bring each service of a fleet file to a local folder: as it is, or cloned into the cache.

A git URL is cloned once into ``<cache>/<name>-<hash of the URL>`` and fetched on later runs,
so a report of thirty services does not re-download them. Every problem is bad input: a
missing folder, a repository that cannot be cloned, a folder that is not a Satchel stamp.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

from satchel_kit.fleet.errors import FleetError
from satchel_kit.fleet.fleet_file import Fleet, ServiceEntry

STAMP_FIX = (
    "stamp services with `cookiecutter <satchel> --directory template` (or link an existing"
    " one with `cruft link`), or remove it from the fleet file"
)


@dataclass(frozen=True)
class Checkout:
    """A service ready to inspect: its entry, its folder and its .cruft.json record."""

    entry: ServiceEntry
    root: Path
    cruft: dict


def default_cache() -> Path:
    """Return where git services are cloned unless the fleet file or --cache says."""
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "satchel" / "fleet"


def check_out(fleet: Fleet, cache: Path | None = None) -> list[Checkout]:
    """Return every service of the fleet as a local folder; all problems in one FleetError."""
    cache = cache or fleet.cache or default_cache()
    checkouts, problems = [], []
    for entry in fleet.services:
        where = f"{fleet.path}:{entry.line}: service {entry.name!r}"
        try:
            root = _clone(entry, cache) if entry.is_git else _folder(entry)
            checkouts.append(Checkout(entry, root, read_stamp(root)))
        except FleetError as exc:
            problems.append(f"{where}: {exc}")
    if problems:
        raise FleetError("\n".join(problems))
    return checkouts


def read_stamp(root: Path) -> dict:
    """Return a service's .cruft.json if it records a Satchel template; else FleetError."""
    record = root / ".cruft.json"
    if not record.is_file():
        raise FleetError(f"{root} is not a Satchel stamp (no .cruft.json); {STAMP_FIX}")
    try:
        cruft = json.loads(record.read_text())
    except json.JSONDecodeError as exc:
        raise FleetError(
            f"{record}:{exc.lineno}: not valid JSON ({exc.msg}); restore it from git"
        ) from exc
    context = (
        cruft.get("context", {}).get("cookiecutter", {})
        if isinstance(cruft, dict)
        else {}
    )
    if not (
        cruft.get("commit") and cruft.get("template") and context.get("package_name")
    ):
        raise FleetError(
            f"{root} is not a Satchel stamp ({record} has no template, commit or"
            f" package_name); {STAMP_FIX}"
        )
    return cruft


def _folder(entry: ServiceEntry) -> Path:
    root = Path(entry.where)
    if not root.is_dir():
        raise FleetError(
            f"no folder at {root}; correct the path (relative to the fleet file) or clone"
            " the service there"
        )
    return root


def _clone(entry: ServiceEntry, cache: Path) -> Path:
    digest = hashlib.sha256(entry.where.encode()).hexdigest()[:10]
    root = cache / f"{entry.name}-{digest}"
    if (root / ".git").is_dir():
        _git(["fetch", "--quiet", "--tags", "origin"], root, entry)
        target = entry.ref and f"origin/{entry.ref}"
        if target and _git(["rev-parse", "--verify", "--quiet", target], root, None):
            _git(["checkout", "--quiet", "--detach", target], root, entry)
        else:
            _git(
                ["checkout", "--quiet", "--detach", entry.ref or "origin/HEAD"],
                root,
                entry,
            )
        return root
    cache.mkdir(parents=True, exist_ok=True)
    _git(["clone", "--quiet", entry.where, str(root)], cache, entry)
    if entry.ref:
        _git(["checkout", "--quiet", "--detach", entry.ref], root, entry)
    return root


def _git(args: list[str], cwd: Path, entry: ServiceEntry | None) -> bool:
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=600,
        # A repository asking for a password fails instead of waiting for one.
        env=dict(os.environ, GIT_TERMINAL_PROMPT="0"),
    )
    if done.returncode != 0 and entry is not None:
        reason = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise FleetError(
            f"cannot {args[0]} {entry.where} ({reason}); check the URL, the ref and your"
            " access to the repository"
        )
    return done.returncode == 0
