"""Record a real neighbour's answers as overlay examples that both transports replay.

The recorder is pure: the proxy (:mod:`mockserver.record.proxy`) hands it each forwarded request
and the neighbour's response. A response is stored only if it validates against the vendored
spec (else it is reported and dropped), after redacting the configured headers and JSON
fields. Every distinct response is kept as a named example (``recorded-1``, ...); a rule per
distinct request (path parameters and query) replays its latest answer. The file,
``recordings.yaml`` beside the spec, is an ordinary overlay.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import yaml

from satchel.openapi import Miss, Spec

from mockserver.core.errors import MockError
from mockserver.core.select import response_for

__all__ = ["Outcome", "Recorder", "RecordError", "check_target", "redact"]

REDACTED = "REDACTED"
#: Never stored, whatever the config says.
_ALWAYS_REDACTED = ("authorization", "cookie", "set-cookie", "proxy-authorization")
_HEADER = "# Written by `satchel-mock record`; replayed by `satchel-mock up` and the fixture.\n"


class RecordError(MockError):
    """Recording cannot start or continue (a target host not allowed, a bad file)."""


@dataclass(frozen=True)
class Outcome:
    """What happened to one recorded exchange: stored, kept (seen before) or refused."""

    kind: str  # "stored", "kept", "refused" or "unmatched"
    operation: str | None
    status: int
    detail: str

    def __str__(self) -> str:
        return (
            f"{self.kind}: {self.operation or '-'} {self.status} {self.detail}".rstrip()
        )


def check_target(neighbour: str, target: str, allowed: tuple[str, ...]) -> str:
    """Return the target's base URL if mocks.yaml allows its host; raise otherwise."""
    url = urlsplit(target)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise RecordError(f"--target must be an http(s) URL, not {target!r}.")
    host = url.hostname.lower()
    hosts = {h.lower() for h in allowed}
    if host not in hosts and url.netloc.lower() not in hosts:
        shown = ", ".join(sorted(hosts)) or "none"
        raise RecordError(
            f"refusing to record {neighbour} from {url.netloc}: not an allowed host "
            f"(allowed: {shown}).",
            hint=f"Add it under neighbours.{neighbour}.record.allow in mocks.yaml.",
        )
    return target.rstrip("/")


def redact(value: Any, fields: tuple[str, ...]) -> Any:
    """Return ``value`` with every string under a key named in ``fields`` replaced."""
    if isinstance(value, dict):
        return {
            k: (REDACTED if k in fields and isinstance(v, str) else redact(v, fields))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [redact(item, fields) for item in value]
    return value


class Recorder:
    """Turn exchanges into a recordings overlay for one neighbour's spec."""

    def __init__(
        self,
        spec: Spec,
        path: Path,
        *,
        redact_headers: tuple[str, ...] = (),
        redact_fields: tuple[str, ...] = (),
    ) -> None:
        self.spec = spec
        self.path = path
        self.redact_headers = frozenset(_ALWAYS_REDACTED + redact_headers)
        self.redact_fields = redact_fields
        self._lock = threading.Lock()
        self.data = _load(path)

    def record(
        self,
        method: str,
        path: str,
        query: str,
        status: int,
        media_type: str,
        body: bytes,
        headers: dict[str, str] | None = None,
    ) -> Outcome:
        """Validate, redact and store one response (or say why not); save the file."""
        found = self.spec.match(method, path)
        if isinstance(found, Miss):
            return Outcome(
                "unmatched", None, status, f"{method} {path} is in no operation"
            )
        op = found.operation
        name = op.operation_id or f"{op.method} {op.path}"
        try:
            value = json.loads(body) if body else None
        except ValueError:
            return Outcome("refused", name, status, "the body is not JSON")
        value = redact(value, self.redact_fields)
        encoded = json.dumps(value).encode() if value is not None else None
        issues = op.validate_response(status, media_type.split(";")[0].strip(), encoded)
        if issues:
            why = "; ".join(f"{i.field or '/'}: {i.message}" for i in issues)
            return Outcome("refused", name, status, f"does not match the spec: {why}")
        when = {"path": dict(found.path_params)}
        first = {k: v[0] for k, v in parse_qs(query).items()}
        if first:
            when["query"] = first
        declared = response_for(op, status)
        wanted = (
            {h.lower() for h in declared.headers} if declared is not None else set()
        )
        kept = {
            k.lower(): REDACTED if k.lower() in self.redact_headers else v
            for k, v in (headers or {}).items()
            if k.lower() in wanted  # only what the spec declares: no Date, no cookies
        }
        with self._lock:
            kind, example = self._store(name, status, value, when, kept)
            _save(self.path, self.data)
        return Outcome(kind, name, status, f"as {example}")

    def _store(
        self, name: str, status: int, value: Any, when: dict, headers: dict[str, str]
    ) -> tuple[str, str]:
        """Add the example (unless an equal one exists) and point the request's rule at it."""
        named = self.data["examples"].setdefault(name, {}).setdefault(str(status), {})
        example = next((n for n, v in named.items() if v == value), None)
        kind = "kept" if example is not None else "stored"
        if example is None:
            count = sum(
                len(e) for by in self.data["examples"].values() for e in by.values()
            )
            example = f"recorded-{count + 1}"
            named[example] = value
        respond: dict[str, Any] = {"status": status, "example": example}
        if headers:
            respond["headers"] = headers
        for rule in self.data["rules"]:
            if rule["operation"] == name and rule["when"] == when:
                rule["respond"] = respond
                break
        else:
            self.data["rules"].append(
                {"operation": name, "when": when, "respond": respond}
            )
        return kind, example


def _load(path: Path) -> dict[str, Any]:
    """Read existing recordings (to add to them), or start empty."""
    if not path.is_file():
        return {"examples": {}, "rules": []}
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    if not isinstance(data, dict):
        raise RecordError(f"{path} is not a recordings overlay (a mapping).")
    return {"examples": data.get("examples") or {}, "rules": data.get("rules") or []}


def _save(path: Path, data: dict[str, Any]) -> None:
    """Write the recordings overlay atomically (the watcher never sees half a file)."""
    text = _HEADER + yaml.safe_dump(data, sort_keys=False, allow_unicode=True)
    temporary = path.with_suffix(".yaml.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)
