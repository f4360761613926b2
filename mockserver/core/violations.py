"""Answers that break their spec: flagged with a header by default, a 500 under ``--errors``.

A vendored spec can make every answer invalid (an example that contradicts its schema, a
``oneOf`` whose branches overlap so that every value matches two). By default the mock still
answers with the candidate that breaks the fewest rules and says so in
``Satchel-Mock-Violations``; with ``--errors`` it never papers over the spec and answers
500 ``mock-spec-violation`` listing what is wrong. Everything here runs when answers are
built, never per request.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import replace

from satchel.openapi import Issue
from satchel.problems import Problem

from mockserver.core.answers import Answer
from mockserver.core.errors import AnswerViolates, CannotSerialise
from mockserver.core.misses import problem_answer

__all__ = [
    "VIOLATIONS_HEADER",
    "cannot_serialise_answer",
    "spec_violation_answer",
    "violations_header",
    "with_violations",
]

VIOLATIONS_HEADER = "satchel-mock-violations"
#: Header values past a few KB are dropped by some proxies; the problem body has them all.
HEADER_LIMIT = 2000


def _listed(issues: Iterable[Issue]) -> list[dict[str, str]]:
    """Return each issue as {"location", "message"}; body locations are JSON pointers."""
    found = []
    for issue in issues:
        field = issue.field or ""
        where = f"response.{issue.location}"
        if field:
            where += field if field.startswith("/") else f" {field}"
        found.append({"location": where, "message": issue.message})
    return found


def violations_header(issues: Iterable[Issue], limit: int = HEADER_LIMIT) -> str:
    """Return the violations as compact JSON of at most ``limit`` characters.

    Entries that do not fit are left off and counted in a last ``"... more"`` entry.
    """
    listed = _listed(issues)
    kept: list[dict[str, str]] = []
    for index, item in enumerate(listed):
        left = len(listed) - index - 1
        tail = [{"location": "...", "message": f"{left} more"}] if left else []
        if len(_compact(kept + [item] + tail)) > limit:
            more = len(listed) - len(kept)
            kept.append({"location": "...", "message": f"{more} more"})
            break
        kept.append(item)
    return _compact(kept)


def _compact(items: list[dict[str, str]]) -> str:
    """Serialise for a header: no spaces, ASCII only (header values are latin-1)."""
    return json.dumps(items, separators=(",", ":"), ensure_ascii=True)


def with_violations(error: AnswerViolates) -> Answer | None:
    """Return the best-effort answer ``error`` carries, flagged with its violations."""
    answer = error.answer
    if not isinstance(answer, Answer):
        return None
    value = violations_header(error.issues)
    headers = answer.headers + ((VIOLATIONS_HEADER, value),)
    return replace(answer, headers=headers, violations=value)


def spec_violation_answer(label: str, status: int, error: AnswerViolates) -> Answer:
    """Return the 500 ``--errors`` answers instead of a body that breaks the spec."""
    problem = Problem(
        status=500,
        type="mock-spec-violation",
        detail=f"{label} {status}: --errors is on and the answer would break the spec. "
        f"{error}",
        extensions={"violations": _listed(error.issues)},
    )
    return problem_answer(problem, "mock: answer breaks the spec")


def cannot_serialise_answer(error: CannotSerialise) -> Answer:
    """Return the 500 for a structured value under a text media type (see answers.can_carry)."""
    problem = Problem(status=500, type="mock-cannot-serialise", detail=str(error))
    return problem_answer(problem, "mock: cannot serialise")
