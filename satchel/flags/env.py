"""Environment overrides for local work: ``<PREFIX>_FLAG_<KEY>=value`` forces a flag."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from satchel.flags.declarations import FlagRegistry
from satchel.flags.errors import FlagValueError
from satchel.flags.rules import parse_value


def variable_name(prefix: str, key: str) -> str:
    """Return the variable that overrides ``key``: ``STUDENTS_FLAG_NOTES_SEARCH``."""
    return f"{prefix}_FLAG_{key.upper().replace('-', '_')}"


def read_env_overrides(
    registry: FlagRegistry, prefix: str, environ: Mapping[str, str]
) -> dict[str, Any]:
    """Return the forced values set in ``environ``; refuse unknown names and bad values."""
    names = {variable_name(prefix, key): key for key in registry}
    forced: dict[str, Any] = {}
    for name, text in environ.items():
        if not name.startswith(f"{prefix}_FLAG_"):
            continue
        if name not in names:
            raise FlagValueError(
                f"Environment variable {name} does not name a declared flag; expected one of: "
                f"{', '.join(sorted(names)) or 'none'}."
            )
        key = names[name]
        try:
            forced[key] = parse_value(registry[key], text)
        except FlagValueError as error:
            raise FlagValueError(f"Environment variable {name}: {error}") from None
    return forced
