"""Immutable snapshots of all flag rules, and the persisted last known good copy."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import structlog

from satchel.flags.declarations import FlagRegistry
from satchel.flags.errors import FlagValueError, StoreDataError
from satchel.flags.rules import UNSET, CompiledFlag, Rule, parse_rule


def log() -> structlog.typing.FilteringBoundLogger:
    """Return the component's logger, looked up per call so test log capture always sees it."""
    return structlog.get_logger("satchel.flags")


@dataclass(frozen=True)
class Snapshot:
    """Every declared flag's rule at one store version; swapped whole, never mutated."""

    version: str
    source: str
    loaded_at: datetime
    rules: Mapping[str, Rule] = field(default_factory=dict)

    def to_json(self) -> str:
        """Return the snapshot as the JSON persisted for cold starts."""
        return json.dumps(
            {
                "version": self.version,
                "source": self.source,
                "loaded_at": self.loaded_at.isoformat(),
                "rules": {key: rule.to_dict() for key, rule in self.rules.items()},
            },
            indent=2,
            sort_keys=True,
        )


def parse_snapshot(
    registry: FlagRegistry, raw: Any, *, version: str, source: str
) -> Snapshot:
    """Validate raw store data (flag key -> rule mapping) into a Snapshot.

    A rule that does not fit its flag rejects the whole snapshot (StoreDataError), so a typo
    can never flip a flag. A rule for an undeclared flag is logged and skipped: during a
    rolling deploy older processes legitimately see flags that only newer code declares.
    """
    if raw is None:
        raw = {}
    if not isinstance(raw, Mapping):
        raise StoreDataError(
            f"{source}: expected a mapping of flag key to rule, got {type(raw).__name__}."
        )
    rules: dict[str, Rule] = {}
    for key, data in raw.items():
        if key not in registry:
            log().warning("flags.store.undeclared_flag", flag=key, source=source)
            continue
        try:
            rules[key] = parse_rule(registry[key], data, source)
        except FlagValueError as error:
            raise StoreDataError(str(error)) from None
    return Snapshot(version, source, datetime.now(timezone.utc), rules)


def compile_flags(
    registry: FlagRegistry,
    snapshot: Snapshot,
    forced: Mapping[str, Any],
    forced_by_tenant: Mapping[str, Mapping[str, Any]],
) -> dict[str, CompiledFlag]:
    """Return every declared flag compiled against the snapshot and the forced values."""
    return {
        key: CompiledFlag(
            flag,
            snapshot.rules.get(key, Rule()),
            forced.get(key, UNSET),
            forced_by_tenant.get(key, {}),
        )
        for key, flag in registry.items()
    }


def save_last_good(path: Path, snapshot: Snapshot) -> None:
    """Persist the snapshot atomically, so a cold start during an outage can serve it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    with os.fdopen(handle, "w") as stream:
        stream.write(snapshot.to_json())
    os.replace(temporary, path)


def load_last_good(path: Path, registry: FlagRegistry) -> Snapshot | None:
    """Return the persisted snapshot, or None (logged) when it is missing or unreadable."""
    try:
        data = json.loads(path.read_text())
        snapshot = parse_snapshot(
            registry, data["rules"], version=data["version"], source=data["source"]
        )
        loaded_at = datetime.fromisoformat(data["loaded_at"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, StoreDataError) as error:
        log().error("flags.last_good.unreadable", path=str(path), error=str(error))
        return None
    return Snapshot(snapshot.version, snapshot.source, loaded_at, snapshot.rules)
