"""Flags declared in code: each service lists its flags once, in ``<package>/flags.py``."""

from __future__ import annotations

import enum
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from satchel.flags.errors import FlagDeclarationError, UndeclaredFlagError

KEY_PATTERN = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
FLAG_TYPES: dict[type, str] = {
    bool: "boolean",
    str: "string",
    int: "number",
    float: "number",
}


class FlagKind(enum.Enum):
    """Why a flag exists; decides whether it must expire (release flags do)."""

    RELEASE = "release"
    OPS = "ops"
    KILL_SWITCH = "kill-switch"
    PERMISSION = "permission"


def is_of_type(value: Any, flag_type: type) -> bool:
    """Return whether ``value`` fits ``flag_type`` (bool is not a number; an int is a float)."""
    if flag_type is float:
        return type(value) in (int, float)
    return type(value) is flag_type


@dataclass(frozen=True)
class Flag:
    """One declared flag: its key, type, safe default, owner, kind and (for releases) expiry."""

    key: str
    type: type
    default: Any
    owner: str
    kind: FlagKind
    expires: date | str | None = None
    description: str = ""

    def __post_init__(self) -> None:
        where = f"Flag({self.key!r})"
        if not isinstance(self.key, str) or not KEY_PATTERN.match(self.key):
            raise FlagDeclarationError(
                f"{where}: key must be lowercase words joined by dashes, like 'notes-search'."
            )
        if self.type not in FLAG_TYPES:
            raise FlagDeclarationError(
                f"{where}: type {self.type!r} is not supported; use bool, str, int or float."
            )
        if not is_of_type(self.default, self.type):
            raise FlagDeclarationError(
                f"{where}: default {self.default!r} is a {type(self.default).__name__}, "
                f"expected {self.type.__name__}; make the default match the declared type."
            )
        if not isinstance(self.owner, str) or not self.owner.strip():
            raise FlagDeclarationError(
                f"{where}: owner is empty; name the team that will remove or keep this flag."
            )
        if not isinstance(self.kind, FlagKind):
            raise FlagDeclarationError(
                f"{where}: kind {self.kind!r} is not a FlagKind; "
                "use FlagKind.RELEASE, OPS, KILL_SWITCH or PERMISSION."
            )
        object.__setattr__(self, "expires", _parse_expiry(where, self.expires))
        if self.kind is FlagKind.RELEASE and self.expires is None:
            raise FlagDeclarationError(
                f"{where}: release flags must expire; add expires='YYYY-MM-DD' "
                "(the date by which the flag is removed from code)."
            )

    @property
    def off_value(self) -> Any:
        """Return the value served when the flag is off, killed or excluded for a tenant."""
        return False if self.type is bool else self.default


def _parse_expiry(where: str, expires: date | str | None) -> date | None:
    if expires is None or isinstance(expires, date):
        return expires
    try:
        return date.fromisoformat(expires)
    except (TypeError, ValueError):
        raise FlagDeclarationError(
            f"{where}: expires {expires!r} is not a date; write it as 'YYYY-MM-DD'."
        ) from None


class FlagRegistry(Mapping[str, Flag]):
    """The declared flags of one service, keyed by flag key; immutable once built."""

    def __init__(self, flags: tuple[Flag, ...]) -> None:
        self._flags = {flag.key: flag for flag in flags}

    def __getitem__(self, key: str) -> Flag:
        try:
            return self._flags[key]
        except KeyError:
            raise UndeclaredFlagError(
                f"Flag {key!r} is not declared; declared flags: "
                f"{', '.join(self._flags) or 'none'}. Declare it in the service's flags.py "
                "or fix the key."
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._flags)

    def __len__(self) -> int:
        return len(self._flags)

    def __contains__(self, key: object) -> bool:
        return key in self._flags

    def __repr__(self) -> str:
        return f"FlagRegistry({', '.join(self._flags)})"


def declare_flags(*flags: Flag) -> FlagRegistry:
    """Return the registry of a service's flags; refuse duplicates and non-Flag entries."""
    seen: set[str] = set()
    for position, flag in enumerate(flags, start=1):
        if not isinstance(flag, Flag):
            raise FlagDeclarationError(
                f"declare_flags argument {position} is a {type(flag).__name__}, expected a Flag."
            )
        if flag.key in seen:
            raise FlagDeclarationError(
                f"Flag {flag.key!r} is declared twice; keep one declaration per key."
            )
        seen.add(flag.key)
    return FlagRegistry(flags)
