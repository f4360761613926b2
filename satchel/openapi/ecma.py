"""Schema ``pattern``s in the dialect the specifications name: ECMA-262, with Unicode semantics.

JSON Schema (and so OpenAPI) says a ``pattern`` is an ECMA-262 regular expression. Python's
``re`` differs: it refuses ``\\p{L}``, reads ``(?<name>...)`` differently, and its ``$`` also
matches before a final newline. The ``regress`` package is a Rust implementation of ECMA-262
regular expressions; every pattern is compiled once, with the ``u`` flag (JSON Schema's
recommendation, needed for ``\\p{...}``), and kept.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache
from typing import Any

from jsonschema._utils import extras_msg
from jsonschema.exceptions import ValidationError
from regress import Regex, RegressError

__all__ = [
    "PatternInvalid",
    "additional_properties_keyword",
    "compile_pattern",
    "pattern_keyword",
    "pattern_properties_keyword",
]


class PatternInvalid(ValueError):
    """A ``pattern`` is not a valid ECMA-262 regular expression."""


@lru_cache(maxsize=4096)
def _compiled(pattern: str) -> Regex | str:
    """Return the compiled pattern, or the reason it does not compile (cached both ways)."""
    try:
        return Regex(pattern, "u")
    except RegressError as exc:
        return str(exc) or "invalid syntax"


def compile_pattern(pattern: str) -> Regex:
    """Return ``pattern`` compiled as ECMA-262; raise :class:`PatternInvalid` saying why not."""
    found = _compiled(pattern)
    if isinstance(found, str):
        raise PatternInvalid(
            f"pattern {pattern!r} is not a valid ECMA-262 regular expression ({found})"
        )
    return found


def pattern_keyword(
    validator: Any, pattern: str, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    """Check JSON Schema's ``pattern`` keyword with ECMA-262 semantics (a search, unanchored)."""
    if not isinstance(instance, str):
        return
    found = _compiled(pattern)
    if isinstance(found, str):
        # A spec mistake, reported to the caller rather than raised as a server error.
        yield ValidationError(
            f"cannot check {instance!r}: the spec's pattern {pattern!r} is not a valid "
            f"ECMA-262 regular expression ({found})"
        )
    elif found.find(instance) is None:
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


def pattern_properties_keyword(
    validator: Any,
    patterns: Mapping[str, Any],
    instance: Any,
    schema: Mapping[str, Any],
) -> Iterator[ValidationError]:
    """Check ``patternProperties`` with its keys read as ECMA-262 patterns, like ``pattern``."""
    if not validator.is_type(instance, "object"):
        return
    for pattern, subschema in patterns.items():
        found = _compiled(pattern)
        if isinstance(found, str):
            yield ValidationError(
                f"cannot check the properties: the spec's patternProperties key {pattern!r} "
                f"is not a valid ECMA-262 regular expression ({found})"
            )
            continue
        for key, value in instance.items():
            if found.find(key) is not None:
                yield from validator.descend(
                    value, subschema, path=key, schema_path=pattern
                )


def additional_properties_keyword(
    validator: Any, allowed: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    """Check ``additionalProperties``: the properties no name or ECMA-262 pattern covers."""
    if not validator.is_type(instance, "object"):
        return
    extras = _additional(instance, schema)
    if not extras:
        return
    if validator.is_type(allowed, "object"):
        for extra in sorted(extras, key=str):
            yield from validator.descend(instance[extra], allowed, path=extra)
    elif allowed is False:
        if schema.get("patternProperties"):
            verb = "does" if len(extras) == 1 else "do"
            joined = ", ".join(repr(each) for each in sorted(extras, key=str))
            patterns = ", ".join(repr(p) for p in sorted(schema["patternProperties"]))
            yield ValidationError(
                f"{joined} {verb} not match any of the regexes: {patterns}"
            )
        else:
            yield ValidationError(
                "Additional properties are not allowed (%s %s unexpected)"
                % extras_msg(sorted(extras, key=str))
            )


def _additional(instance: Mapping[str, Any], schema: Mapping[str, Any]) -> set[Any]:
    """Return the keys neither ``properties`` names nor a ``patternProperties`` key matches."""
    named = schema.get("properties") or {}
    patterns = [_compiled(p) for p in schema.get("patternProperties") or {}]
    usable = [p for p in patterns if not isinstance(p, str)]
    return {
        key
        for key in instance
        if key not in named
        and not any(p.find(key) is not None for p in usable if isinstance(key, str))
    }
