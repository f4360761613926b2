"""Build a string that matches a (simple) regular expression, for schema ``pattern``s.

Python's own regex parser does the parsing, so every syntax ``re`` accepts is understood;
generation covers literals, classes, categories (``\\d``, ``\\w``, ``\\s``), ``.``, groups,
alternation and repeats. Lookarounds and backreferences are skipped (they produce nothing),
so such patterns may not match: the caller validates the result.
"""

from __future__ import annotations

import random
import re
import string
from typing import Any

# re._parser is the parser behind re.compile; sre_parse (its public alias) warns on import
# since Python 3.11, and the tests turn warnings into errors.
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser as _sre  # type: ignore[attr-defined]

__all__ = ["generate_from_pattern"]

_REPEAT_CAP = 4  # open-ended repeats (*, +, {n,}) stop at min + this
_CATEGORIES = {
    _c.CATEGORY_DIGIT: string.digits,
    _c.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    _c.CATEGORY_SPACE: " ",
    _c.CATEGORY_NOT_DIGIT: string.ascii_letters,
    _c.CATEGORY_NOT_WORD: "-.!",
    _c.CATEGORY_NOT_SPACE: string.ascii_letters,
}
_PRINTABLE = string.ascii_letters + string.digits


def generate_from_pattern(pattern: str, rng: random.Random) -> str:
    """Return a string matching ``pattern`` where the pattern is simple enough."""
    try:
        parsed = _sre.parse(pattern)
    except re.error:
        return ""
    return "".join(_emit(parsed, rng))


def _emit(items: Any, rng: random.Random) -> list[str]:
    """Produce the characters for a parsed sequence."""
    out: list[str] = []
    for op, arg in items:
        if op is _c.LITERAL:
            out.append(chr(arg))
        elif op is _c.NOT_LITERAL:
            out.append(next(ch for ch in _PRINTABLE if ord(ch) != arg))
        elif op is _c.ANY:
            out.append(rng.choice(_PRINTABLE))
        elif op is _c.IN:
            out.append(_from_class(arg, rng))
        elif op in (
            _c.MAX_REPEAT,
            _c.MIN_REPEAT,
            getattr(_c, "POSSESSIVE_REPEAT", None),
        ):
            low, high, body = arg
            top = low + _REPEAT_CAP if high is _c.MAXREPEAT else high
            for _ in range(rng.randint(low, max(low, min(top, low + _REPEAT_CAP)))):
                out.extend(_emit(body, rng))
        elif op is _c.SUBPATTERN:
            out.extend(_emit(arg[-1], rng))
        elif op is _c.BRANCH:
            out.extend(_emit(rng.choice(arg[1]), rng))
        elif op is _c.CATEGORY:
            out.append(rng.choice(_CATEGORIES.get(arg, _PRINTABLE)))
        # AT (anchors), ASSERT, ASSERT_NOT, GROUPREF: nothing to emit.
    return out


def _from_class(items: Any, rng: random.Random) -> str:
    """Pick one character from a ``[...]`` class (the first usable member, negation aside)."""
    if items and items[0][0] is _c.NEGATE:
        excluded = _class_members(items[1:])
        return next(ch for ch in _PRINTABLE if ch not in excluded)
    choices = _class_members(items)
    return rng.choice(sorted(choices)) if choices else "a"


def _class_members(items: Any) -> set[str]:
    """Return the characters a class admits (ranges expanded, categories approximated)."""
    members: set[str] = set()
    for op, arg in items:
        if op is _c.LITERAL:
            members.add(chr(arg))
        elif op is _c.RANGE:
            low, high = arg
            members.update(chr(code) for code in range(low, min(high, low + 200) + 1))
        elif op is _c.CATEGORY:
            members.update(_CATEGORIES.get(arg, _PRINTABLE))
    return members
