"""Compare two versions of a schema as the client uses it: sending it, or reading it.

Schemas are compared through a flat *view*: ``$ref`` followed, ``allOf`` parts merged (their
properties and required fields unioned) and ``oneOf``/``anyOf`` alternatives joined (any
alternative's property may be sent; a field is required only if every alternative requires
it). So wrapping a schema in ``allOf`` or splitting it into ``oneOf`` variants is not reported
as fields removed, while a field that really left every variant is.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from satchel.openapi import Spec

__all__ = ["SchemaDiffer", "View", "view_of"]

_MAX_DEPTH = 12
Located = tuple[Any, str]  # a schema and the URI its $refs resolve against


@dataclass
class View:
    """What a schema says about a value, all compositions folded in."""

    types: set[str] | None = None  # None: not constrained
    enum: list[Any] | None = None
    properties: dict[str, Located] = field(default_factory=dict)
    required: set[str] = field(default_factory=set)
    closed: bool = False  # additionalProperties: false somewhere
    items: Located | None = None


def _types(schema: dict) -> set[str] | None:
    """Return the schema's declared types (3.0 ``nullable`` and 3.1 type arrays included)."""
    kind = schema.get("type")
    if kind is None:
        return None
    found = set(kind) if isinstance(kind, list) else {kind}
    if schema.get("nullable") is True:
        found.add("null")
    return found


def view_of(spec: Spec, schema: Any, uri: str, depth: int = 0) -> View:
    """Return the flat view of ``schema`` (found at ``uri``) in ``spec``."""
    if uri:
        schema, uri = spec.deref(schema, uri)
    view = View()
    if not isinstance(schema, dict) or depth > _MAX_DEPTH:
        return view
    view.types = _types(schema)
    if isinstance(schema.get("enum"), list):
        view.enum = list(schema["enum"])
    view.properties = {
        name: (sub, _child(uri, "properties", name))
        for name, sub in (schema.get("properties") or {}).items()
    }
    view.required = set(schema.get("required") or ())
    view.closed = schema.get("additionalProperties") is False
    if "items" in schema:
        view.items = (schema["items"], _child(uri, "items"))
    for index, part in enumerate(schema.get("allOf") or ()):
        _merge_all(
            view, view_of(spec, part, _child(uri, "allOf", str(index)), depth + 1)
        )
    for key in ("oneOf", "anyOf"):
        parts = schema.get(key) or ()
        views = [
            view_of(spec, part, _child(uri, key, str(i)), depth + 1)
            for i, part in enumerate(parts)
        ]
        if views:
            _merge_any(view, views)
    return view


def _merge_all(view: View, part: View) -> None:
    """Fold an ``allOf`` part into ``view``: every constraint applies."""
    if part.types is not None:
        view.types = part.types if view.types is None else view.types & part.types
    if part.enum is not None and view.enum is None:
        view.enum = part.enum
    for name, located in part.properties.items():
        view.properties.setdefault(name, located)
    view.required |= part.required
    view.closed = view.closed or part.closed
    view.items = view.items or part.items


def _merge_any(view: View, parts: list[View]) -> None:
    """Fold ``oneOf``/``anyOf`` alternatives into ``view``: any one of them may apply."""
    kinds = [p.types for p in parts]
    if all(k is not None for k in kinds) and view.types is None:
        view.types = set().union(*kinds)
    for part in parts:
        for name, located in part.properties.items():
            view.properties.setdefault(name, located)
        view.items = view.items or part.items
    view.required |= set.intersection(*(p.required for p in parts))
    view.closed = view.closed or all(p.closed for p in parts)


def _child(uri: str, *parts: str) -> str:
    """Return the URI of a sub-schema (so nested $refs resolve against the right file)."""
    if not uri:
        return uri
    escaped = "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)
    return f"{uri.rstrip('/')}/{escaped}"


def _lost(had: set[str], has: set[str]) -> set[str]:
    """Return the types in ``had`` that ``has`` no longer admits (an integer is a number)."""
    gone = had - has
    return gone - {"integer"} if "number" in has else gone


def _shown(types: set[str]) -> str:
    return " or ".join(sorted(types))


class SchemaDiffer:
    """Report the changes between two schemas, through ``add(message, breaking)``."""

    def __init__(self, old: Spec, new: Spec, add: Callable[[str, bool], None]) -> None:
        self.old, self.new, self.add = old, new, add

    def compare(
        self,
        before: Located,
        after: Located,
        where: str,
        direction: str,
        depth: int = 0,
    ) -> None:
        """Compare two schemas as a client sending (request) or reading (response) them."""
        if depth > _MAX_DEPTH:
            return
        old = view_of(self.old, before[0], before[1])
        new = view_of(self.new, after[0], after[1])
        if old.types is not None and new.types is not None and old.types != new.types:
            # A client reading must cope with every new type; one sending, with none lost.
            changed = (
                _lost(old.types, new.types)
                if direction == "request"
                else _lost(new.types, old.types)
            )
            self.add(
                f"{where}: type changed from {_shown(old.types)} to {_shown(new.types)}",
                bool(changed),
            )
            if not old.types & new.types:
                return
        self._enums(old, new, where, direction)
        self._properties(old, new, where, direction, depth)
        if old.items is not None and new.items is not None:
            self.compare(old.items, new.items, f"{where}[]", direction, depth + 1)

    def _enums(self, old: View, new: View, where: str, direction: str) -> None:
        if direction == "request" and new.enum is not None:
            lost = [v for v in old.enum or [] if v not in new.enum]
            if lost or old.enum is None:
                shown = ", ".join(map(repr, lost)) if lost else "values outside it"
                self.add(f"{where}: enum narrowed, no longer accepts {shown}", True)
        if direction == "response" and old.enum is not None and new.enum is not None:
            extra = [v for v in new.enum if v not in old.enum]
            if extra:
                self.add(
                    f"{where}: new enum value(s) {', '.join(map(repr, extra))}", False
                )

    def _properties(
        self, old: View, new: View, where: str, direction: str, depth: int
    ) -> None:
        if direction == "request":
            for name in sorted(new.required - old.required):
                self.add(f"{where}: new required field {name}", True)
        # Without declared properties (and open), the new schema says nothing either way.
        known = bool(new.properties) or new.closed
        for name in sorted(old.properties):
            path = f"{where} {name}" if where.endswith(" body") else f"{where}.{name}"
            if name not in new.properties:
                if direction == "response" and known:
                    self.add(f"{path} removed", True)
                elif direction == "request" and new.closed:
                    self.add(f"{path} is no longer accepted", True)
                continue
            if direction == "response" and name in old.required - new.required:
                self.add(f"{path} is no longer always sent", True)
            self.compare(
                old.properties[name], new.properties[name], path, direction, depth + 1
            )
