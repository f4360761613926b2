"""Refuse request values no database can store, before the handler runs any query.

A schema says ``type: string``, and JSON happily carries ``"\\u0000"`` (PostgreSQL text cannot
hold NUL) or ``"\\ud800"`` (a lone surrogate, which UTF-8 cannot encode); it says ``type:
integer`` and JSON carries 2**70. Each would fail inside the database driver as a 500. The
schema's own ``format: int32`` / ``int64`` is checked by the validator; an integer with no
format is held to the widest column there is, 64 bits.
"""

from __future__ import annotations

import re
from typing import Any

from satchel.openapi.errors import Issue, RequestInvalid
from satchel.openapi.validation import ValidRequest

__all__ = ["check_storable"]

INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1
_UNSTORABLE = re.compile("[\x00\ud800-\udfff]")
_NUL = "a NUL character (\\u0000), which text fields cannot hold"
_SURROGATE = "an unpaired UTF-16 surrogate, which is not a character"


def check_storable(valid: ValidRequest) -> None:
    """Raise a 422 :class:`RequestInvalid` naming every value a database cannot store."""
    issues: list[Issue] = []
    for location, values in (
        ("path", valid.path),
        ("query", valid.query),
        ("header", valid.headers),
        ("cookie", valid.cookies),
    ):
        for name, value in values.items():
            _scan(value, location, name, issues)
    if valid.body is not None:
        _scan(valid.body, "body", "", issues)
    if issues:
        raise RequestInvalid(422, tuple(issues))


def _scan(value: Any, location: str, where: str, issues: list[Issue]) -> None:
    """Append an issue for each unstorable text or integer inside ``value``."""
    stack = [(value, where)]
    while stack:
        item, at = stack.pop()
        if isinstance(item, str):
            reason = _text_problem(item)
            if reason:
                issues.append(Issue(location, at, f"contains {reason}"))
        elif isinstance(item, bool):
            continue
        elif isinstance(item, int):
            if not INT64_MIN <= item <= INT64_MAX:
                issues.append(
                    Issue(location, at, "is outside the 64-bit integer range")
                )
        elif isinstance(item, dict):
            for key, child in item.items():
                pointer = f"{at}/{_escape(str(key))}" if location == "body" else at
                if isinstance(key, str) and _text_problem(key):
                    issues.append(
                        Issue(
                            location,
                            at,
                            f"has a name that contains {_text_problem(key)}",
                        )
                    )
                stack.append((child, pointer))
        elif isinstance(item, (list, tuple)):
            stack.extend(
                (child, f"{at}/{index}" if location == "body" else at)
                for index, child in enumerate(item)
            )


def _text_problem(text: str) -> str | None:
    if text.isascii():
        return _NUL if "\x00" in text else None
    found = _UNSTORABLE.search(text)
    if found is None:
        return None
    return _NUL if found.group() == "\x00" else _SURROGATE


def _escape(token: str) -> str:
    return token.replace("~", "~0").replace("/", "~1")
