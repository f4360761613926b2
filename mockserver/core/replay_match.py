"""Compare a request with a recording, saying what differs (as the responses registry does).

Each check returns a reason when the request is not the recorded one; an empty list means it
matches. The credential is ranked rather than checked (see :mod:`mockserver.core.replay`).
"""

from __future__ import annotations

import json
from typing import Any

from satchel.openapi import MISSING

from mockserver.core.overlay import MISSING_BODY
from mockserver.core.recordings import RecordedRequest, Recording
from mockserver.core.replay_keys import Incoming

__all__ = ["credential_rank", "differences"]


def differences(recording: Recording, request: Incoming) -> list[str]:
    """Return why ``request`` is not the recorded one, apart from its credential."""
    recorded = recording.request
    reasons = []
    if recorded.path != request.path:
        reasons.append(f"path is {recorded.path}, not {request.path}")
    if recorded.host is not None and recorded.host != request.host:
        reasons.append(f"host is {recorded.host}, not {request.host or 'none'}")
    if recorded.query != request.query:
        reasons.append(
            f"query is {_show_query(recorded.query)}, not {_show_query(request.query)}"
        )
    why = _body_difference(recorded, request.body)
    if why:
        reasons.append(why)
    return reasons


def credential_rank(recorded: RecordedRequest, request: Incoming) -> tuple[int, str]:
    """Rank how well the request's credential fits a recording (lower is better)."""
    kind = recorded.credential
    if kind is None or request.present is None:
        return 0, ""
    if not request.present:
        if kind == "none":
            return 0, ""
        return 9, f"recorded with a credential ({kind}), the request sends none"
    if kind == "none":
        return 9, "recorded without a credential, the request sends one"
    if kind == "refused" and recorded.token_sha256 == request.token:
        return 0, ""
    return (1, "") if kind == "accepted" else (2, "")


def _body_difference(recorded: RecordedRequest, body: bytes) -> str:
    """Say how the request body differs from the recorded one ('' when it matches)."""
    if recorded.text is not None:
        sent = body.decode("utf-8", errors="replace")
        return (
            "" if sent == recorded.text else "the body differs from the recorded text"
        )
    if recorded.body is MISSING_BODY:
        return "" if not body else "the request has a body, the recording none"
    try:
        value = json.loads(body) if body else MISSING_BODY
    except ValueError:
        return "the body is not the recorded JSON (it is not JSON)"
    if value is MISSING_BODY:
        return "the recording has a body, the request none"
    sent, expected = _without(value, recorded.masked), _without(
        recorded.body, recorded.masked
    )
    if sent == expected:
        return ""
    return f"the body differs: {_first_difference(expected, sent, '')}"


def _without(value: Any, pointers: tuple[str, ...]) -> Any:
    """Return ``value`` without the fields at ``pointers`` (masked: any value matches)."""
    if not pointers:
        return value
    value = json.loads(json.dumps(value))
    for pointer in pointers:
        parts = [
            p.replace("~1", "/").replace("~0", "~") for p in pointer.split("/")[1:]
        ]
        node = value
        for part in parts[:-1]:
            node = _step(node, part)
        if isinstance(node, dict):
            node.pop(parts[-1], None)
        elif (
            isinstance(node, list)
            and parts[-1].isdigit()
            and int(parts[-1]) < len(node)
        ):
            node[int(parts[-1])] = None
    return value


def _step(node: Any, part: str) -> Any:
    if isinstance(node, dict):
        return node.get(part)
    if isinstance(node, list) and part.isdigit() and int(part) < len(node):
        return node[int(part)]
    return None


def _first_difference(recorded: Any, sent: Any, pointer: str) -> str:
    """Name the first place where two JSON values differ."""
    if isinstance(recorded, dict) and isinstance(sent, dict):
        for key in sorted(set(recorded) | set(sent)):
            if recorded.get(key, MISSING) != sent.get(key, MISSING):
                return _first_difference(
                    recorded.get(key, MISSING),
                    sent.get(key, MISSING),
                    f"{pointer}/{key}",
                )
    shown = "absent" if recorded is MISSING else json.dumps(recorded)[:60]
    now = "absent" if sent is MISSING else json.dumps(sent)[:60]
    return f"{pointer or '/'} is {shown} in the recording, {now} in the request"


def _show_query(query: tuple[tuple[str, tuple[str, ...]], ...]) -> str:
    if not query:
        return "empty"
    return "&".join(f"{k}={v}" for k, values in query for v in values)
