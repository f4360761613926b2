"""Render what a Connexion handler returns, as Connexion 3 does for Flask apps.

Accepted: a body (dict, list, str, bytes, None or ``NoContent``), ``(body,)``, ``(body,
status)``, ``(body, headers)``, ``(body, status, headers)``, a Flask/Werkzeug response, or a
``problem()`` response. The media type is the one the operation declares (``text/plain`` for a
string, ``application/octet-stream`` for bytes when several are declared), JSON otherwise.
"""

from __future__ import annotations

import datetime
import decimal
import enum
import functools
import json
import uuid
from collections.abc import Sequence
from typing import Any

from werkzeug.wrappers import Response as WerkzeugResponse

from flask import Response

__all__ = ["NoContent", "is_json", "problem", "to_response"]

PROBLEM_MEDIA_TYPE = "application/problem+json"


class _NoContent:
    """The marker for an empty body (``return NoContent, 204``)."""

    def __repr__(self) -> str:
        return "NoContent"


NoContent: Any = _NoContent()


def _is_no_content(value: Any) -> bool:
    """Return whether ``value`` is ours or Connexion's ``NoContent`` (a bare ``object()``)."""
    if value is NoContent:
        return True
    return type(value) is object and _connexion_no_content() is value


def _connexion_no_content() -> Any:
    """Return ``connexion.NoContent`` if Connexion is already imported (never import it)."""
    import sys

    module = sys.modules.get("connexion.datastructures")
    return getattr(module, "NoContent", None)


def _default(value: Any) -> Any:
    """Encode what Connexion's JSON encoder encodes: naive datetimes are UTC (``Z``)."""
    if isinstance(value, datetime.datetime):
        text = value.isoformat("T")
        return text if value.tzinfo else text + "Z"
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return float(value)
    if isinstance(value, uuid.UUID):
        return str(value)
    raise TypeError(f"Object of type {type(value).__name__} is not JSON serialisable")


_encoder = json.JSONEncoder(default=_default)


def dumps(value: Any) -> str:
    """Serialise ``value`` as JSON with Connexion's extra types (and its trailing newline)."""
    return _encoder.encode(value) + "\n"


@functools.lru_cache(maxsize=256)  # a handful of media types, asked on every response
def is_json(media_type: str | None) -> bool:
    """Return whether ``media_type`` is JSON (``application/json`` or ``+json``)."""
    if not media_type or "/" not in media_type:
        return False
    main, sub = media_type.split(";")[0].strip().lower().split("/", 1)
    return main == "application" and (sub == "json" or sub.endswith("+json"))


def problem(
    status: int,
    title: str,
    detail: str,
    type: str | None = None,
    instance: str | None = None,
    headers: dict[str, str] | None = None,
    ext: dict[str, Any] | None = None,
) -> Response:
    """Return a problem+json response, with ``connexion.problem``'s signature and body."""
    body: dict[str, Any] = {
        "type": type or "about:blank",
        "title": title,
        "detail": detail,
        "status": status,
    }
    if instance:
        body["instance"] = instance
    body.update(ext or {})
    return Response(json.dumps(body), status, headers, mimetype=PROBLEM_MEDIA_TYPE)


def to_response(result: Any, produces: Sequence[str]) -> tuple[Response, Any]:
    """Return ``(response, None)``: response validation reads the body from the response."""
    if isinstance(result, WerkzeugResponse):
        return result, None
    if _is_connexion_response(result):
        response = Response(
            result.body,
            result.status_code,
            result.headers,
            content_type=result.content_type,
        )
        return response, None
    data, status, headers = _unpack(result)
    if isinstance(data, WerkzeugResponse):
        return data, None
    headers = dict(headers or {})
    media_type = _media_type(data, headers, produces)
    if data is None or _is_no_content(data):
        response = Response(status=status or 204, headers=headers)
        if not any(k.lower() == "content-type" for k in headers):
            del response.headers["Content-Type"]
        return response, None
    payload = dumps(data) if is_json(media_type) else data
    if not headers:
        return Response(payload, status or 200, content_type=media_type), None
    response = Response(payload, status or 200, headers)
    if not any(k.lower() == "content-type" for k in headers):
        response.headers["Content-Type"] = media_type
    # Response validation reads the JSON as sent (datetimes as strings), not the Python values.
    return response, None


def _is_connexion_response(value: Any) -> bool:
    """Return whether ``value`` is a ``connexion.lifecycle.ConnexionResponse`` (its problem())."""
    kind = type(value)
    return kind.__name__ == "ConnexionResponse" and kind.__module__.startswith(
        "connexion"
    )


def _unpack(result: Any) -> tuple[Any, int | None, Any]:
    """Split a handler's return value into body, status and headers."""
    if not isinstance(result, tuple):
        return result, None, None
    if len(result) == 1:
        return result[0], None, None
    if len(result) == 2:
        data, second = result
        if isinstance(second, enum.Enum) and isinstance(second.value, int):
            return data, second.value, None
        if isinstance(second, int):
            return data, int(second), None
        return data, None, second
    if len(result) == 3:
        data, status, headers = result
        status = status.value if isinstance(status, enum.Enum) else status
        return data, status, headers
    raise TypeError(
        f"A handler returned a tuple of {len(result)}; return (body), (body, status), "
        "(body, headers) or (body, status, headers)."
    )


def _media_type(data: Any, headers: dict, produces: Sequence[str]) -> str:
    """Pick the response's media type the way Connexion 3 infers it."""
    for key, value in headers.items():
        if key.lower() == "content-type":
            return value
    if len(produces) == 1:
        return (
            "text/plain"
            if produces[0] == "*/*" and isinstance(data, str)
            else produces[0]
        )
    if isinstance(data, str):
        return next((m for m in produces if "text/plain" in m), "text/plain")
    if isinstance(data, bytes):
        return next(
            (m for m in produces if "application/octet-stream" in m),
            "application/octet-stream",
        )
    return next((m for m in produces if is_json(m)), "application/json")
