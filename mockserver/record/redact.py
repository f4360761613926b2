"""Mask what must not be stored, with values that still satisfy the field's schema.

A fixed ``REDACTED`` fails ``format: email``, a ``pattern`` or a number's type, and the
recording then cannot be replayed. So each masked field gets a value generated from its own
schema (:func:`mockserver.core.generate.generate`), seeded by the config's seed, the operation,
the status and the field's place: the same recording masks the same way every time, and the
value depends on where the field is, never on what it held (so it cannot be traced back).
Strings, numbers, booleans, objects and arrays are masked alike; a field whose schema cannot
be found is masked with a value of the original's JSON type.
"""

from __future__ import annotations

from typing import Any

from satchel.openapi import Spec

from mockserver.core.answers import spec_resolver
from mockserver.core.generate import GenerationError, generate

__all__ = ["Masker", "json_type"]

Located = tuple[Any, str]  # a schema and the URI its $refs resolve against
_DEPTH = 16


def json_type(value: Any) -> str:
    """Return the JSON-schema type of a Python JSON value."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return "null"


class Masker:
    """Mask the named JSON fields of one spec's bodies, at any depth."""

    def __init__(self, spec: Spec, fields: tuple[str, ...], seed: int = 0) -> None:
        self.spec = spec
        self.fields = frozenset(fields)
        self.seed = seed
        self._resolve = spec_resolver(spec)

    def body(
        self, value: Any, schema: Located | None, key: str, *, response: bool = True
    ) -> tuple[Any, list[str]]:
        """Return ``value`` with every named field masked, and the masked JSON pointers.

        ``key`` names the place (operation, status, attempt) for the seed.
        """
        masked: list[str] = []
        result = self._walk(value, schema, "", key, masked, response, 0)
        return result, masked

    def value(
        self, original: Any, schema: Located | None, seed: str, *, response: bool = True
    ) -> Any:
        """Return a value for ``schema`` (else of the original's type), seeded by ``seed``."""
        wanted, base = schema if schema is not None else ({}, "")
        if not isinstance(wanted, (dict, bool)) or wanted in ({}, True):
            wanted, base = {"type": json_type(original)}, ""
        try:
            return generate(
                wanted,
                seed=f"{self.seed}:{seed}",
                resolve=self._resolve,
                base=base or None,
                for_response=response,
            )
        except GenerationError:
            return generate({"type": json_type(original)}, seed=f"{self.seed}:{seed}")

    def _walk(
        self,
        value: Any,
        schema: Located | None,
        pointer: str,
        key: str,
        masked: list[str],
        response: bool,
        depth: int,
    ) -> Any:
        if depth > _DEPTH:
            return value
        if isinstance(value, dict):
            result = {}
            for name, item in value.items():
                place = f"{pointer}/{_escape(name)}"
                sub = self._property(schema, name)
                if name in self.fields:
                    result[name] = self.value(
                        item, sub, f"{key}:{place}", response=response
                    )
                    masked.append(place)
                else:
                    result[name] = self._walk(
                        item, sub, place, key, masked, response, depth + 1
                    )
            return result
        if isinstance(value, list):
            sub = self._items(schema)
            return [
                self._walk(
                    item, sub, f"{pointer}/{i}", key, masked, response, depth + 1
                )
                for i, item in enumerate(value)
            ]
        return value

    def _concrete(self, located: Located | None) -> list[Located]:
        """Return the schema with its $ref followed, and every allOf/oneOf/anyOf part."""
        if located is None:
            return []
        schema, uri = located
        if uri and isinstance(schema, dict):
            schema, uri = self.spec.deref(schema, uri)
        if not isinstance(schema, dict):
            return []
        found = [(schema, uri)]
        for composition in ("allOf", "oneOf", "anyOf"):
            for index, part in enumerate(schema.get(composition) or ()):
                found += self._concrete(
                    (part, f"{uri}/{composition}/{index}" if uri else "")
                )
        return found

    def _property(self, located: Located | None, name: str) -> Located | None:
        """Return the schema of property ``name`` (declared, else additionalProperties)."""
        parts = self._concrete(located)
        for schema, uri in parts:
            properties = schema.get("properties") or {}
            if name in properties:
                return properties[name], _child(uri, "properties", name)
        for schema, uri in parts:
            extra = schema.get("additionalProperties")
            if isinstance(extra, dict):
                return extra, _child(uri, "additionalProperties")
        return None

    def _items(self, located: Located | None) -> Located | None:
        """Return the schema of an array's items."""
        for schema, uri in self._concrete(located):
            if isinstance(schema.get("items"), dict):
                return schema["items"], _child(uri, "items")
        return None


def _escape(name: str) -> str:
    return name.replace("~", "~0").replace("/", "~1")


def _child(uri: str, *parts: str) -> str:
    if not uri:
        return uri
    return f"{uri.rstrip('/')}/" + "/".join(_escape(p) for p in parts)
