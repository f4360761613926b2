"""Turn a handler's return value into a Flask response (the cheap, common cases first)."""

from __future__ import annotations

import datetime
import decimal
import json
import uuid
from typing import Any

from flask import Response

__all__ = ["JSON_MEDIA_TYPE", "dumps", "to_response"]

JSON_MEDIA_TYPE = "application/json"


def _default(value: Any) -> Any:
    """Encode the non-JSON values handlers commonly return from database rows."""
    if isinstance(value, (datetime.date, datetime.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serialisable")


_encoder = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False, default=_default)


def dumps(value: Any) -> str:
    """Serialise ``value`` as compact JSON."""
    return _encoder.encode(value)


def _no_content(status: int = 204, headers: Any = None) -> Response:
    """Return an empty response without the Content-Type an empty body does not have."""
    response = Response(status=status, headers=headers)
    del response.headers["Content-Type"]
    return response


def to_response(result: Any) -> tuple[Response, Any]:
    """Return ``(response, body)``; body is the JSON value for response validation, if any.

    Accepted: dict/list (200 JSON), ``(body, status)``, ``(body, status, headers)``, a Flask
    ``Response`` (as is) and None (204).
    """
    if isinstance(result, (dict, list)):
        return Response(dumps(result), 200, mimetype=JSON_MEDIA_TYPE), result
    if result is None:
        return _no_content(), None
    if isinstance(result, Response):
        return result, None
    if isinstance(result, tuple) and 2 <= len(result) <= 3:
        body, status = result[0], result[1]
        headers = result[2] if len(result) == 3 else None
        if body is None:
            response = _no_content(status, headers)
        elif isinstance(body, (dict, list)):
            response = Response(dumps(body), status, headers, mimetype=JSON_MEDIA_TYPE)
        else:
            response = Response(body, status, headers)
        return response, body
    raise TypeError(
        f"A handler returned {type(result).__name__}; return a dict or list (JSON 200), "
        "(body, status), (body, status, headers), a flask.Response, or None (204)."
    )
