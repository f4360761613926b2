"""Read and validate a fleet file: the services to report on, and the policy they must meet.

```yaml
kit: ../satchel                  # optional: the kit repository releases are read from
                                 # (default: each service's .cruft.json template)
cache: .fleet-cache              # optional: where git URLs are cloned
services:
  - examples/students            # a local path, relative to this file
  - git: https://git.example.org/team/attendance.git
    name: attendance             # optional: defaults to the folder or repository name
    ref: main                    # optional: branch or tag to report on
policy:
  max_releases_behind: 2
  max_standards_failures: 0
```
"""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from satchel_kit.fleet.errors import FleetError
from satchel_kit.fleet.lined_yaml import LinedDict, LinedList, load

TOP_KEYS = ("kit", "cache", "services", "policy")
SERVICE_KEYS = ("path", "git", "name", "ref")
# policy key -> what it limits, as a breach line says it.
POLICY_KEYS = {
    "max_releases_behind": "template releases behind",
    "max_template_age_days": "days since its template commit",
    "max_satchel_releases_behind": "satchel releases behind",
    "max_drifted_files": "files drifted from the template",
    "max_standards_failures": "standards rules failing",
    "max_expired_flags": "release flags past expiry",
}
_URL_PREFIXES = ("https://", "http://", "ssh://", "git@", "git://", "file://")


@dataclass(frozen=True)
class ServiceEntry:
    """One service of the fleet: a local folder, or a git URL to clone (and a ref)."""

    name: str
    where: str
    is_git: bool
    line: int
    ref: str | None = None


@dataclass(frozen=True)
class Fleet:
    """A validated fleet file."""

    path: Path
    services: tuple[ServiceEntry, ...]
    policy: dict[str, int] = field(default_factory=dict)
    kit: str | None = None
    cache: Path | None = None


def is_url(where: str) -> bool:
    """Tell a git URL from a local path."""
    return where.startswith(_URL_PREFIXES)


def load_fleet(path: Path) -> Fleet:
    """Return the fleet file at ``path``; every problem found is in one FleetError."""
    data = load(path)
    if not isinstance(data, LinedDict):
        raise FleetError(
            f"{path}:1: a fleet file is a mapping with 'services:' (a list) and optionally"
            f" {', '.join(repr(k) for k in TOP_KEYS if k != 'services')}"
        )
    problems = _unknown_keys(path, data, TOP_KEYS, "the fleet file")
    services = data.get("services")
    if not isinstance(services, LinedList) or not services:
        problems.append(
            f"{path}:{data.line_of('services')}: 'services' must be a non-empty list of"
            " paths or git URLs"
        )
        services = []
    entries = []
    for index, item in enumerate(services):
        entry = _service(path, data, index, item, problems)
        if entry is not None:
            entries.append(entry)
    names = [e.name for e in entries]
    problems += [
        f"{path}:{e.line}: service name {e.name!r} is used twice; give one a 'name:'"
        for i, e in enumerate(entries)
        if e.name in names[:i]
    ]
    policy = _policy(path, data, problems)
    base = path.parent
    kit = data.get("kit")
    if kit is not None and not isinstance(kit, str):
        problems.append(
            f"{path}:{data.line_of('kit')}: 'kit' must be a path or git URL"
        )
    elif isinstance(kit, str) and not is_url(kit):
        kit = os.path.abspath(base / kit)
    cache = data.get("cache")
    if cache is not None and not isinstance(cache, str):
        problems.append(
            f"{path}:{data.line_of('cache')}: 'cache' must be a folder path"
        )
    if problems:
        raise FleetError("\n".join(problems))
    return Fleet(
        path,
        tuple(entries),
        policy,
        kit,
        Path(os.path.abspath(base / cache)) if cache else None,
    )


def _unknown_keys(
    path: Path, mapping: LinedDict, allowed: tuple[str, ...], what: str
) -> list[str]:
    problems = []
    for key in mapping:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(
                f"{path}:{mapping.line_of(str(key))}: unknown key {key!r} in {what}{hint};"
                f" expected one of {', '.join(allowed)}"
            )
    return problems


def _service(
    path: Path, data: LinedDict, index: int, item: Any, problems: list[str]
) -> ServiceEntry | None:
    line = data["services"].item_lines[index]
    if isinstance(item, str) and item.strip():
        item = {("git" if is_url(item) else "path"): item}
    elif isinstance(item, LinedDict):
        line = item.line
        problems += _unknown_keys(path, item, SERVICE_KEYS, f"service #{index + 1}")
    else:
        problems.append(
            f"{path}:{line}: service #{index + 1} must be a path, a git URL or a mapping"
            " with 'path:' or 'git:'"
        )
        return None
    given = [key for key in ("path", "git") if item.get(key)]
    if len(given) != 1 or not all(isinstance(item[k], str) for k in given):
        problems.append(
            f"{path}:{line}: service #{index + 1} needs exactly one of 'path:' (a folder)"
            " or 'git:' (a repository URL), as text"
        )
        return None
    where = item[given[0]]
    is_git = given[0] == "git"
    if not is_git:
        where = os.path.abspath(path.parent / os.path.expanduser(where))
    default = Path(where.rstrip("/")).name.removesuffix(".git")
    name = item.get("name") or default
    ref = item.get("ref")
    if not isinstance(name, str) or (ref is not None and not isinstance(ref, str)):
        problems.append(f"{path}:{line}: 'name' and 'ref' must be text")
        return None
    if ref is not None and not is_git:
        problems.append(
            f"{path}:{line}: 'ref' applies to a 'git:' service only; check out the"
            f" branch in {where} instead"
        )
    return ServiceEntry(name, where, is_git, line, ref)


def _policy(path: Path, data: LinedDict, problems: list[str]) -> dict[str, int]:
    policy = data.get("policy")
    if policy is None:
        return {}
    if not isinstance(policy, LinedDict):
        problems.append(
            f"{path}:{data.line_of('policy')}: 'policy' must be a mapping of limits, e.g."
            " 'max_releases_behind: 2'"
        )
        return {}
    problems += _unknown_keys(path, policy, tuple(POLICY_KEYS), "policy")
    limits = {}
    for key, value in policy.items():
        if key not in POLICY_KEYS:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            problems.append(
                f"{path}:{policy.line_of(key)}: policy {key} must be a whole number >= 0,"
                f" not {value!r}"
            )
            continue
        limits[key] = value
    return limits
