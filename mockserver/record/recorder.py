"""Turn forwarded exchanges into ``recordings.yaml``, which both transports replay.

The recorder is pure: the proxy (:mod:`mockserver.record.proxy`) hands it each request it
forwarded and the neighbour's answer. An answer is stored only if it validates against the
vendored spec once redacted (else it is reported and dropped). It is filed under what tells
requests apart on replay (:mod:`mockserver.core.replay`): the path, the Host, the query
without credentials, the credential's class (none, accepted, refused) and the body. A request
seen again with a different answer adds to that recording's sequence of answers.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from dataclasses import dataclass, replace
from http.cookies import CookieError, SimpleCookie
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

from satchel.openapi import Miss, Operation, Spec

from mockserver.core.errors import MockError
from mockserver.core.overlay import MISSING_BODY
from mockserver.core.recordings import (
    RecordedAnswer,
    RecordedRequest,
    Recording,
    dump_recordings,
    load_recordings,
)
from mockserver.core.replay_keys import credential_token, host_of, visible_query
from mockserver.core.security import Guard, guard_of
from mockserver.core.select import pick_media_type, response_for
from mockserver.record.redact import Masker

__all__ = ["Exchange", "Outcome", "Recorder", "unknown_fields"]

#: Never stored, whatever the config says (and never declared answers worth replaying).
_ALWAYS_REDACTED = ("authorization", "cookie", "set-cookie", "proxy-authorization")
_MASK_TRIES = 5


@dataclass(frozen=True)
class Exchange:
    """A forwarded request (header names lower-case) and the neighbour's answer."""

    method: str
    path: str
    query: str
    headers: Mapping[str, str]
    body: bytes
    status: int
    response_headers: tuple[tuple[str, str], ...]
    response_body: bytes  # content-encoding already undone


@dataclass(frozen=True)
class Outcome:
    """What happened to one exchange: stored, kept (seen before), refused or unmatched."""

    kind: str  # "stored", "kept", "refused", "unmatched" or "blocked"
    operation: str | None
    status: int
    detail: str

    def __str__(self) -> str:
        return (
            f"{self.kind}: {self.operation or '-'} {self.status} {self.detail}".rstrip()
        )


def unknown_fields(spec: Spec, fields: tuple[str, ...]) -> list[str]:
    """Return the redact_fields that are no property of any schema in the spec."""
    found: set[str] = set()

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            properties = node.get("properties")
            if isinstance(properties, dict):
                found.update(properties)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(spec.document)
    return [name for name in fields if name not in found]


class Recorder:
    """Keep the exchanges of one neighbour in its ``recordings.yaml``."""

    def __init__(
        self,
        spec: Spec,
        path: Path,
        *,
        redact_headers: tuple[str, ...] = (),
        redact_fields: tuple[str, ...] = (),
        seed: int = 0,
    ) -> None:
        self.spec = spec
        self.path = path
        self.redact_headers = frozenset(_ALWAYS_REDACTED + redact_headers)
        self.masker = Masker(spec, redact_fields, seed)
        self.stored = 0  # exchanges written to the file by this recorder
        self._lock = threading.Lock()
        existing = load_recordings(path) if path.is_file() else None
        self.entries: list[Recording] = list(existing.entries) if existing else []

    def record(self, exchange: Exchange) -> Outcome:
        """Validate, redact and store one exchange (or say why not); save the file."""
        found = self.spec.match(exchange.method, exchange.path)
        if isinstance(found, Miss):
            return Outcome(
                "unmatched",
                None,
                exchange.status,
                f"{exchange.method} {exchange.path} is in no operation",
            )
        op = found.operation
        name = op.operation_id or f"{op.method} {op.path}"
        try:
            answer = self._answer(op, name, exchange)
        except _Refusal as refusal:
            return Outcome("refused", name, exchange.status, str(refusal))
        request = self._request(op, name, exchange)
        with self._lock:
            kind, detail = self._store(name, request, answer)
            if kind == "stored":
                self._save()
                self.stored += 1
        return Outcome(kind, name, exchange.status, detail)

    def _answer(self, op: Operation, name: str, exchange: Exchange) -> RecordedAnswer:
        """Return the answer to store: redacted, validated, declared headers only."""
        media = _header(exchange.response_headers, "content-type") or ""
        media = media.split(";")[0].strip().lower() or None
        value = _parse(media, exchange.response_body)
        declared = response_for(op, exchange.status)
        schema = None
        if declared is not None and media is not None and value is not MISSING_BODY:
            content = declared.content.get(media) or pick_media_type(declared, media)
            if content is not None and content.schema is not None:
                schema = (content.schema, content.schema_uri)
        issues: list = []
        for attempt in range(_MASK_TRIES):
            masked, _ = self.masker.body(
                value, schema, f"{name}:{exchange.status}:{attempt}"
            )
            issues = op.validate_response(exchange.status, media, _wire(media, masked))
            if not issues:
                break
        if issues:
            why = "; ".join(f"{i.field or '/'}: {i.message}" for i in issues)
            raise _Refusal(f"does not match the spec: {why}")
        headers = self._headers(op, name, exchange, declared)
        return RecordedAnswer(
            exchange.status,
            masked,
            media if masked is not MISSING_BODY else None,
            headers,
        )

    def _headers(
        self, op: Operation, name: str, exchange: Exchange, declared: Any
    ) -> tuple[tuple[str, str], ...]:
        """Keep the headers the spec declares (no Date, no cookies), masking secrets."""
        wanted = {
            h.lower(): p for h, p in (declared.headers if declared else {}).items()
        }
        kept = []
        for header, value in exchange.response_headers:
            header = header.lower()
            if header not in wanted or header in dict(kept):
                continue
            if header in self.redact_headers:
                parameter = wanted[header]
                value = _text(
                    self.masker.value(
                        value,
                        (parameter.schema, parameter.schema_uri),
                        f"{name}:{exchange.status}:header:{header}",
                    )
                )
            kept.append((header, value))
        return tuple(kept)

    def _request(self, op: Operation, name: str, exchange: Exchange) -> RecordedRequest:
        """Return what tells this request apart from others of the operation."""
        guard = _guard(self.spec, op, name)
        query = parse_qs(exchange.query, keep_blank_values=True)
        present, token = credential_token(
            guard, exchange.headers, query, _cookies(exchange.headers)
        )
        credential = None
        if present is not None:
            refused = exchange.status in (401, 403)
            credential = "none" if not present else "refused" if refused else "accepted"
        media = (exchange.headers.get("content-type") or "").split(";")[0].strip()
        body, text, masked = MISSING_BODY, None, []
        if exchange.body:
            try:
                body = json.loads(exchange.body)
            except ValueError:
                text = exchange.body.decode("utf-8", errors="replace")
            else:
                schema = _request_schema(op, media)
                body, masked = self.masker.body(
                    body, schema, f"{name}:request", response=False
                )
        return RecordedRequest(
            method=exchange.method,
            path=exchange.path,
            host=host_of(exchange.headers),
            query=visible_query(guard, query),
            credential=credential,
            token_sha256=token if credential == "refused" else None,
            body=body,
            text=text,
            masked=tuple(masked),
        )

    def _store(
        self, name: str, request: RecordedRequest, answer: RecordedAnswer
    ) -> tuple[str, str]:
        """File the answer under its request: a new recording, or the next in a sequence."""
        for position, entry in enumerate(self.entries):
            if entry.operation != name or entry.request != request:
                continue
            last = entry.answers[-1]
            if (last.status, last.body, last.media_type, last.headers) == (
                answer.status,
                answer.body,
                answer.media_type,
                answer.headers,
            ):
                return "kept", f"as recording {entry.index} (seen before)"
            self.entries[position] = replace(entry, answers=entry.answers + (answer,))
            count = len(entry.answers) + 1
            return "stored", f"as answer {count} of recording {entry.index}"
        index = len(self.entries) + 1
        self.entries.append(Recording(name, request, (answer,), index=index))
        return "stored", f"as recording {index}"

    def _save(self) -> None:
        """Write the file atomically (the watcher of `up` never sees half a file)."""
        text = dump_recordings(tuple(self.entries))
        temporary = self.path.with_suffix(".yaml.tmp")
        temporary.write_text(text, encoding="utf-8")
        temporary.replace(self.path)


class _Refusal(Exception):
    """An answer that cannot be stored; the message says why."""


def _header(headers: tuple[tuple[str, str], ...], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


def _parse(media: str | None, body: bytes) -> Any:
    """Return the body's value: JSON, text, or MISSING_BODY for none; refuse binary."""
    if not body:
        return MISSING_BODY
    if media is not None and "json" in media:
        try:
            return json.loads(body)
        except ValueError:
            raise _Refusal(f"the body is not JSON, though sent as {media}") from None
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        raise _Refusal(f"the body ({media or 'no content type'}) is binary") from None


def _wire(media: str | None, value: Any) -> Any:
    """Return what the spec validator expects for the body: JSON as bytes, text as text."""
    if value is MISSING_BODY:
        return None
    if media is not None and "json" in media:
        return json.dumps(value).encode()
    return value


def _text(value: Any) -> str:
    """Return a generated header value as it travels."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_text(item) for item in value)
    return str(value)


def _guard(spec: Spec, op: Operation, name: str) -> Guard | None:
    try:
        return guard_of(spec, op, name)
    except MockError:
        return None


def _cookies(headers: Mapping[str, str]) -> dict[str, str]:
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(headers.get("cookie") or "")
    except CookieError:
        return {}
    return {key: morsel.value for key, morsel in jar.items()}


def _request_schema(op: Operation, media: str) -> tuple[Any, str] | None:
    """Return the request body's schema for ``media`` (else the first JSON one)."""
    if op.request_body is None:
        return None
    content = op.request_body.content.get(media) or next(
        (c for m, c in op.request_body.content.items() if "json" in m), None
    )
    if content is None or content.schema is None:
        return None
    return content.schema, content.schema_uri
