"""Render the mock's own errors (no route, wrong method, bad request, no credentials) as answers.

A miss names the nearest operations and why each did not match, in the manner of the
``responses`` library, so a developer sees at once whether the path, the method or the base
path is wrong.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any, Callable, Iterable

from satchel.openapi import Miss, Operation, RequestInvalid
from satchel.problems import PROBLEM_MEDIA_TYPE, Problem

from mockserver.core.answers import SOURCE_HEADER, Answer
from mockserver.core.messages import MockResponse, route_of

__all__ = [
    "miss_answer",
    "problem_answer",
    "spec_answer_to_invalid",
    "spec_answer_to_unauthorized",
    "with_note",
]


def problem_answer(problem: Problem, source: str = "mock") -> Answer:
    """Return ``problem`` as a ready answer (its headers included)."""
    headers = [("content-type", PROBLEM_MEDIA_TYPE), (SOURCE_HEADER, source)]
    headers += [(name.lower(), value) for name, value in problem.headers.items()]
    return Answer(problem.status, tuple(headers), problem.to_json())


def miss_answer(
    neighbour: str, base_path: str, method: str, path: str, miss: Miss
) -> Answer:
    """Return the 404/405 answer for a request that matched no operation."""
    candidates = [_candidate(base_path, c.operation, c.reason) for c in miss.candidates]
    if miss.status == 405:
        allowed = ", ".join(miss.allowed)
        problem = Problem(
            status=405,
            type="mock-method-not-allowed",
            detail=f"{neighbour}: {path} does not accept {method}; it accepts {allowed}.",
            extensions={"allowed": list(miss.allowed), "candidates": candidates},
            headers={"Allow": allowed},
        )
    else:
        nearest = "; ".join(
            f"{c['method']} {c['path']}: {c['reason']}" for c in candidates
        )
        problem = Problem(
            status=404,
            type="mock-no-route",
            detail=f"{neighbour}: no operation matches {method} {path}."
            + (f" Nearest: {nearest}." if nearest else " The spec declares no paths."),
            extensions={"candidates": candidates},
        )
    return problem_answer(problem, "mock: no matching operation")


def _candidate(base_path: str, operation: Operation, reason: str) -> dict[str, Any]:
    """Describe one near miss for the problem body."""
    return {
        "operation": operation.operation_id,
        "method": operation.method,
        "path": route_of(base_path, operation),
        "reason": reason,
    }


#: Looks up the spec's answer for a status: its exact, range ("4XX") or default response.
SpecAnswer = Callable[[int], "MockResponse | None"]


def spec_answer_to_invalid(
    answers: dict[tuple[int, str | None], MockResponse],
    exc: RequestInvalid,
    declared_for: SpecAnswer | None = None,
    codes: Iterable[str] = ("400", "415", "422"),
) -> MockResponse | None:
    """Return the spec's own answer to an invalid request (Prism's rule), if it declares one.

    Malformed bodies take the spec's 400, else its 422; schema violations its 422, else its
    400; an unsupported media type its 415. Failing those, ``declared_for`` finds the
    operation's range or ``default`` response for the status itself, so that the answer
    still conforms to the spec. The source header keeps the reason, since the spec's
    example cannot say what was wrong.
    """
    codes = frozenset(codes)
    detail = exc.to_problem().detail  # the client's text: never a format string

    def note(status: int) -> str:
        return f"spec {status} response to an invalid request: {detail}"

    statuses = (
        (415,) if exc.status == 415 else (400, 422) if exc.status == 400 else (422, 400)
    )
    for status in statuses:
        # Only an exact declaration: a "4XX" range is built as 400, yet speaks for 422 too.
        declared = answers.get((status, None)) if str(status) in codes else None
        if declared is not None:
            return with_note(declared, note(status))
    declared = declared_for(exc.status) if declared_for is not None else None
    if declared is not None:
        return with_note(declared, note(exc.status))
    return None


def spec_answer_to_unauthorized(
    answers: dict[tuple[int, str | None], MockResponse],
    detail: str,
    challenge: str | None,
    declared_for: SpecAnswer | None = None,
) -> MockResponse | None:
    """Return the spec's own 401 to a request without credentials, if it declares one.

    Its exact 401, else (``declared_for``) its 4XX or ``default`` response. It gets the
    ``WWW-Authenticate`` challenge unless the spec declares that header itself (RFC 9110
    requires one on a 401), and the source header says what was missing.
    """
    declared = answers.get((401, None))
    if declared is None and declared_for is not None:
        declared = declared_for(401)
    if declared is None:
        return None
    extra = ()
    if challenge is not None and declared.header("www-authenticate") is None:
        extra = (("www-authenticate", challenge),)
    return with_note(declared, f"spec 401 response: {detail}", extra)


def with_note(
    declared: MockResponse, note: str, extra: tuple[tuple[str, str], ...] = ()
) -> MockResponse:
    """Return ``declared`` with ``note`` as its source header, plus ``extra`` headers."""
    headers = tuple(
        (k, _header_safe(note) if k == SOURCE_HEADER else v)
        for k, v in declared.headers
    )
    return replace(declared, headers=headers + extra)


def _header_safe(text: str, limit: int = 300) -> str:
    """Return ``text`` fit for a header value: one printable line, bounded length."""
    return "".join(ch if " " <= ch <= "~" else " " for ch in text)[:limit]
