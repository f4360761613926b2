"""Read and write ``recordings.yaml``: a neighbour's recorded exchanges, replayed by the mock.

``satchel-mock record`` writes the file beside the vendored spec; ``up``, ``check``, ``drift``
and the pytest fixture read it. One entry per distinct request; its answers replay in the
order they were recorded (the last one repeats). Example::

    recordings:
      - operation: list_class_pupils
        request:
          method: GET
          path: /v1/classes/1/pupils
          host: school-a.students.localhost   # the Host the caller sent, without port
          query: {verbose: ["1"]}             # every value of every parameter
          credential: accepted                # none, accepted or refused (see below)
          body: {name: 4B}                    # the JSON body (or text: for any other)
          masked: [/name]                     # redacted request fields: any value matches
        answers:
          - status: 200
            media_type: application/json
            headers: {location: /v1/classes/1}
            body: {class: {id: 1, name: 4B, year_group: 4}, items: []}

``credential`` is absent when the operation requires none; ``none`` when the request carried
no credential for it; ``refused`` when the neighbour answered 401 or 403 to one (with
``token_sha256``, the start of the refused credential's SHA-256, so that very credential
replays the refusal); ``accepted`` otherwise.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mockserver.core.errors import OverlayError
from mockserver.core.overlay import MISSING_BODY
from mockserver.core.yamlsource import YamlSource, check_keys, read_yaml

__all__ = [
    "CREDENTIAL_CLASSES",
    "RecordedAnswer",
    "RecordedRequest",
    "Recording",
    "Recordings",
    "RecordingsError",
    "dump_recordings",
    "load_recordings",
    "recordings_path",
]

CREDENTIAL_CLASSES = ("none", "accepted", "refused")
HEADER = (
    "# Written by `satchel-mock record`; replayed by `satchel-mock up` and the fixture.\n"
    "# One entry per distinct request; its answers replay in order (the last repeats).\n"
)
_TOP_KEYS = ("recordings",)
_ENTRY_KEYS = ("operation", "request", "answers")
_REQUEST_KEYS = (
    "method",
    "path",
    "host",
    "query",
    "credential",
    "token_sha256",
    "body",
    "text",
    "masked",
)
_ANSWER_KEYS = ("status", "media_type", "headers", "body")


def recordings_path(spec_path: str | Path) -> Path:
    """Return where ``satchel-mock record`` keeps a neighbour's recordings: beside its spec."""
    return Path(spec_path).parent / "recordings.yaml"


class RecordingsError(OverlayError):
    """``recordings.yaml`` is malformed (or in the old overlay format)."""


@dataclass(frozen=True)
class RecordedRequest:
    """What distinguishes one recorded request from another of the same operation."""

    method: str
    path: str
    host: str | None = None
    query: tuple[tuple[str, tuple[str, ...]], ...] = ()
    credential: str | None = None  # None: the operation requires no credential
    token_sha256: str | None = None  # of a refused credential only
    body: Any = MISSING_BODY  # a JSON value, or MISSING_BODY for no JSON body
    text: str | None = None  # a non-JSON body, as text
    masked: tuple[str, ...] = ()  # JSON pointers redacted in ``body``


@dataclass(frozen=True)
class RecordedAnswer:
    """One answer the neighbour gave to a recorded request."""

    status: int
    body: Any = MISSING_BODY  # MISSING_BODY: an empty body
    media_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()
    line: int | None = field(default=None, compare=False)  # where it is, not what


@dataclass(frozen=True)
class Recording:
    """A distinct request of one operation and the answers it got, in order."""

    operation: str
    request: RecordedRequest
    answers: tuple[RecordedAnswer, ...]
    index: int = 0  # 1-based position in the file
    line: int | None = field(default=None, compare=False)  # where it is, not what


@dataclass(frozen=True)
class Recordings:
    """A parsed ``recordings.yaml``."""

    path: Path | None = None
    entries: tuple[Recording, ...] = field(default_factory=tuple)


def load_recordings(path: str | Path) -> Recordings:
    """Read and check ``recordings.yaml``; raise :class:`RecordingsError` at its file:line."""
    source = read_yaml(path, RecordingsError)
    data = {} if source.data is None else source.data
    if isinstance(data, dict) and ("examples" in data or "rules" in data):
        _fail(
            source,
            "",
            "this is a recordings file in the old format (an overlay of examples and "
            "rules), which cannot tell requests apart by credential, host or body.",
            "Delete it and record again with `satchel-mock record`.",
        )
    top = check_keys(source, "", data, _TOP_KEYS, RecordingsError, "recordings.yaml")
    items = top.get("recordings") or []
    if not isinstance(items, list):
        _fail(source, "/recordings", "recordings must be a list of recorded requests.")
    entries = tuple(
        _entry(source, f"/recordings/{i}", item, i + 1) for i, item in enumerate(items)
    )
    return Recordings(path=source.path, entries=entries)


def _entry(source: YamlSource, pointer: str, item: Any, index: int) -> Recording:
    """Parse one recorded request and its answers."""
    entry = check_keys(
        source, pointer, item, _ENTRY_KEYS, RecordingsError, "a recording"
    )
    operation = entry.get("operation")
    if not isinstance(operation, str) or not operation:
        _fail(source, pointer, "a recording needs operation: its operationId.")
    for key in ("request", "answers"):
        if key not in entry:
            _fail(source, pointer, f"the recording of {operation} has no {key}.")
    answers = entry["answers"]
    if not isinstance(answers, list) or not answers:
        _fail(source, f"{pointer}/answers", "answers must be a non-empty list.")
    return Recording(
        operation=operation,
        request=_request(source, f"{pointer}/request", entry["request"]),
        answers=tuple(
            _answer(source, f"{pointer}/answers/{i}", answer)
            for i, answer in enumerate(answers)
        ),
        index=index,
        line=source.line(pointer),
    )


def _request(source: YamlSource, pointer: str, value: Any) -> RecordedRequest:
    """Parse ``request``."""
    request = check_keys(
        source, pointer, value, _REQUEST_KEYS, RecordingsError, "request"
    )
    method, path = request.get("method"), request.get("path")
    if not isinstance(method, str) or not method.isalpha():
        _fail(
            source, f"{pointer}/method", f"method must be GET, POST..., not {method!r}."
        )
    if not isinstance(path, str) or not path.startswith("/"):
        _fail(source, f"{pointer}/path", f"path must start with /, not {path!r}.")
    host = request.get("host")
    if host is not None and not isinstance(host, str):
        _fail(source, f"{pointer}/host", f"host must be a host name, not {host!r}.")
    credential = request.get("credential")
    if credential is not None and credential not in CREDENTIAL_CLASSES:
        _fail(
            source,
            f"{pointer}/credential",
            f"credential must be one of {', '.join(CREDENTIAL_CLASSES)}, "
            f"not {credential!r}.",
        )
    if "body" in request and "text" in request:
        _fail(source, pointer, "a request has body (JSON) or text, not both.")
    text = request.get("text")
    if text is not None and not isinstance(text, str):
        _fail(source, f"{pointer}/text", "text must be the body as a string.")
    masked = request.get("masked") or []
    if not isinstance(masked, list) or not all(
        isinstance(m, str) and m.startswith("/") for m in masked
    ):
        _fail(source, f"{pointer}/masked", "masked must list JSON pointers (/name).")
    return RecordedRequest(
        method=method.upper(),
        path=path,
        host=host.lower() if host else None,
        query=_query(source, f"{pointer}/query", request.get("query")),
        credential=credential,
        token_sha256=_text_or_none(request.get("token_sha256")),
        body=request.get("body", MISSING_BODY),
        text=text,
        masked=tuple(masked),
    )


def _query(
    source: YamlSource, pointer: str, value: Any
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Parse ``query: {name: [values]}`` into a sorted, hashable form."""
    if value is None:
        return ()
    if not isinstance(value, dict) or not all(
        isinstance(v, list) and all(isinstance(i, str) for i in v)
        for v in value.values()
    ):
        _fail(source, pointer, "query must map a parameter to a list of strings.")
    return tuple(sorted((str(k), tuple(v)) for k, v in value.items()))


def _answer(source: YamlSource, pointer: str, value: Any) -> RecordedAnswer:
    """Parse one answer."""
    answer = check_keys(source, pointer, value, _ANSWER_KEYS, RecordingsError, "answer")
    status = answer.get("status")
    if isinstance(status, bool) or not isinstance(status, int):
        _fail(
            source,
            f"{pointer}/status",
            f"status must be an HTTP status, not {status!r}.",
        )
    if not 100 <= status <= 599:
        _fail(
            source,
            f"{pointer}/status",
            f"status must be an HTTP status, not {status!r}.",
        )
    media_type = answer.get("media_type")
    if media_type is not None and not isinstance(media_type, str):
        _fail(source, f"{pointer}/media_type", "media_type must be a string.")
    headers = answer.get("headers") or {}
    if not isinstance(headers, dict):
        _fail(source, f"{pointer}/headers", "headers must map a name to a value.")
    return RecordedAnswer(
        status=status,
        body=answer.get("body", MISSING_BODY),
        media_type=media_type,
        headers=tuple((str(k).lower(), str(v)) for k, v in headers.items()),
        line=source.line(pointer),
    )


def _text_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _fail(source: YamlSource, pointer: str, message: str, hint: str = "") -> None:
    """Raise a :class:`RecordingsError` at the line of ``pointer``."""
    raise RecordingsError(
        message, file=source.path, line=source.line(pointer), hint=hint
    )


def dump_recordings(entries: tuple[Recording, ...]) -> str:
    """Return the text of ``recordings.yaml`` holding ``entries``."""
    data = {"recordings": [_entry_data(entry) for entry in entries]}
    return HEADER + yaml.safe_dump(
        data, sort_keys=False, allow_unicode=True, default_flow_style=False
    )


def _entry_data(entry: Recording) -> dict[str, Any]:
    """Return one recording as plain data, leaving out what is empty."""
    request = entry.request
    shown: dict[str, Any] = {"method": request.method, "path": request.path}
    if request.host:
        shown["host"] = request.host
    if request.query:
        shown["query"] = {name: list(values) for name, values in request.query}
    if request.credential is not None:
        shown["credential"] = request.credential
    if request.token_sha256:
        shown["token_sha256"] = request.token_sha256
    if request.body is not MISSING_BODY:
        shown["body"] = request.body
    if request.text is not None:
        shown["text"] = request.text
    if request.masked:
        shown["masked"] = list(request.masked)
    answers = []
    for answer in entry.answers:
        data: dict[str, Any] = {"status": answer.status}
        if answer.media_type:
            data["media_type"] = answer.media_type
        if answer.headers:
            data["headers"] = dict(answer.headers)
        if answer.body is not MISSING_BODY:
            data["body"] = answer.body
        answers.append(data)
    return {"operation": entry.operation, "request": shown, "answers": answers}
