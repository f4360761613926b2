"""Turn raw parameter strings into typed values, following the parameter's style and schema.

Coercion is lenient on purpose: a string that does not parse as the schema's type is returned
unchanged, so the schema validator reports it ("'abc' is not of type 'integer'") in the same
words as every other violation.
"""

from __future__ import annotations

import json
import re
from typing import Any, Callable, Mapping

from satchel.openapi.model import MISSING, Parameter

Coercer = Callable[[str], Any]
#: Reads one parameter out of its source mapping; returns MISSING when absent.
Reader = Callable[[Any], Any]

_INTEGER = re.compile(r"[+-]?\d+")
_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_BOOLEANS = {"true": True, "false": False}
_DELIMITERS = {"spaceDelimited": " ", "pipeDelimited": "|", "tabDelimited": "\t"}


def types_of(schema: Mapping[str, Any]) -> tuple[str, ...]:
    """Return the schema's declared types (3.1 arrays, 3.0 strings); () when untyped."""
    declared = schema.get("type")
    if isinstance(declared, str):
        return (declared,)
    if isinstance(declared, list):
        return tuple(t for t in declared if isinstance(t, str))
    for key in ("allOf", "oneOf", "anyOf"):
        for branch in schema.get(key) or ():
            if isinstance(branch, dict) and types_of(branch):
                return types_of(branch)
    return ()


def scalar_coercer(schema: Mapping[str, Any]) -> Coercer:
    """Return a function turning one string into the schema's scalar type, when it parses."""
    types = types_of(schema) + (("null",) if schema.get("nullable") is True else ())
    if not types or "string" in types:
        # A string schema accepts every raw value as it is; "null" stays the text "null".
        return _identity
    if types == ("integer",):
        return _to_integer
    steps = [_STEPS[t] for t in types if t in _STEPS]

    def coerce(raw: str) -> Any:
        for step in steps:
            value = step(raw)
            if value is not raw:
                return value
        return raw

    return coerce


def _identity(raw: str) -> str:
    return raw


def _to_integer(raw: str) -> Any:
    if not _INTEGER.fullmatch(raw):
        return raw
    try:
        return int(raw)
    except (
        ValueError
    ):  # more digits than Python converts (sys.int_info.str_digits_check)
        return raw


def _to_number(raw: str) -> Any:
    if _INTEGER.fullmatch(raw):
        return _to_integer(raw)
    return float(raw) if _NUMBER.fullmatch(raw) else raw


def _to_boolean(raw: str) -> Any:
    return _BOOLEANS.get(raw, raw)


def _to_null(raw: str) -> Any:
    return None if raw in ("", "null") else raw


_STEPS: dict[str, Coercer] = {
    "integer": _to_integer,
    "number": _to_number,
    "boolean": _to_boolean,
    "null": _to_null,
}


def value_coercer(
    param: Parameter, schema: Mapping[str, Any], resolve: Callable
) -> Coercer:
    """Return a function deserialising the parameter's raw string per its style and type."""
    if param.style == "json":
        return _json_or_raw
    types = types_of(schema)
    prefix = _prefix(param)
    if "array" in types:
        items = scalar_coercer(resolve(schema.get("items") or {}))
        separator = _separator(param)
        # HTTP header lists allow spaces around commas (RFC 9110 5.6.1): "1, 2" is [1, 2].
        header = param.location == "header"

        def to_list(raw: str) -> Any:
            raw = _strip(raw, prefix)
            parts = raw.split(separator) if raw else []
            return [items(part.strip() if header else part) for part in parts]

        return to_list
    if "object" in types:
        properties = {
            name: scalar_coercer(resolve(sub))
            for name, sub in (schema.get("properties") or {}).items()
            if isinstance(sub, dict)
        }
        return _object_coercer(properties, _separator(param), param.explode, prefix)
    scalar = scalar_coercer(schema)
    return scalar if not prefix else (lambda raw: scalar(_strip(raw, prefix)))


def _object_coercer(
    properties: dict[str, Coercer], separator: str, explode: bool, prefix: str
) -> Coercer:
    """Deserialise "k,v,k2,v2" (or "k=v,k2=v2" when exploded) into a dict."""

    def to_object(raw: str) -> Any:
        parts = _strip(raw, prefix).split(separator)
        if explode:
            pairs = [part.partition("=")[::2] for part in parts]
        elif len(parts) % 2:
            return raw
        else:
            pairs = list(zip(parts[0::2], parts[1::2]))
        return {key: properties.get(key, _identity)(value) for key, value in pairs}

    return to_object


def _json_or_raw(raw: str) -> Any:
    try:
        return json.loads(raw)
    except ValueError:
        return raw


def _prefix(param: Parameter) -> str:
    """Return the text a label ('.') or matrix (';name=') value starts with."""
    if param.style == "label":
        return "."
    if param.style == "matrix":
        return f";{param.name}="
    return ""


def _separator(param: Parameter) -> str:
    """Return the text between array items for the parameter's style."""
    if param.style == "label" and param.explode:
        return "."
    if param.style == "matrix" and param.explode:
        return f";{param.name}="
    return _DELIMITERS.get(param.style, ",")


def _strip(raw: str, prefix: str) -> str:
    return raw[len(prefix) :] if prefix and raw.startswith(prefix) else raw


def query_reader(
    param: Parameter, schema: Mapping[str, Any], resolve: Callable
) -> Reader:
    """Return a reader of one query parameter from a Mapping[str, list[str]]."""
    name, types = param.name, types_of(schema)
    if "array" in types and param.style == "form" and param.explode:
        item = scalar_coercer(resolve(schema.get("items") or {}))

        def read_exploded_list(query: Any) -> Any:
            values = query.get(name)
            return [item(value) for value in values] if values else MISSING

        return read_exploded_list
    if "object" in types and (param.style == "deepObject" or param.explode):
        properties = {
            key: scalar_coercer(resolve(sub))
            for key, sub in (schema.get("properties") or {}).items()
            if isinstance(sub, dict)
        }
        prefix = f"{name}[" if param.style == "deepObject" else ""

        def read_object(query: Any) -> Any:
            found = {}
            for key, values in query.items():
                if prefix and key.startswith(prefix) and key.endswith("]") and values:
                    key = key[len(prefix) : -1]
                elif prefix or key not in properties or not values:
                    continue
                found[key] = properties.get(key, _identity)(values[0])
            return found or MISSING

        return read_object
    coerce = value_coercer(param, schema, resolve)

    def read_one(query: Any) -> Any:
        values = query.get(name)
        return coerce(values[0]) if values else MISSING

    return read_one
