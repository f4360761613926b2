"""The spec core's schema dialect: RFC 3339 time, decimal multipleOf, ECMA-262 patterns."""

from __future__ import annotations

import pytest

from satchel.openapi.dialect import is_full_time, is_multiple, validator_class
from satchel.openapi.ecma import PatternInvalid, compile_pattern


@pytest.mark.parametrize(
    "text, valid",
    [
        ("22:31:08Z", True),
        ("22:31:08.123z", True),
        ("08:00:00+02:00", True),
        ("23:59:60-05:30", True),  # a leap second
        ("22:31:08", False),  # RFC 3339 full-time needs an offset
        ("24:00:00Z", False),
        ("12:60:00Z", False),
        ("12:00:00+24:00", False),
        ("1:00:00Z", False),
        ("12:00:00 Z", False),
    ],
)
def test_time_is_rfc3339_full_time(text, valid):
    """format: time follows RFC 3339 full-time, as JSON Schema and OpenAPI define it."""
    assert is_full_time(text) is valid
    for version in ("3.0", "3.1"):
        cls = validator_class(version, False)
        validator = cls({"format": "time"}, format_checker=cls.FORMAT_CHECKER)
        assert validator.is_valid(text) is valid


@pytest.mark.parametrize(
    "value, step, multiple",
    [
        (19.99, 0.01, True),
        (78.35, 0.01, True),
        (0.3, 0.1, True),
        (7.5, 2.5, True),
        (10, 0.5, True),
        (19.995, 0.01, False),
        (0.30000000000000004, 0.1, False),
        (7, 2, False),
        (1e308, 0.01, True),
        (1e-300, 0.01, False),
    ],
)
def test_multiple_of_is_decimal_exact(value, step, multiple):
    """multipleOf compares the numbers as written, not as binary floats."""
    assert is_multiple(value, step) is multiple
    for version in ("3.0", "3.1"):
        validator = validator_class(version, True)({"multipleOf": step})
        assert validator.is_valid(value) is multiple


def test_multiple_of_message_names_value_and_step():
    """A failed multipleOf says which value and which step."""
    validator = validator_class("3.1", True)({"multipleOf": 0.01})
    assert [e.message for e in validator.iter_errors(19.995)] == [
        "19.995 is not a multiple of 0.01"
    ]


@pytest.mark.parametrize(
    "pattern, text, found",
    [
        (r"^\p{L}+$", "été", True),
        (r"^\p{L}+$", "ete1", False),
        (r"^abc$", "abc\n", False),  # Python's $ would match before the newline
        (r"^(?<y>\d{4})-\k<y>$", "2026-2026", True),
        (r"^[^a-zA-Z0-9]+$", "--", True),
        (r"colou?r", "the colour", True),  # a search, not anchored
    ],
)
def test_patterns_are_ecma_262(pattern, text, found):
    """Patterns follow ECMA-262 with the u flag, whatever Python's re would say."""
    assert (compile_pattern(pattern).find(text) is not None) is found
    assert validator_class("3.0", False)({"pattern": pattern}).is_valid(text) is found


@pytest.mark.parametrize(
    "pattern", [r"^\p{Greek}$", r"(?P<name>a)", r"[z-a]", r"(unclosed"]
)
def test_invalid_ecma_pattern_is_a_clear_error(pattern):
    """A pattern ECMA-262 refuses raises PatternInvalid quoting it; validation says so too."""
    with pytest.raises(
        PatternInvalid, match="is not a valid ECMA-262 regular expression"
    ):
        compile_pattern(pattern)
    (error,) = validator_class("3.1", False)({"pattern": pattern}).iter_errors("x")
    assert error.message.startswith("cannot check 'x': the spec's pattern")
