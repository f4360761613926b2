"""Pick the declared media type for a Content-Type, and parse bodies by media type."""

from __future__ import annotations

import json
from typing import Any, Mapping, TypeVar
from urllib.parse import parse_qs

from satchel.openapi.multipart import MULTIPART, MultipartUnreadable, parse_multipart

T = TypeVar("T")

FORM = "application/x-www-form-urlencoded"


class BodyUnreadable(ValueError):
    """The body is not valid in its declared media type (bad JSON, bad UTF-8)."""


def essence(content_type: str | None) -> str:
    """Return "type/subtype" in lower case, without parameters ("text/html; charset=x")."""
    return (content_type or "").split(";", 1)[0].strip().lower()


def lowered(declared: Mapping[str, T]) -> dict[str, T]:
    """Return ``declared`` keyed by lower-case media type, ready for :func:`pick`.

    Keys lose their parameters ("application/json; charset=utf-8" is looked up as
    "application/json"); the first declared wins when two then coincide.
    """
    found: dict[str, T] = {}
    for key, value in declared.items():
        found.setdefault(essence(key) or key.lower(), value)
    return found


def pick(declared: Mapping[str, T], content_type: str | None) -> T | None:
    """Return the entry for ``content_type``: exact, then "type/*", then "*/*".

    ``declared`` must be keyed in lower case (see :func:`lowered`).
    """
    wanted = essence(content_type)
    if not wanted:
        return None
    for key in (wanted, wanted.split("/", 1)[0] + "/*", "*/*"):
        if key in declared:
            return declared[key]
    return None


def is_json(media_type: str) -> bool:
    """Tell whether a media type carries JSON (application/json, application/*+json)."""
    media_type = essence(media_type)
    return media_type == "application/json" or media_type.endswith("+json")


def parse_body(content_type: str, body: bytes) -> Any:
    """Parse ``body`` by its Content-Type: JSON, a form (dict of lists), text, or bytes."""
    media_type = essence(content_type)
    try:
        if is_json(media_type):
            return json.loads(body)
        if media_type == FORM:
            return parse_qs(body.decode("utf-8"), keep_blank_values=True)
        if media_type == MULTIPART:
            return parse_multipart(content_type, body)
        if media_type.startswith("text/"):
            return body.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyUnreadable("body is not valid UTF-8") from None
    except MultipartUnreadable as exc:
        raise BodyUnreadable(str(exc)) from None
    except ValueError as exc:  # JSONDecodeError, or a number too long to convert
        raise BodyUnreadable(f"body is not valid JSON: {exc}") from None
    except RecursionError:
        raise BodyUnreadable("body is nested too deeply to parse") from None
    return body
