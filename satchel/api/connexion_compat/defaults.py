"""Fill a JSON body's missing properties from their schema defaults (Connexion's
``DefaultsJSONRequestBodyValidator``), following ``$ref`` and ``allOf``."""

from __future__ import annotations

import copy
from typing import Any

from satchel.openapi import Spec

__all__ = ["DefaultsJSONRequestBodyValidator", "fill_defaults"]


class DefaultsJSONRequestBodyValidator:
    """Marker for ``validator_map``: JSON bodies get their schema defaults filled in."""


def fill_defaults(
    spec: Spec, schema: Any, uri: str, instance: Any, depth: int = 0
) -> Any:
    """Set each absent property that has a default, then descend into present ones."""
    if depth > 32 or not isinstance(instance, dict):
        return instance
    schema, uri = spec.deref(schema, uri)
    if not isinstance(schema, dict):
        return instance
    for part in schema.get("allOf") or []:
        fill_defaults(spec, part, uri, instance, depth + 1)
    for name, sub in (schema.get("properties") or {}).items():
        resolved, sub_uri = spec.deref(sub, uri)
        if (
            name not in instance
            and isinstance(resolved, dict)
            and "default" in resolved
        ):
            instance[name] = copy.deepcopy(resolved["default"])
        if name in instance:
            fill_defaults(spec, resolved, sub_uri, instance[name], depth + 1)
    return instance
