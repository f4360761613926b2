"""Declaring flags: valid declarations load, every bad one fails with a message that says why."""

from __future__ import annotations

from datetime import date

import pytest

from satchel.flags import (
    Flag,
    FlagDeclarationError,
    FlagKind,
    UndeclaredFlagError,
    declare_flags,
)

GOOD = dict(
    type=bool,
    default=False,
    owner="team-a",
    kind=FlagKind.RELEASE,
    expires="2099-01-31",
)


def make(key: str = "new-thing", **changes) -> Flag:
    return Flag(key, **{**GOOD, **changes})


@pytest.mark.parametrize(
    ("key", "changes", "message"),
    [
        pytest.param(
            "New_Thing", {},
            "Flag('New_Thing'): key must be lowercase words joined by dashes, like 'notes-search'.",
            id="bad-key",
        ),
        pytest.param(
            "new-thing", {"type": list},
            "Flag('new-thing'): type <class 'list'> is not supported; use bool, str, int or float.",
            id="bad-type",
        ),
        pytest.param(
            "new-thing", {"default": "no"},
            "Flag('new-thing'): default 'no' is a str, expected bool; "
            "make the default match the declared type.",
            id="default-of-wrong-type",
        ),
        pytest.param(
            "new-thing", {"type": int, "default": True},
            "Flag('new-thing'): default True is a bool, expected int; "
            "make the default match the declared type.",
            id="bool-is-not-a-number",
        ),
        pytest.param(
            "new-thing", {"owner": " "},
            "Flag('new-thing'): owner is empty; name the team that will remove or keep this flag.",
            id="no-owner",
        ),
        pytest.param(
            "new-thing", {"kind": "release"},
            "Flag('new-thing'): kind 'release' is not a FlagKind; "
            "use FlagKind.RELEASE, OPS, KILL_SWITCH or PERMISSION.",
            id="kind-not-enum",
        ),
        pytest.param(
            "new-thing", {"expires": None},
            "Flag('new-thing'): release flags must expire; add expires='YYYY-MM-DD' "
            "(the date by which the flag is removed from code).",
            id="release-without-expiry",
        ),
        pytest.param(
            "new-thing", {"expires": "next spring"},
            "Flag('new-thing'): expires 'next spring' is not a date; write it as 'YYYY-MM-DD'.",
            id="expiry-not-a-date",
        ),
    ],
)  # fmt: skip
def test_bad_declaration_is_refused_with_the_fix(
    key: str, changes: dict, message: str
) -> None:
    """Each invalid declaration raises FlagDeclarationError naming the flag and the remedy."""
    with pytest.raises(FlagDeclarationError) as caught:
        make(key, **changes)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("changes", "expires"),
    [
        pytest.param({}, date(2099, 1, 31), id="release-with-iso-string"),
        pytest.param(
            {"expires": date(2030, 5, 1)}, date(2030, 5, 1), id="release-with-date"
        ),
        pytest.param(
            {"kind": FlagKind.OPS, "expires": None}, None, id="ops-never-expires"
        ),
        pytest.param(
            {"type": float, "default": 1}, date(2099, 1, 31), id="int-default-for-float"
        ),
    ],
)
def test_good_declaration_loads(changes: dict, expires: date | None) -> None:
    """Valid declarations load, and the expiry is normalised to a date."""
    assert make(**changes).expires == expires


def test_duplicate_key_is_refused() -> None:
    """Two declarations of one key fail at start-up."""
    with pytest.raises(FlagDeclarationError) as caught:
        declare_flags(make(), make())
    assert (
        str(caught.value)
        == "Flag 'new-thing' is declared twice; keep one declaration per key."
    )


def test_non_flag_argument_is_refused() -> None:
    """declare_flags only takes Flag objects."""
    with pytest.raises(FlagDeclarationError) as caught:
        declare_flags(make(), "other-thing")
    assert str(caught.value) == "declare_flags argument 2 is a str, expected a Flag."


def test_registry_is_a_read_only_mapping_in_declaration_order() -> None:
    """The registry maps keys to flags and explains an unknown key."""
    registry = declare_flags(make("b-flag"), make("a-flag"))
    assert list(registry) == ["b-flag", "a-flag"]
    assert registry["a-flag"].owner == "team-a"
    assert "c-flag" not in registry and len(registry) == 2
    assert repr(registry) == "FlagRegistry(b-flag, a-flag)"
    with pytest.raises(UndeclaredFlagError) as caught:
        registry["c-flag"]
    assert str(caught.value) == (
        "Flag 'c-flag' is not declared; declared flags: b-flag, a-flag. "
        "Declare it in the service's flags.py or fix the key."
    )


@pytest.mark.parametrize(
    ("flag", "off"),
    [
        pytest.param(make(default=True), False, id="bool-off-is-false"),
        pytest.param(make(type=int, default=7), 7, id="number-off-is-default"),
    ],
)
def test_off_value(flag: Flag, off: object) -> None:
    """Off means False for booleans and the declared default for other types."""
    assert flag.off_value == off
