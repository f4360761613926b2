"""Read OpenAPI 3.1 type forms in 2.0 and 3.0 documents, which real specs use regardless.

The same goes for ``items: [...]`` (a draft 4 tuple), which OpenAPI does not allow: it is
read as ``items: {anyOf: [...]}``.

``type: "null"`` and ``type: [string, "null"]`` are JSON Schema 2020-12 (OpenAPI 3.1); the
2.0 and 3.0 schema dialect knows neither, and its validators fail on them. Vendored specs carry
them anyway, so a lenient load rewrites each into the 3.0 form with the same meaning
(``nullable``, ``anyOf``) and warns; a strict load refuses it (see Documents.warn).
"""

from __future__ import annotations

from typing import Any

from satchel.openapi.refs import Documents, Loc, child
from satchel.openapi.source import split_pointer

_NULL_ONLY: dict[str, Any] = {"nullable": True, "enum": [None]}


def normalise_types(docs: Documents, version: str) -> None:
    """Rewrite (or refuse, when strict) each 3.1-style ``type`` in a 2.0 or 3.0 document."""
    # Deepest first: rewriting an items list moves the schemas inside it.
    for loc in sorted(docs.odd_types, key=lambda loc: -loc[1].count("/")):
        schema = _at(docs, loc)
        if not isinstance(schema, dict):
            continue
        if isinstance(schema.get("items"), list):
            docs.warn(
                child(loc, "items"),
                "'items' is a list (a JSON Schema tuple), which OpenAPI "
                f"{version} does not allow",
                "Give 'items' one schema (anyOf for several kinds); served as anyOf.",
            )
            schema["items"] = {"anyOf": schema["items"]} if schema["items"] else {}
        declared = schema.get("type")
        if not (declared == "null" or isinstance(declared, list)):
            continue
        docs.warn(
            child(loc, "type"),
            f"type {declared!r} is JSON Schema 2020-12 (OpenAPI 3.1), not valid in "
            f"{'Swagger' if version == '2.0' else 'OpenAPI'} {version}",
            "Write one type and 'nullable: true' (or anyOf for several types); served "
            "as if it were written so.",
        )
        _rewrite(schema, declared)


def _rewrite(schema: dict[str, Any], declared: Any) -> None:
    """Replace a list or "null" ``type`` with its 3.0 equivalent, in place."""
    types = declared if isinstance(declared, list) else [declared]
    nullable = "null" in types
    others = [t for t in types if t != "null" and isinstance(t, str)]
    del schema["type"]
    if len(others) == 1:
        schema["type"] = others[0]
        if nullable:
            schema["nullable"] = True
        return
    branches = [{"type": t} for t in others]
    if nullable:
        branches.append(dict(_NULL_ONLY))
    if len(branches) == 1:  # "null" alone
        schema.update(_NULL_ONLY if "enum" not in schema else {"nullable": True})
        return
    if "anyOf" in schema:
        schema.setdefault("allOf", []).append({"anyOf": branches})
    else:
        schema["anyOf"] = branches


def _at(docs: Documents, loc: Loc) -> Any:
    """Return the value at ``loc`` (its pointer came from walking the file, so it exists)."""
    value = docs.files.get(loc[0])
    for token in split_pointer(loc[1]):
        value = value[int(token)] if isinstance(value, list) else value[token]
    return value
