"""Feature flags: declared in code, evaluated locally per tenant, changed with an audit trail.

See ``satchel/flags/README.md`` for adding, rolling out and removing a flag. Names are
imported on first use (PEP 562) because the pytest plugin in this package is loaded by every
test run and must not pull in Flask, Redis and OpenFeature just to register a fixture.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

_EXPORTS = {
    "ChangeRecord": "satchel.flags.store",
    "Flag": "satchel.flags.declarations",
    "FlagDeclarationError": "satchel.flags.errors",
    "FlagEngine": "satchel.flags.engine",
    "FlagError": "satchel.flags.errors",
    "FlagFinding": "satchel.flags.hygiene",
    "FlagKind": "satchel.flags.declarations",
    "FlagRegistry": "satchel.flags.declarations",
    "FlagStoreError": "satchel.flags.errors",
    "FlagValueError": "satchel.flags.errors",
    "SatchelProvider": "satchel.flags.openfeature",
    "StoreDataError": "satchel.flags.errors",
    "StoreUnavailableError": "satchel.flags.errors",
    "UndeclaredFlagError": "satchel.flags.errors",
    "cli": "satchel.flags.commands",
    "current_engine": "satchel.flags.evaluation",
    "declare_flags": "satchel.flags.declarations",
    "find_flag_problems": "satchel.flags.hygiene",
    "flag_required": "satchel.flags.evaluation",
    "health_check": "satchel.flags.evaluation",
    "init_app": "satchel.flags.extension",
    "is_enabled": "satchel.flags.evaluation",
    "value": "satchel.flags.evaluation",
}

__all__ = [
    "ChangeRecord",
    "Flag",
    "FlagDeclarationError",
    "FlagEngine",
    "FlagError",
    "FlagFinding",
    "FlagKind",
    "FlagRegistry",
    "FlagStoreError",
    "FlagValueError",
    "SatchelProvider",
    "StoreDataError",
    "StoreUnavailableError",
    "UndeclaredFlagError",
    "cli",
    "current_engine",
    "declare_flags",
    "find_flag_problems",
    "flag_required",
    "health_check",
    "init_app",
    "is_enabled",
    "value",
]


def __getattr__(name: str) -> Any:
    """Import an exported name from its module on first access."""
    if name not in _EXPORTS:
        raise AttributeError(f"module 'satchel.flags' has no attribute {name!r}")
    exported = getattr(importlib.import_module(_EXPORTS[name]), name)
    globals()[name] = exported  # later lookups skip __getattr__
    return exported


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


if TYPE_CHECKING:  # static analysers and IDEs see ordinary imports
    from satchel.flags.commands import cli
    from satchel.flags.declarations import Flag, FlagKind, FlagRegistry, declare_flags
    from satchel.flags.engine import FlagEngine
    from satchel.flags.errors import (
        FlagDeclarationError,
        FlagError,
        FlagStoreError,
        FlagValueError,
        StoreDataError,
        StoreUnavailableError,
        UndeclaredFlagError,
    )
    from satchel.flags.evaluation import (
        current_engine,
        flag_required,
        health_check,
        is_enabled,
        value,
    )
    from satchel.flags.extension import init_app
    from satchel.flags.hygiene import FlagFinding, find_flag_problems
    from satchel.flags.openfeature import SatchelProvider
    from satchel.flags.store import ChangeRecord
