"""Build a string that matches a schema ``pattern``, for generated answers.

Patterns are ECMA-262 (the spec core validates them so, see :mod:`satchel.openapi.ecma`);
generation parses them with Python's own regex parser after translating the ECMA-only syntax
most specs use (``\\p{L}``-style classes, ``(?<name>...)``, ``\\k<name>``). It covers literals,
classes (negated ones too), categories, ``.``, groups, back-references, alternation and
repeats; lookarounds produce nothing. The caller validates every result, so a pattern this
cannot serve (see :func:`unsupported_reason`) ends in a clear "add an example" error.
"""

from __future__ import annotations

import random
import re
import string
from functools import lru_cache
from typing import Any

# re._parser is the parser behind re.compile; sre_parse (its public alias) warns on import
# since Python 3.11, and the tests turn warnings into errors.
from re import _constants as _c  # type: ignore[attr-defined]
from re import _parser as _sre  # type: ignore[attr-defined]

__all__ = ["generate_from_pattern", "unsupported_reason"]

_REPEAT_CAP = 4  # open-ended repeats (*, +, {n,}) stop at min + this
_PRINTABLE = string.ascii_letters + string.digits
# Candidates for negated classes and \W: printable ASCII first, then a few letters beyond.
_ANY_CHAR = _PRINTABLE + "-._~!$&'()*+,;=:@/?#[]{}<>|^`\"%\\ " + "\u00e9\u00fc\u4e2d"
_CATEGORIES = {
    _c.CATEGORY_DIGIT: string.digits,
    _c.CATEGORY_WORD: string.ascii_letters + string.digits + "_",
    _c.CATEGORY_SPACE: " ",
    _c.CATEGORY_NOT_DIGIT: string.ascii_letters,
    _c.CATEGORY_NOT_WORD: "-.!",
    _c.CATEGORY_NOT_SPACE: string.ascii_letters,
}
# ECMA-262 Unicode property classes, as members the generator may pick (the validator
# checks the full class; these are merely safe examples of it).
_PROPERTIES = {
    "L": "a-zA-Z\u00e9\u00fc",
    "Letter": "a-zA-Z\u00e9\u00fc",
    "Lu": "A-Z",
    "Uppercase_Letter": "A-Z",
    "Ll": "a-z\u00e9\u00fc",
    "Lowercase_Letter": "a-z\u00e9\u00fc",
    "N": "0-9",
    "Nd": "0-9",
    "Number": "0-9",
    "Decimal_Number": "0-9",
    "P": "\\-.,!?",
    "Punctuation": "\\-.,!?",
    "Zs": " ",
    "Script=Latin": "a-zA-Z",
    "sc=Latin": "a-zA-Z",
}
_PROPERTY = re.compile(r"\\([pP])\{([^}]*)\}")


def generate_from_pattern(
    pattern: str,
    rng: random.Random,
    repeat_cap: int = _REPEAT_CAP,
    longest: bool = False,
) -> str:
    """Return a string meant to match ``pattern`` (empty when it cannot be parsed).

    Open-ended repeats (``*``, ``+``, ``{n,}``) run to at most ``repeat_cap`` more than
    their minimum; ``longest`` makes every repeat take its largest count (for a minLength).
    """
    parsed = _parse(pattern)
    if isinstance(parsed, str):
        return ""
    return "".join(_emit(parsed, rng, {}, _Repeats(repeat_cap, longest)))


class _Repeats:
    """How many times repeats run: at random up to ``cap`` over the minimum, or the most."""

    def __init__(self, cap: int, longest: bool) -> None:
        self.cap = cap
        self.longest = longest

    def count(self, low: int, high: int, rng: random.Random) -> int:
        top = low + self.cap if high is _c.MAXREPEAT else min(high, low + self.cap)
        top = max(low, top)
        return top if self.longest else rng.randint(low, top)


def unsupported_reason(pattern: str) -> str | None:
    """Return why strings cannot be generated for ``pattern``, or ``None`` when they can."""
    parsed = _parse(pattern)
    return parsed if isinstance(parsed, str) else None


class _Untranslatable(Exception):
    """The pattern uses ECMA-262 syntax with no Python equivalent here."""


@lru_cache(maxsize=1024)
def _parse(pattern: str) -> Any:
    """Return the parsed pattern, or why it cannot be read (once per pattern: answers reuse)."""
    try:
        return _sre.parse(_to_python(pattern))
    except (re.error, _Untranslatable) as exc:
        return str(exc)


def _to_python(pattern: str) -> str:
    """Translate the ECMA-262-only syntax specs use into Python's."""
    text = re.sub(r"\(\?<(?=[A-Za-z_])", "(?P<", pattern)
    text = re.sub(r"\\k<([A-Za-z_]\w*)>", r"(?P=\1)", text)
    return _replace_properties(text)


def _replace_properties(text: str) -> str:
    """Replace each ``\\p{..}`` with a class of example members (spliced in inside a class)."""
    out = []
    in_class = False
    index = 0
    while index < len(text):
        char = text[index]
        found = _PROPERTY.match(text, index) if char == "\\" else None
        if found is not None:
            members = _PROPERTIES.get(found[2])
            negated = found[1] == "P"
            if members is None or (negated and in_class):
                raise _Untranslatable(f"unsupported property class {found[0]}")
            if in_class:
                out.append(members)
            else:
                out.append(f"[^{members}]" if negated else f"[{members}]")
            index = found.end()
            continue
        if char == "\\":
            out.append(text[index : index + 2])
            index += 2
            continue
        if char == "[" and not in_class:
            in_class = True
        elif char == "]" and in_class:
            in_class = False
        out.append(char)
        index += 1
    return "".join(out)


def _emit(
    items: Any, rng: random.Random, groups: dict[int, str], repeats: _Repeats
) -> list[str]:
    """Produce the characters for a parsed sequence (``groups``: text of each group so far)."""
    out: list[str] = []
    for op, arg in items:
        if op is _c.LITERAL:
            out.append(chr(arg))
        elif op is _c.NOT_LITERAL:
            out.append(next(ch for ch in _ANY_CHAR if ord(ch) != arg))
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
            for _ in range(repeats.count(low, high, rng)):
                out.extend(_emit(body, rng, groups, repeats))
        elif op is _c.SUBPATTERN:
            text = "".join(_emit(arg[-1], rng, groups, repeats))
            if arg[0] is not None:
                groups[arg[0]] = text
            out.append(text)
        elif op is _c.BRANCH:
            out.extend(_emit(rng.choice(arg[1]), rng, groups, repeats))
        elif op is _c.CATEGORY:
            out.append(rng.choice(_CATEGORIES.get(arg, _PRINTABLE)))
        elif op is _c.GROUPREF:
            out.append(groups.get(arg, ""))
        # AT (anchors), ASSERT, ASSERT_NOT: nothing to emit.
    return out


def _from_class(items: Any, rng: random.Random) -> str:
    """Pick one character from a ``[...]`` class (for a negated one, the first outside it)."""
    if items and items[0][0] is _c.NEGATE:
        candidates = [ch for ch in _ANY_CHAR if not _in_class(ch, items[1:])]
        return candidates[0] if candidates else "\u2603"
    choices = _class_members(items)
    return rng.choice(sorted(choices)) if choices else "a"


def _in_class(char: str, items: Any) -> bool:
    """Tell whether ``char`` belongs to the (non-negated) class ``items``."""
    code = ord(char)
    for op, arg in items:
        if op is _c.LITERAL and arg == code:
            return True
        if op is _c.RANGE and arg[0] <= code <= arg[1]:
            return True
        if op is _c.CATEGORY and _category_has(arg, char):
            return True
    return False


def _category_has(category: Any, char: str) -> bool:
    """Tell whether ``char`` is in a regex category (``\\d``, ``\\W``, ...)."""
    tests = {
        _c.CATEGORY_DIGIT: char.isdigit(),
        _c.CATEGORY_WORD: char.isalnum() or char == "_",
        _c.CATEGORY_SPACE: char.isspace(),
    }
    negated = {
        _c.CATEGORY_NOT_DIGIT: _c.CATEGORY_DIGIT,
        _c.CATEGORY_NOT_WORD: _c.CATEGORY_WORD,
        _c.CATEGORY_NOT_SPACE: _c.CATEGORY_SPACE,
    }
    if category in negated:
        return not tests[negated[category]]
    return tests.get(category, False)


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
