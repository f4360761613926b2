"""Inline a schema's ``$ref`` targets at compile time, so validation does no reference lookups.

jsonschema resolves each ``$ref`` through the registry on every validation (a pointer walk per
reference, per request). Inlining turns that into plain dict access. Targets are shared, not
copied, so a schema used many times costs one copy; a reference back into a schema being
inlined (recursion) stays a ``$ref``, made absolute so the registry resolves it from anywhere.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote, unquote

from satchel.openapi.errors import SpecError
from satchel.openapi.refs import Documents, Loc, child

# Keywords that change how references resolve; schemas using them keep their $refs as written.
_SCOPE_KEYWORDS = frozenset({"$id", "id", "$anchor", "$dynamicRef", "$dynamicAnchor"})
# Values under these keywords are data, not schemas.
_DATA_KEYWORDS = frozenset({"example", "examples", "default", "enum", "const"})
# Values under these keywords are maps of name -> schema (a property may be called "example").
_NAME_MAPS = frozenset(
    {"properties", "patternProperties", "$defs", "definitions", "dependentSchemas"}
)


class CannotInline(Exception):
    """The schema uses scoping keywords; validate it through its ``$ref`` instead."""


def inline_refs(docs: Documents, schema: Any, uri: str, keep_siblings: bool) -> Any:
    """Return ``schema`` (found at ``uri``) with every non-recursive ``$ref`` replaced.

    ``keep_siblings`` follows OpenAPI 3.1: keywords beside ``$ref`` still apply (3.0 ignores
    them).
    """
    base, _, pointer = uri.partition("#")
    inliner = _Inliner(docs, keep_siblings)
    return inliner.inline(schema, (base, unquote(pointer)))


class _Inliner:
    """One inlining pass, with a memo of finished targets and the stack of open ones."""

    def __init__(self, docs: Documents, keep_siblings: bool) -> None:
        self.docs = docs
        self.keep_siblings = keep_siblings
        self.done: dict[Loc, Any] = {}
        self.open: set[Loc] = set()

    def inline(self, value: Any, loc: Loc, names: bool = False) -> Any:
        """Inline ``value`` found at ``loc``; ``names`` marks a map of name -> schema."""
        if isinstance(value, list):
            return [
                self.inline(item, (loc[0], f"{loc[1]}/{i}"))
                for i, item in enumerate(value)
            ]
        if not isinstance(value, dict):
            return value
        if names:
            return {
                key: self.inline(item, child(loc, key)) for key, item in value.items()
            }
        if not _SCOPE_KEYWORDS.isdisjoint(value):
            raise CannotInline
        ref = value.get("$ref")
        if isinstance(ref, str):
            target = self._target(ref, loc)
            siblings = {k: v for k, v in value.items() if k != "$ref"}
            if not self.keep_siblings or not siblings:
                return target
            return {"allOf": [target, self._object(siblings, loc)]}
        return self._object(value, loc)

    def _object(self, value: dict[str, Any], loc: Loc) -> dict[str, Any]:
        """Inline every sub-schema of a schema object, leaving data keywords alone."""
        inlined = {
            key: (
                item
                if key in _DATA_KEYWORDS
                else self.inline(item, child(loc, key), key in _NAME_MAPS)
            )
            for key, item in value.items()
            if key != "discriminator"
        }
        if "discriminator" in value and not self.keep_siblings:
            found = self._discriminator(value, loc)
            if found is not None:
                inlined["discriminator"] = found
        elif "discriminator" in value:
            inlined["discriminator"] = value["discriminator"]
        return inlined

    def _discriminator(self, value: dict[str, Any], loc: Loc) -> dict[str, Any] | None:
        """Return an OpenAPI 3.0 discriminator whose mapping names every target absolutely.

        The validator follows a discriminator's targets from the root of the schema it
        compiled; inlining replaced that root, so each target (explicit in ``mapping``, as a
        schema name or a reference, or implicit: the name of each referenced alternative)
        becomes an absolute reference. Inline alternatives with no mapping have no name to
        select them by: the discriminator is dropped and ``oneOf``/``anyOf`` decides alone.
        """
        given = value["discriminator"]
        if not isinstance(given, dict) or not isinstance(
            given.get("propertyName"), str
        ):
            return None  # Swagger 2.0's string form: only an annotation
        mapping: dict[str, str] = {}
        for tag, target in (given.get("mapping") or {}).items():
            if not isinstance(target, str):
                continue
            if "#" not in target and "/" not in target:
                target = f"#/components/schemas/{target}"
            try:
                mapping[str(tag)] = self._absolute(target, loc)
            except SpecError:
                # Left as written: a body with this tag gets a 422 saying the target does
                # not resolve, rather than the whole operation failing to compile.
                mapping[str(tag)] = target
        inline_alternative = False
        for key in ("oneOf", "anyOf", "allOf"):
            for alternative in value.get(key) or ():
                ref = alternative.get("$ref") if isinstance(alternative, dict) else None
                if not isinstance(ref, str):
                    inline_alternative = True
                    continue
                name = unquote(ref.rsplit("/", 1)[-1]).replace("~1", "/")
                mapping.setdefault(name.replace("~0", "~"), self._absolute(ref, loc))
        if inline_alternative and not given.get("mapping"):
            return None
        return {**given, "mapping": mapping}

    def _absolute(self, ref: str, loc: Loc) -> str:
        """Return ``ref`` (written at ``loc``) as an absolute URI with a JSON pointer."""
        _, (uri, pointer) = self.docs.lookup(ref, loc)
        return f"{uri}#{quote(pointer, safe='/~')}"

    def _target(self, ref: str, loc: Loc) -> Any:
        """Return the inlined target of ``ref``, or an absolute ``$ref`` when it recurses."""
        target, target_loc = self.docs.lookup(ref, loc)
        if target_loc in self.open:
            return {"$ref": f"{target_loc[0]}#{quote(target_loc[1], safe='/~')}"}
        if target_loc not in self.done:
            self.open.add(target_loc)
            self.done[target_loc] = self.inline(target, target_loc)
            self.open.discard(target_loc)
        return self.done[target_loc]
