"""Hook ``satchel-pipfile-lock``: Pipfile.lock was locked from the Pipfile as it is now.

Rule SAT-DEP-001, standard: standards/dependencies.md. ``pipenv install --deploy`` refuses a
stale lock at image build time; this hook refuses it at commit time. The hash is computed as
pipenv computes ``_meta.hash.sha256`` (pipenv.utils.pipfile.Pipfile.calculate_hash, which
mirrors plette's Pipfile.get_hash but canonicalises package names); locks written by older
pipenv releases, which hashed names as written, are accepted too.
"""

from __future__ import annotations

import hashlib
import json
import re
import tomllib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from hooks import cli
from hooks.findings import Finding
from hooks.sources import UNREADABLE, BadInput, read_text

PIPFILE_SECTIONS = {
    "source",
    "packages",
    "dev-packages",
    "requires",
    "scripts",
    "pipfile",
}
DEFAULT_SOURCE = [
    {"name": "pypi", "url": "https://pypi.org/simple", "verify_ssl": True}
]
RELOCK = "run `pipenv lock` and commit Pipfile and Pipfile.lock together"


def _canonical(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pipfile_hash(
    pipfile: dict[str, Any], normalise: Callable[[str], str] = _canonical
) -> str:
    """Return the sha256 pipenv writes to Pipfile.lock's ``_meta.hash`` for this Pipfile."""

    def section(values: dict[str, Any]) -> dict[str, Any]:
        return {normalise(name): spec for name, spec in values.items()}

    data: dict[str, Any] = {
        "_meta": {
            "sources": pipfile.get("source", DEFAULT_SOURCE),
            "requires": pipfile.get("requires", {}),
        },
        "default": section(pipfile.get("packages", {})),
        "develop": section(pipfile.get("dev-packages", {})),
    }
    for category, values in pipfile.items():
        if category not in PIPFILE_SECTIONS | {"default", "develop", "pipenv"}:
            data[category] = section(values)
    content = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(content.encode("utf-8")).hexdigest()


def _load_toml(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(read_text(path))
    except tomllib.TOMLDecodeError as exc:
        line = int(m.group(1)) if (m := re.search(r"line (\d+)", str(exc))) else 1
        raise BadInput(
            Finding(
                str(path),
                line,
                UNREADABLE,
                f"is not valid TOML: {exc}",
                "correct the TOML",
            )
        ) from None


def _locked_hash(lock: Path) -> str | None:
    try:
        data = json.loads(read_text(lock))
    except json.JSONDecodeError as exc:
        raise BadInput(
            Finding(
                str(lock),
                exc.lineno,
                UNREADABLE,
                f"is not valid JSON: {exc.msg}",
                RELOCK,
            )
        ) from None
    meta = data.get("_meta") if isinstance(data, dict) else None
    digest = meta.get("hash", {}) if isinstance(meta, dict) else None
    return digest.get("sha256") if isinstance(digest, dict) else None


def check_lock(pipfile: Path) -> list[Finding]:
    """Return a finding if the Pipfile beside ``pipfile`` has no lock or a stale one."""
    lock = pipfile.with_name("Pipfile.lock")
    if not lock.is_file():
        return [
            Finding(
                str(pipfile), 1, "SAT-DEP-001", "Pipfile has no Pipfile.lock", RELOCK
            )
        ]
    data = _load_toml(pipfile)
    locked = _locked_hash(lock)
    if locked is None:
        return [
            Finding(
                str(lock), 1, "SAT-DEP-001", "Pipfile.lock has no _meta.hash", RELOCK
            )
        ]
    if locked in (pipfile_hash(data), pipfile_hash(data, normalise=str)):
        return []
    return [
        Finding(
            str(lock),
            1,
            "SAT-DEP-001",
            f"Pipfile.lock is out of date with {pipfile} (locked hash {locked[:12]}..., "
            f"Pipfile hashes to {pipfile_hash(data)[:12]}...)",
            RELOCK,
        )
    ]


def collect(argv: Sequence[str] | None = None) -> list[Finding]:
    """Check the Pipfiles (or locks) named on the command line."""
    parser = cli.file_parser(
        "Check Pipfile.lock is in sync (standards/dependencies.md)."
    )
    args = parser.parse_args(argv)
    pipfiles = {
        path.with_name("Pipfile") for path in cli.existing_paths(args.filenames)
    }
    return cli.check_each(sorted(cli.existing_paths(map(str, pipfiles))), check_lock)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the hook: exit 0 clean, 1 with findings, 2 on a usage error."""
    return cli.run(collect, argv)


if __name__ == "__main__":
    raise SystemExit(main())
