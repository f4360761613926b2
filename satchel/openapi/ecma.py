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

from jsonschema.exceptions import ValidationError
from regress import Regex, RegressError

__all__ = ["PatternInvalid", "compile_pattern", "pattern_keyword"]


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
