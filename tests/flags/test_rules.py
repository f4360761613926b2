"""Rules: precedence, stored-rule validation, text parsing and the percentage rollout."""

from __future__ import annotations

from typing import Any

import pytest

from satchel.flags import Flag, FlagKind, FlagValueError
from satchel.flags.rules import (
    UNSET,
    CompiledFlag,
    Rule,
    bucket,
    parse_rule,
    parse_value,
)

BOOL = Flag("notes-search", type=bool, default=False, owner="t", kind=FlagKind.OPS)
BOOL_ON = Flag("reports", type=bool, default=True, owner="t", kind=FlagKind.KILL_SWITCH)
NUMBER = Flag("page-size", type=int, default=20, owner="t", kind=FlagKind.OPS)
RATIO = Flag("ratio", type=float, default=0.5, owner="t", kind=FlagKind.OPS)
TEXT = Flag("banner", type=str, default="", owner="t", kind=FlagKind.OPS)


def in_bucket(flag: Flag, pct: float) -> str:
    """Return a tenant inside ``pct`` percent for ``flag``."""
    return next(
        f"t{i}" for i in range(10_000) if bucket(flag.key, f"t{i}") < pct * 1000
    )


def out_of_bucket(flag: Flag, pct: float) -> str:
    """Return a tenant outside ``pct`` percent for ``flag``."""
    return next(
        f"t{i}" for i in range(10_000) if bucket(flag.key, f"t{i}") >= pct * 1000
    )


IN = in_bucket(BOOL, 10)
OUT = out_of_bucket(BOOL, 10)
EVERYTHING = dict(
    enabled=True,
    percentage=10,
    tenants_on=frozenset({"a"}),
    tenants_off=frozenset({"b"}),
)


@pytest.mark.parametrize(
    ("flag", "rule", "forced", "tenant", "expected"),
    [
        pytest.param(BOOL, Rule(), UNSET, "a", (False, "DEFAULT"), id="no-rule-default"),
        pytest.param(BOOL_ON, Rule(), UNSET, "a", (True, "DEFAULT"), id="no-rule-default-on"),
        pytest.param(BOOL, Rule(enabled=True), UNSET, None, (True, "STATIC"), id="global-on"),
        pytest.param(BOOL_ON, Rule(enabled=False), UNSET, "a", (False, "STATIC"), id="global-off"),
        pytest.param(BOOL, Rule(killed=True, **EVERYTHING), UNSET, "a", (False, "DISABLED"),
                     id="kill-beats-everything"),
        pytest.param(BOOL, Rule(**EVERYTHING), UNSET, "b", (False, "TARGETING_MATCH"),
                     id="off-list-beats-global-on"),
        pytest.param(BOOL, Rule(tenants_on=frozenset("b"), tenants_off=frozenset("b")), UNSET,
                     "b", (False, "TARGETING_MATCH"), id="off-list-beats-on-list"),
        pytest.param(BOOL, Rule(tenants_on=frozenset("a"), enabled=False), UNSET, "a",
                     (True, "TARGETING_MATCH"), id="on-list-beats-global-off"),
        pytest.param(BOOL, Rule(percentage=10, enabled=False), UNSET, IN, (True, "SPLIT"),
                     id="percentage-in"),
        pytest.param(BOOL, Rule(percentage=10, enabled=False), UNSET, OUT, (False, "STATIC"),
                     id="percentage-out-falls-to-global"),
        pytest.param(BOOL, Rule(percentage=100), UNSET, None, (False, "DEFAULT"),
                     id="no-tenant-no-rollout"),
        pytest.param(BOOL, Rule(killed=True), True, "a", (True, "STATIC"), id="forced-wins"),
        pytest.param(NUMBER, Rule(value=50), UNSET, "a", (50, "STATIC"), id="value-for-all"),
        pytest.param(NUMBER, Rule(value=50, enabled=False), UNSET, "a", (20, "STATIC"),
                     id="value-switched-off"),
        pytest.param(NUMBER, Rule(value=50, tenants_on=frozenset("a"), enabled=False), UNSET,
                     "a", (50, "TARGETING_MATCH"), id="value-for-one-tenant"),
        pytest.param(NUMBER, Rule(value=50, killed=True), UNSET, "a", (20, "DISABLED"),
                     id="killed-number-is-default"),
        pytest.param(TEXT, Rule(enabled=True), UNSET, "a", ("", "STATIC"),
                     id="on-without-value-is-default"),
    ],
)  # fmt: skip
def test_precedence(
    flag: Flag, rule: Rule, forced: Any, tenant: str | None, expected
) -> None:
    """Forced > kill > off list > on list > percentage > global on/off > declared default."""
    assert CompiledFlag(flag, rule, forced).resolve(tenant) == expected


def test_tenant_forced_value_beats_global_forced_value() -> None:
    """A value forced for one tenant wins for that tenant only."""
    compiled = CompiledFlag(BOOL, Rule(), False, {"a": True})
    assert (compiled.resolve("a"), compiled.resolve("b")) == (
        (True, "STATIC"),
        (False, "STATIC"),
    )


@pytest.mark.parametrize(
    ("flag", "data", "message"),
    [
        pytest.param(BOOL, ["on"], "flags.yaml: flag 'notes-search': rule is a list, "
                     "expected a mapping.", id="not-a-mapping"),
        pytest.param(BOOL, {"enabled": True, "colour": 1, "size": 2},
                     "flags.yaml: flag 'notes-search': unknown field(s) colour, size; expected "
                     "only enabled, value, percentage, tenants_on, tenants_off, killed.",
                     id="unknown-field"),
        pytest.param(BOOL, {"enabled": "yes"}, "flags.yaml: flag 'notes-search' field "
                     "'enabled': expected true or false, got 'yes'.", id="enabled-not-bool"),
        pytest.param(BOOL, {"value": True}, "flags.yaml: flag 'notes-search' field 'value': "
                     "boolean flags use 'enabled' only.", id="value-on-bool"),
        pytest.param(NUMBER, {"value": "50"}, "flags.yaml: flag 'page-size' field 'value': "
                     "expected int, got '50'.", id="value-wrong-type"),
        pytest.param(BOOL, {"percentage": 150}, "flags.yaml: flag 'notes-search' field "
                     "'percentage': expected a number from 0 to 100, got 150.",
                     id="percentage-too-big"),
        pytest.param(BOOL, {"percentage": True}, "flags.yaml: flag 'notes-search' field "
                     "'percentage': expected a number from 0 to 100, got True.",
                     id="percentage-bool"),
        pytest.param(BOOL, {"tenants_on": "school-a"}, "flags.yaml: flag 'notes-search' field "
                     "'tenants_on': expected a list of tenant ids.", id="tenants-not-list"),
        pytest.param(BOOL, {"tenants_off": [1]}, "flags.yaml: flag 'notes-search' field "
                     "'tenants_off': expected a list of tenant ids.", id="tenant-not-str"),
        pytest.param(BOOL, {"killed": "no"}, "flags.yaml: flag 'notes-search' field 'killed': "
                     "expected true or false, got 'no'.", id="killed-not-bool"),
    ],
)  # fmt: skip
def test_bad_rule_is_refused_with_where_and_what(
    flag: Flag, data: Any, message: str
) -> None:
    """Stored garbage is rejected with the source, flag, field and what was expected."""
    with pytest.raises(FlagValueError) as caught:
        parse_rule(flag, data, "flags.yaml")
    assert str(caught.value) == message


def test_rule_round_trips_through_its_stored_form() -> None:
    """to_dict keeps only set fields, tenant lists sorted, and parses back to the same rule."""
    rule = parse_rule(
        BOOL, {"tenants_on": ["b", "a"], "percentage": 5, "enabled": False}, "x"
    )
    assert rule.to_dict() == {
        "enabled": False,
        "percentage": 5,
        "tenants_on": ["a", "b"],
    }
    assert parse_rule(BOOL, rule.to_dict(), "x") == rule
    assert Rule(killed=False).to_dict() == {}


@pytest.mark.parametrize(
    ("flag", "text", "expected"),
    [
        pytest.param(BOOL, "true", True, id="true"),
        pytest.param(BOOL, " ON ", True, id="on-any-case"),
        pytest.param(BOOL, "0", False, id="zero"),
        pytest.param(BOOL, "no", False, id="no"),
        pytest.param(NUMBER, "50", 50, id="int"),
        pytest.param(RATIO, "0.25", 0.25, id="float"),
        pytest.param(TEXT, "Closed Friday", "Closed Friday", id="string"),
    ],
)
def test_parse_value(flag: Flag, text: str, expected: Any) -> None:
    """Environment and CLI text becomes a value of the flag's type."""
    assert parse_value(flag, text) == expected


@pytest.mark.parametrize(
    ("flag", "text", "message"),
    [
        pytest.param(BOOL, "maybe", "Flag 'notes-search': 'maybe' is not one of 1/0, true/false, "
                     "on/off, yes/no.", id="bool"),
        pytest.param(NUMBER, "fifty", "Flag 'page-size': 'fifty' is not an int.", id="int"),
        pytest.param(RATIO, "half", "Flag 'ratio': 'half' is not a float.", id="float"),
    ],
)  # fmt: skip
def test_parse_value_refuses_text_of_the_wrong_type(
    flag: Flag, text: str, message: str
) -> None:
    """Unparsable text raises FlagValueError saying what was expected."""
    with pytest.raises(FlagValueError) as caught:
        parse_value(flag, text)
    assert str(caught.value) == message


TENANTS = [f"school-{n:05d}" for n in range(10_000)]
TARGETS = [0.5, 1, 5, 10, 25, 33.3, 50, 75, 90, 99]


def enabled_at(percentage: float) -> set[str]:
    compiled = CompiledFlag(BOOL, Rule(percentage=percentage))
    return {tenant for tenant in TENANTS if compiled.resolve(tenant)[0]}


ROLLOUT = {percentage: enabled_at(percentage) for percentage in TARGETS}


@pytest.mark.parametrize("percentage", TARGETS, ids=[f"{p}%" for p in TARGETS])
def test_rollout_share_is_within_one_point_of_target(percentage: float) -> None:
    """Over 10,000 synthetic tenants the enabled share is within 1 point of the target."""
    share = 100 * len(ROLLOUT[percentage]) / len(TENANTS)
    assert abs(share - percentage) <= 1, share


@pytest.mark.parametrize(
    ("smaller", "larger"), list(zip(TARGETS, TARGETS[1:])), ids=lambda p: f"{p}%"
)
def test_growing_the_rollout_never_turns_a_tenant_off(
    smaller: float, larger: float
) -> None:
    """Every tenant enabled at a smaller percentage stays enabled at a larger one."""
    assert ROLLOUT[smaller] <= ROLLOUT[larger]
    assert len(ROLLOUT[smaller]) < len(ROLLOUT[larger])


def test_rollout_edges_are_none_and_all() -> None:
    """0 % enables nobody; 100 % enables every tenant."""
    assert enabled_at(0) == set() and enabled_at(100) == set(TENANTS)


def test_buckets_differ_per_flag() -> None:
    """Each flag buckets tenants independently, so one flag's 10 % is not every flag's 10 %."""
    first = {t for t in TENANTS if bucket("notes-search", t) < 10_000}
    second = {t for t in TENANTS if bucket("page-size", t) < 10_000}
    assert len(first & second) < len(first) / 2
