"""Choose what a mocked operation answers: status, media type and body source.

The precedence, documented for users in the README and ``--help``:

1. an active scenario's rule, then an always-on overlay rule (first match wins);
2. the client's ``Prefer: code=, example=, dynamic=`` header;
3. for an operation with recordings, the recorded answer (:mod:`mockserver.core.replay`);
4. otherwise the lowest declared 2xx status.

Within the chosen status and media type, the body is the requested example by name (the spec's
or the overlay's), else the spec's first named example, else the media type's ``example``, else
the schema's ``example``/``default``, else the overlay's first example for that status, else
data generated from the schema. The spec stays the default; the overlay fills its gaps.
"""

from __future__ import annotations

from typing import Any

from satchel.openapi import MISSING, MediaType, Operation, Response

__all__ = [
    "BodyChoice",
    "declared_statuses",
    "default_status",
    "example_names",
    "pick_media_type",
    "response_for",
    "static_body",
]

_JSON_FIRST = ("application/json", "application/problem+json")

#: (source label, value); the label shows in the ``Satchel-Mock-Source`` header.
BodyChoice = tuple[str, Any]


def response_for(operation: Operation, status: int) -> Response | None:
    """Return the declared response for ``status``: exact, then ``4XX``-style, then default."""
    responses = operation.responses
    return (
        responses.get(str(status))
        or responses.get(f"{str(status)[0]}XX")
        or responses.get(f"{str(status)[0]}xx")
        or responses.get("default")
    )


def default_status(operation: Operation) -> int:
    """Return the status answered by default, as Prism chooses it.

    The lowest exact 2xx, else a "2XX" range (as 200), else ``default`` (as 200), else the
    first code declared, in document order.
    """
    codes, ranges, declared = [], [], []
    for key in operation.responses:
        if key.isdigit():
            codes.append(int(key))
            declared.append(int(key))
        elif len(key) == 3 and key[0].isdigit() and key[1:].upper() == "XX":
            ranges.append(int(key[0]) * 100)
            declared.append(int(key[0]) * 100)
    success = sorted(code for code in codes if 200 <= code < 300)
    success += sorted(code for code in ranges if code == 200)
    if success:
        return success[0]
    if "default" in operation.responses or not declared:
        return 200
    return declared[0]


def declared_statuses(operation: Operation) -> tuple[int, ...]:
    """Return every concrete status the operation declares (ranges as their x00 code)."""
    found = {default_status(operation)}
    for key in operation.responses:
        if key.isdigit():
            found.add(int(key))
        elif key[0].isdigit() and key[1:].upper() == "XX":
            found.add(int(key[0]) * 100)
    return tuple(sorted(found))


def pick_media_type(response: Response, wanted: str | None = None) -> MediaType | None:
    """Return the media type to answer with: ``wanted`` if declared, else JSON, else the first."""
    content = response.content
    if not content:
        return None
    if wanted is not None and wanted in content:
        return content[wanted]
    for name in _JSON_FIRST:
        if name in content:
            return content[name]
    for name, media in content.items():
        if name.endswith("+json") or name.endswith("/json"):
            return media
    return next(iter(content.values()))


def example_names(
    media: MediaType | None, overlay_named: dict[str, Any]
) -> tuple[str, ...]:
    """Return the example names usable for a response: the spec's, then the overlay's."""
    names = list(media.examples) if media is not None else []
    return tuple(names + [name for name in overlay_named if name not in names])


def static_body(
    media: MediaType | None, overlay_named: dict[str, Any], name: str | None = None
) -> BodyChoice | None:
    """Return the body taken from examples, or ``None`` when it has to be generated.

    Raise ``KeyError`` naming the available examples when ``name`` is not one of them.
    """
    if name is not None:
        if media is not None and name in media.examples:
            return f"example {name}", media.examples[name]
        if name in overlay_named:
            return f"overlay example {name}", overlay_named[name]
        raise KeyError(name)
    if media is not None:
        if media.examples:
            first = next(iter(media.examples))
            return f"example {first}", media.examples[first]
        if media.example is not MISSING:
            return "example", media.example
        schema = media.schema or {}
        if "example" in schema:
            return "schema example", schema["example"]
        if isinstance(schema.get("examples"), list) and schema["examples"]:
            return "schema example", schema["examples"][0]
        if "default" in schema:
            return "schema default", schema["default"]
    if overlay_named:
        first = next(iter(overlay_named))
        return f"overlay example {first}", overlay_named[first]
    return None
