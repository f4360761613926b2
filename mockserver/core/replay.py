"""Replay recorded exchanges: match a request to its recording, or explain every near miss.

A request matches a recording of its operation when its path, host, query (without credential
parameters), credential class and body are the recorded ones; fields the recorder masked in a
request body match any value. Among several recordings that match, the credential decides: a
request without a credential gets what the neighbour answered to none; a request with one gets
the refusal recorded for that very credential, else the accepted answer, else any recorded
refusal (the mock checks presence only, never validity). Repeated requests got a sequence of
answers; replay walks it (the last one repeats) until :meth:`Replay.rewind`.

As in the ``responses`` library's registry, :meth:`Replay.find` returns the match *and* why
every other candidate failed, so an unrecorded request gets an explained miss, never silently
the spec's example.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from typing import Any

from satchel.openapi import MISSING, Operation, Spec
from satchel.problems import Problem

from mockserver.core.answers import SOURCE_HEADER, AnswerBuilder
from mockserver.core.errors import MockError, OverlayError
from mockserver.core.messages import MockResponse, to_response
from mockserver.core.misses import problem_answer
from mockserver.core.overlay import MISSING_BODY
from mockserver.core.plans import find_operation
from mockserver.core.recordings import Recording, Recordings
from mockserver.core.replay_keys import (
    Incoming,
    credential_token,
    host_of,
    visible_query,
)
from mockserver.core.replay_match import credential_rank, differences
from mockserver.core.security import Guard, guard_of

__all__ = ["MISS_SOURCE", "Replay", "build_replay"]

#: The source header of an explained replay miss (the fixture fails the test on it).
MISS_SOURCE = "mock: no matching recording"
_SHOWN = 8  # near misses named in a miss's detail


@dataclass(frozen=True)
class _Entry:
    """One recording, ready to answer: its built responses, in order."""

    recording: Recording
    responses: tuple[MockResponse, ...]
    where: str  # file:line of the recording


class Replay:
    """Every recorded exchange of one neighbour, by operation, and how far each sequence got."""

    def __init__(
        self,
        table: dict[Operation, tuple[_Entry, ...]],
        guards: dict[Operation, Guard | None],
        neighbour: str,
        source: str,
    ) -> None:
        self.table = table
        self.guards = guards
        self.neighbour = neighbour
        self.source = source  # the recordings file, for messages
        self._cursor: dict[int, int] = {}
        self._lock = threading.Lock()

    def __len__(self) -> int:
        return sum(len(entries) for entries in self.table.values())

    def covers(self, operation: Operation) -> bool:
        """Return whether ``operation`` has recordings (so replay answers it)."""
        return operation in self.table

    def rewind(self) -> None:
        """Start every sequence of answers from its first answer again (between tests)."""
        with self._lock:
            self._cursor.clear()

    def incoming(
        self,
        operation: Operation,
        path: str,
        headers: Mapping[str, str],
        query: Mapping[str, list[str]],
        cookies: Mapping[str, str],
        body: bytes,
    ) -> Incoming:
        """Return what replay compares of a request to ``operation``."""
        guard = self.guards.get(operation)
        present, token = credential_token(guard, headers, query, cookies)
        return Incoming(
            path, host_of(headers), visible_query(guard, query), present, token, body
        )

    def find(
        self, operation: Operation, request: Incoming
    ) -> tuple[_Entry | None, list[tuple[_Entry, list[str]]]]:
        """Return the matching recording and, for every other one, why it does not match."""
        matched: list[tuple[int, _Entry]] = []
        failed: list[tuple[_Entry, list[str]]] = []
        for entry in self.table.get(operation, ()):
            reasons = differences(entry.recording, request)
            rank, why = credential_rank(entry.recording.request, request)
            if why:
                reasons.append(why)
            if reasons:
                failed.append((entry, reasons))
            else:
                matched.append((rank, entry))
        if not matched:
            failed.sort(key=lambda item: len(item[1]))
            return None, failed
        matched.sort(key=lambda item: item[0])
        chosen = matched[0][1]
        for _, entry in matched[1:]:
            failed.append((entry, ["another recording matches this credential better"]))
        return chosen, failed

    def answer(self, entry: _Entry) -> MockResponse:
        """Return the next answer of ``entry``'s sequence (the last one repeats)."""
        key = entry.recording.index
        with self._lock:
            position = self._cursor.get(key, 0)
            self._cursor[key] = position + 1
        return entry.responses[min(position, len(entry.responses) - 1)]

    def miss(
        self,
        operation: Operation,
        label: str,
        method: str,
        request: Incoming,
        failed: list[tuple[_Entry, list[str]]],
        base_path: str,
    ) -> MockResponse:
        """Return the 501 problem explaining why no recording of ``operation`` matches."""
        said = {None: "", False: ", without a credential", True: ", with a credential"}
        said = said[request.present]
        host = f" (host {request.host}{said})" if request.host else ""
        nearest = "; ".join(
            f"recording {e.recording.index} ({e.where}): {', '.join(reasons)}"
            for e, reasons in failed[:_SHOWN]
        )
        more = len(failed) - _SHOWN
        detail = (
            f"{self.neighbour}: no recorded exchange of {label} matches {method} "
            f"{request.path}{host}. Nearest: {nearest}"
            + (f"; and {more} more" if more > 0 else "")
            + ". Record this request too, or answer it with an overlay rule."
        )
        problem = Problem(
            status=501,
            type="mock-no-recording",
            detail=detail,
            extensions={
                "recordings": self.source,
                "candidates": [
                    {
                        "recording": e.recording.index,
                        "at": e.where,
                        "reasons": reasons,
                    }
                    for e, reasons in failed
                ],
            },
        )
        return to_response(problem_answer(problem, MISS_SOURCE), base_path, operation)


def build_replay(
    neighbour: str,
    spec: Spec,
    recordings: Recordings | None,
    builder: AnswerBuilder,
    errors: list[MockError],
) -> Replay:
    """Build and validate every recorded answer; add what is wrong to ``errors``.

    Each answer must still validate against the spec (it did when recorded, but the spec may
    have been re-vendored since): an invalid one is an error at its ``file:line``.
    """
    table: dict[Operation, list[_Entry]] = {}
    guards: dict[Operation, Guard | None] = {}
    path = recordings.path if recordings is not None else None
    for recording in recordings.entries if recordings is not None else ():
        where = f"{path}:{recording.line}"
        operation = _operation_of(spec, recording, path, errors)
        if operation is None:
            continue
        if operation not in guards:
            guards[operation] = _guard(spec, operation)
        responses = []
        for number, answer in enumerate(recording.answers, start=1):
            origin = f"{path}:{answer.line}"
            try:
                built = builder.build(
                    operation,
                    answer.status,
                    {},
                    inline=MISSING if answer.body is MISSING_BODY else answer.body,
                    media_type=answer.media_type,
                    extra_headers=answer.headers,
                    origin=origin,
                )
            except MockError as exc:
                errors.append(exc)
                continue
            note = (
                f"recording {recording.index}, answer {number} of "
                f"{len(recording.answers)} ({origin})"
            )
            headers = tuple(
                (k, note if k == SOURCE_HEADER else v) for k, v in built.headers
            )
            response = to_response(
                replace(built, headers=headers), spec.base_path, operation
            )
            responses.append(response)
        if len(responses) == len(recording.answers):
            table.setdefault(operation, []).append(
                _Entry(recording, tuple(responses), where)
            )
    return Replay(
        {op: tuple(entries) for op, entries in table.items()},
        guards,
        neighbour,
        str(path) if path else "",
    )


def _operation_of(
    spec: Spec, recording: Recording, path: Any, errors: list[MockError]
) -> Operation | None:
    """Return the recording's operation, checking that its request still routes there."""
    operation = find_operation(spec, recording.operation)
    request = recording.request
    if operation is None:
        errors.append(
            OverlayError(
                f"recording {recording.index}: operation '{recording.operation}' is not "
                "in the spec.",
                file=path,
                line=recording.line,
                hint="Re-record it, or delete the recording.",
            )
        )
        return None
    found = spec.match(request.method, request.path)
    if getattr(found, "operation", None) is not operation:
        errors.append(
            OverlayError(
                f"recording {recording.index}: {request.method} {request.path} is not "
                f"{recording.operation} in the spec (moved or removed?).",
                file=path,
                line=recording.line,
                hint="Re-record it, or delete the recording.",
            )
        )
        return None
    return operation


def _guard(spec: Spec, operation: Operation) -> Guard | None:
    """Return the operation's credential requirement; a broken one counts as none here.

    A broken requirement is the planner's error to report (when security is enforced).
    """
    label = operation.operation_id or f"{operation.method} {operation.path}"
    try:
        return guard_of(spec, operation, label)
    except MockError:
        return None
