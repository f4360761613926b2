"""Rules for one flag (on/off, tenant lists, percentage, kill switch) and their evaluation.

Precedence, highest first: forced value (test fixture, environment override), kill switch,
per-tenant off list, per-tenant on list, percentage rollout, global on/off, declared default.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from satchel.flags.declarations import Flag, is_of_type
from satchel.flags.errors import FlagValueError

BUCKETS = 100_000  # 0.001 % granularity, as in Flipper and LaunchDarkly
RULE_FIELDS = ("enabled", "value", "percentage", "tenants_on", "tenants_off", "killed")
UNSET: Any = type("Unset", (), {"__repr__": lambda self: "UNSET"})()
TRUE_WORDS = {"1", "true", "on", "yes"}
FALSE_WORDS = {"0", "false", "off", "no"}


def bucket(flag_key: str, tenant: str) -> int:
    """Return the tenant's stable bucket (0..99999) for a flag; independent of the percentage."""
    digest = hashlib.sha256(f"{flag_key}:{tenant}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % BUCKETS


def parse_value(flag: Flag, text: str) -> Any:
    """Turn text from the environment or the CLI into a value of the flag's type."""
    if flag.type is bool:
        word = text.strip().lower()
        if word in TRUE_WORDS | FALSE_WORDS:
            return word in TRUE_WORDS
        expected = "one of 1/0, true/false, on/off, yes/no"
    elif flag.type is str:
        return text
    else:
        try:
            return flag.type(text)
        except ValueError:
            expected = "an int" if flag.type is int else "a float"
    raise FlagValueError(f"Flag {flag.key!r}: {text!r} is not {expected}.")


@dataclass(frozen=True)
class Rule:
    """The stored targeting of one flag; every field optional, ``None`` meaning 'not set'."""

    enabled: bool | None = None
    value: Any = None
    percentage: float | None = None
    tenants_on: frozenset[str] = field(default_factory=frozenset)
    tenants_off: frozenset[str] = field(default_factory=frozenset)
    killed: bool = False

    def to_dict(self) -> dict[str, Any]:
        """Return the rule as stored: only the fields that are set, tenant lists sorted."""
        data: dict[str, Any] = {}
        for name in RULE_FIELDS:
            item = getattr(self, name)
            if isinstance(item, frozenset):
                item = sorted(item)
            if item is not None and item != [] and not (name == "killed" and not item):
                data[name] = item
        return data


def parse_rule(flag: Flag, data: Any, where: str) -> Rule:
    """Validate stored rule data for ``flag``; raise FlagValueError naming ``where`` and field."""
    prefix = f"{where}: flag {flag.key!r}"
    if not isinstance(data, Mapping):
        raise FlagValueError(
            f"{prefix}: rule is a {type(data).__name__}, expected a mapping."
        )
    unknown = sorted(set(data) - set(RULE_FIELDS))
    if unknown:
        raise FlagValueError(
            f"{prefix}: unknown field(s) {', '.join(map(str, unknown))}; "
            f"expected only {', '.join(RULE_FIELDS)}."
        )
    enabled = data.get("enabled")
    if enabled is not None and type(enabled) is not bool:
        raise FlagValueError(
            f"{prefix} field 'enabled': expected true or false, got {enabled!r}."
        )
    value = data.get("value")
    if value is not None:
        if flag.type is bool:
            raise FlagValueError(
                f"{prefix} field 'value': boolean flags use 'enabled' only."
            )
        if not is_of_type(value, flag.type):
            raise FlagValueError(
                f"{prefix} field 'value': expected {flag.type.__name__}, got {value!r}."
            )
    percentage = data.get("percentage")
    if percentage is not None and (
        type(percentage) not in (int, float) or not 0 <= percentage <= 100
    ):
        raise FlagValueError(
            f"{prefix} field 'percentage': expected a number from 0 to 100, got {percentage!r}."
        )
    killed = data.get("killed", False)
    if type(killed) is not bool:
        raise FlagValueError(
            f"{prefix} field 'killed': expected true or false, got {killed!r}."
        )
    return Rule(
        enabled=enabled,
        value=value,
        percentage=percentage,
        tenants_on=_tenant_list(prefix, data, "tenants_on"),
        tenants_off=_tenant_list(prefix, data, "tenants_off"),
        killed=killed,
    )


def _tenant_list(prefix: str, data: Mapping[str, Any], name: str) -> frozenset[str]:
    items = data.get(name) or []
    if not isinstance(items, list) or not all(isinstance(item, str) for item in items):
        raise FlagValueError(f"{prefix} field {name!r}: expected a list of tenant ids.")
    return frozenset(items)


@dataclass(frozen=True, slots=True)
class CompiledFlag:
    """A flag's declaration, rule and forced values, ready for fast evaluation."""

    flag: Flag
    rule: Rule
    forced: Any = UNSET
    forced_by_tenant: Mapping[str, Any] = field(default_factory=dict)

    def resolve(self, tenant: str | None) -> tuple[Any, str]:
        """Return the flag's value for ``tenant`` and the reason (an OpenFeature reason name)."""
        if self.forced_by_tenant and tenant in self.forced_by_tenant:
            return self.forced_by_tenant[tenant], "STATIC"
        if self.forced is not UNSET:
            return self.forced, "STATIC"
        flag, rule = self.flag, self.rule
        if rule.killed:
            return flag.off_value, "DISABLED"
        on_value = True if flag.type is bool else rule.value
        if on_value is None:  # a non-boolean rule without a value can only switch off
            on_value = flag.default
        if tenant is not None:
            if tenant in rule.tenants_off:
                return flag.off_value, "TARGETING_MATCH"
            if tenant in rule.tenants_on:
                return on_value, "TARGETING_MATCH"
            if rule.percentage and bucket(flag.key, tenant) < rule.percentage * 1000:
                return on_value, "SPLIT"
        enabled = rule.enabled
        if enabled is None and rule.value is not None:
            enabled = (
                True  # a stored value for a string/number flag applies to everyone
            )
        if enabled is not None:
            return (on_value if enabled else flag.off_value), "STATIC"
        return flag.default, "DEFAULT"
