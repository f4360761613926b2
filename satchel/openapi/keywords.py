"""Check the value type of every JSON Schema keyword in a spec once, at load.

A keyword whose value has the wrong type (``minimum: "1851"``, ``required: true`` inside a
schema, ``type: int``) would otherwise load and then raise inside the validator on every
request that reaches it. A lenient load coerces the value when the reading is unambiguous (a
numeric string becomes the number, ``"true"`` the boolean) or drops the keyword, and warns
with file, line and pointer; a strict load refuses the spec with the same message.

Only schema positions are checked: a property or parameter named ``minimum`` is a name, not a
keyword. Swagger 2.0 parameters, headers and ``items`` carry schema keywords themselves.
"""

from __future__ import annotations

import re
from typing import Any, Callable

from satchel.openapi.refs import Documents, Loc, linked_pointer

__all__ = ["check_keywords"]

_NUMBER = re.compile(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?")
_TYPES = frozenset(
    {"string", "number", "integer", "boolean", "array", "object", "null"}
)
_UNSET = object()


def _number(value: Any) -> Any:
    """A number; a numeric string is read as one."""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    if isinstance(value, str) and _NUMBER.fullmatch(value.strip()):
        text = value.strip()
        return float(text) if any(c in text for c in ".eE") else int(text)
    return _UNSET


def _positive(value: Any) -> Any:
    """A number above zero (``multipleOf``)."""
    number = _number(value)
    return number if number is not _UNSET and number > 0 else _UNSET


def _count(value: Any) -> Any:
    """A non-negative integer (``minLength``, ``maxItems``...); "3" reads as 3."""
    number = _number(value)
    if number is _UNSET or number < 0 or number != int(number):
        return _UNSET
    return number if number is value else int(number)


def _boolean(value: Any) -> Any:
    """A boolean; the strings "true" and "false" read as one."""
    if isinstance(value, bool):
        return value
    return (
        {"true": True, "false": False}.get(value, _UNSET)
        if isinstance(value, str)
        else _UNSET
    )


def _string(value: Any) -> Any:
    return value if isinstance(value, str) else _UNSET


def _strings(value: Any) -> Any:
    """A list of strings (``required``)."""
    if isinstance(value, list) and all(isinstance(item, str) for item in value):
        return value
    return _UNSET


def _name_lists(value: Any) -> Any:
    """A mapping of names to lists of names (``dependentRequired``)."""
    if isinstance(value, dict) and all(_strings(v) is v for v in value.values()):
        return value
    return _UNSET


def _discriminator(value: Any) -> Any:
    """An OpenAPI Discriminator object: ``propertyName`` and an optional ``mapping``."""
    if not isinstance(value, dict) or not isinstance(value.get("propertyName"), str):
        return _UNSET
    mapping = value.get("mapping", {})
    if isinstance(mapping, dict) and all(isinstance(v, str) for v in mapping.values()):
        return value
    return _UNSET


def _list(value: Any) -> Any:
    return value if isinstance(value, list) else _UNSET


def _schemas(value: Any) -> Any:
    """A non-empty list of schemas (``allOf``, ``anyOf``, ``oneOf``)."""
    if isinstance(value, list) and value and all(_is_schema(v) for v in value):
        return value
    return _UNSET


def _schema(value: Any) -> Any:
    """A schema; the strings "true" and "false" read as the boolean schemas."""
    return value if _is_schema(value) else _boolean(value)


def _schema_map(value: Any) -> Any:
    """A mapping of names to schemas (``properties``, ``$defs``...)."""
    if isinstance(value, dict) and all(_is_schema(v) for v in value.values()):
        return value
    return _UNSET


def _type(value: Any) -> Any:
    """A known type name, or (3.1) a list of them."""
    if isinstance(value, str):
        return value if value in _TYPES else _UNSET
    if isinstance(value, list) and all(
        isinstance(v, str) and v in _TYPES for v in value
    ):
        return value
    return _UNSET


def _swagger_type(value: Any) -> Any:
    """A type of Swagger 2.0, which adds "file" (an upload, or a download's schema)."""
    return value if value == "file" else _type(value)


def _is_schema(value: Any) -> bool:
    return isinstance(value, (dict, bool))


#: keyword -> (reader returning the usable value or _UNSET, what the value must be).
_Rule = tuple[Callable[[Any], Any], str]
_COMMON: dict[str, _Rule] = {
    "minimum": (_number, "a number"),
    "maximum": (_number, "a number"),
    "multipleOf": (_positive, "a number above 0"),
    "minLength": (_count, "a non-negative integer"),
    "maxLength": (_count, "a non-negative integer"),
    "minItems": (_count, "a non-negative integer"),
    "maxItems": (_count, "a non-negative integer"),
    "minProperties": (_count, "a non-negative integer"),
    "maxProperties": (_count, "a non-negative integer"),
    "minContains": (_count, "a non-negative integer"),
    "maxContains": (_count, "a non-negative integer"),
    "uniqueItems": (_boolean, "a boolean"),
    "pattern": (_string, "a string (an ECMA-262 regular expression)"),
    "format": (_string, "a string"),
    "type": (_type, f"one of {', '.join(sorted(_TYPES))}"),
    "enum": (_list, "a list of values"),
    "required": (_strings, "a list of property names"),
    "allOf": (_schemas, "a non-empty list of schemas"),
    "anyOf": (_schemas, "a non-empty list of schemas"),
    "oneOf": (_schemas, "a non-empty list of schemas"),
    "not": (_schema, "a schema"),
    "items": (_schema, "a schema"),
    "additionalProperties": (_schema, "a schema or a boolean"),
    "readOnly": (_boolean, "a boolean"),
    "writeOnly": (_boolean, "a boolean"),
    "discriminator": (_discriminator, "a mapping with a 'propertyName' string"),
    "properties": (_schema_map, "a mapping of names to schemas"),
    "patternProperties": (_schema_map, "a mapping of patterns to schemas"),
}
# exclusiveMinimum and exclusiveMaximum change form between dialects: see _exclusive.
_DRAFT4: dict[str, _Rule] = {**_COMMON, "nullable": (_boolean, "a boolean")}
_DRAFT2020: dict[str, _Rule] = {
    **_COMMON,
    "contains": (_schema, "a schema"),
    "propertyNames": (_schema, "a schema"),
    "dependentSchemas": (_schema_map, "a mapping of names to schemas"),
    "$defs": (_schema_map, "a mapping of names to schemas"),
    "prefixItems": (_schemas, "a non-empty list of schemas"),
    "if": (_schema, "a schema"),
    "then": (_schema, "a schema"),
    "else": (_schema, "a schema"),
    "unevaluatedItems": (_schema, "a schema"),
    "unevaluatedProperties": (_schema, "a schema"),
    "dependentRequired": (_name_lists, "a mapping of names to lists of names"),
}
_SWAGGER: dict[str, _Rule] = {
    **_DRAFT4,
    "type": (_swagger_type, f"one of {', '.join(sorted(_TYPES | {'file'}))}"),
}
#: Swagger 2.0 parameters and headers: ``required`` there is the parameter's, a boolean.
_PARAMETER_SKIPS = frozenset({"required"})

# Where sub-schemas sit inside a schema: one schema (or a draft 4 tuple), a list, or a map.
_ONE, _MAP = 0, 1
_SUBSCHEMAS = {
    **dict.fromkeys(
        "items additionalProperties not contains propertyNames if then else "
        "additionalItems unevaluatedItems unevaluatedProperties allOf anyOf oneOf "
        "prefixItems".split(),
        _ONE,
    ),
    **dict.fromkeys(
        "properties patternProperties definitions $defs dependentSchemas".split(), _MAP
    ),
}
# Values under these keys are data or names, never spec objects holding schemas.
_DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const", "value"})

_SCHEMA, _PARAMETER, _OTHER, _NAMED_SCHEMAS, _DATA = range(5)
#: What a key of a spec object (not a schema) holds, when it is not just more spec objects.
_ROLES = {
    **dict.fromkeys(_DATA_KEYS, _DATA),
    "schema": _SCHEMA,
    "definitions": _NAMED_SCHEMAS,
    "schemas": _NAMED_SCHEMAS,
    "parameters": _PARAMETER,  # Swagger 2.0 only: 3.x parameters hold a "schema"
    "headers": _PARAMETER,
}


def check_keywords(docs: Documents, version: str) -> None:
    """Coerce or drop (lenient) or refuse (strict) every schema keyword of the wrong type."""
    swagger = version == "2.0"
    rules = _DRAFT2020 if version == "3.1" else _SWAGGER if swagger else _DRAFT4
    found = len(docs.warnings)
    for uri, document in docs.files.items():
        start = (
            _SCHEMA if uri != docs.root_uri and _looks_like_schema(document) else _OTHER
        )
        stack: list[tuple[Any, Any, int]] = [(document, None, start)]
        while stack:
            value, path, kind = stack.pop()
            if isinstance(value, list):
                stack.extend(
                    (item, (path, i), kind)
                    for i, item in enumerate(value)
                    if isinstance(item, (dict, list))
                )
                continue
            if not isinstance(value, dict):
                continue
            if kind == _OTHER:
                _spec_children(value, path, stack, swagger)
                continue
            _check(docs, uri, value, path, rules, kind == _PARAMETER)
            if kind == _PARAMETER:
                for key in ("items", "schema"):
                    if isinstance(value.get(key), dict):
                        inner = _PARAMETER if key == "items" else _SCHEMA
                        stack.append((value[key], (path, key), inner))
                continue
            _schema_children(value, path, stack)
    # The walk visits in stack order; warnings read best in file order.
    docs.warnings[found:] = sorted(
        docs.warnings[found:], key=lambda error: (error.file, error.line or 0)
    )


def _looks_like_schema(document: Any) -> bool:
    """Tell whether a referenced file is itself one schema (rather than a set of objects)."""
    return isinstance(document, dict) and any(
        key in document for key in ("type", "properties", "allOf", "anyOf", "oneOf")
    )


def _spec_children(value: dict, path: Any, stack: list, swagger: bool) -> None:
    """Queue the children of a spec object (not a schema), each with its kind."""
    for key, item in value.items():
        kind = type(item)
        if kind is not dict and kind is not list:
            continue
        role = _ROLES.get(key)
        if role is None:
            if not (type(key) is str and key.startswith("x-")):
                stack.append((item, (path, key), _OTHER))
        elif role == _SCHEMA:
            stack.append((item, (path, key), _SCHEMA))
        elif role == _NAMED_SCHEMAS and kind is dict:
            here = (path, key)
            stack.extend((v, (here, k), _SCHEMA) for k, v in item.items())
        elif role == _PARAMETER and swagger:
            here = (path, key)
            entries = item.items() if kind is dict else enumerate(item)
            for name, entry in entries:
                # A body parameter's schema is under "schema"; the others are schema-like.
                own = type(entry) is dict and entry.get("in") != "body"
                stack.append((entry, (here, name), _PARAMETER if own else _OTHER))
        elif role != _DATA:
            stack.append((item, (path, key), _OTHER))


def _schema_children(value: dict, path: Any, stack: list) -> None:
    """Queue the sub-schemas of a schema (one loop over its keys: schemas have few)."""
    for key, item in value.items():
        where = _SUBSCHEMAS.get(key)
        if where is None:
            continue
        if where == _ONE:
            if isinstance(item, (dict, list)):
                stack.append((item, (path, key), _SCHEMA))
        elif isinstance(item, dict):
            here = (path, key)
            stack.extend((v, (here, k), _SCHEMA) for k, v in item.items())


def _check(
    docs: Documents,
    uri: str,
    schema: dict,
    path: Any,
    rules: dict[str, _Rule],
    parameter: bool,
) -> None:
    """Check one schema's keywords; fix (or refuse) each one of the wrong type."""
    for key, bound in _EXCLUSIVE:
        if key in schema:
            _exclusive(docs, uri, schema, path, key, bound, rules is _DRAFT2020)
    for key in [key for key in schema if key in rules]:
        if parameter and key in _PARAMETER_SKIPS:
            continue
        read, expected = rules[key]
        value = schema[key]
        fixed = read(value)
        if fixed is value:
            continue
        loc: Loc = (uri, linked_pointer((path, key)))
        if fixed is _UNSET:
            del schema[key]
            outcome = "ignores it"
        else:
            schema[key] = fixed
            outcome = f"reads it as {fixed!r}"
        docs.warn(
            loc,
            f"'{key}' must be {expected}, not {_shown(value)}",
            f"Write it as {expected} (a lenient load {outcome}).",
        )
    if "default" in schema:
        _check_default(docs, uri, schema, path)


_EXCLUSIVE = (("exclusiveMinimum", "minimum"), ("exclusiveMaximum", "maximum"))


def _exclusive(
    docs: Documents,
    uri: str,
    schema: dict,
    path: Any,
    key: str,
    bound: str,
    oas31: bool,
) -> None:
    """Check an exclusive bound: a number in 3.1, a boolean beside its bound before.

    Vendored specs use either form in either version; each has one reading in the other.
    """
    value = schema[key]
    number, boolean = _number(value), _boolean(value)
    if (number if oas31 else boolean) is value:
        return
    limit = schema.get(bound)
    lower = key == "exclusiveMinimum"
    if oas31 and number is not _UNSET:
        schema[key], outcome = number, f"reads it as {number!r}"
    elif oas31 and boolean is True and _number(limit) is limit is not None:
        schema[key] = schema.pop(bound)
        outcome = f"reads it as {key}: {limit!r} in place of {bound}"
    elif not oas31 and boolean is not _UNSET:
        schema[key], outcome = boolean, f"reads it as {boolean!r}"
    elif not oas31 and number is not _UNSET:
        tighter = _number(limit) is not limit or limit is None
        if tighter or (number >= limit if lower else number <= limit):
            schema[bound], schema[key] = number, True
            outcome = f"reads it as {bound}: {number!r} with {key}: true"
        else:
            del schema[key]
            outcome = f"ignores it: {bound} {limit!r} is the tighter bound"
    else:
        del schema[key]
        outcome = "ignores it"
    expected = (
        "a number (OpenAPI 3.1)"
        if oas31
        else f"a boolean beside '{bound}' (OpenAPI 3.0 and Swagger 2.0)"
    )
    docs.warn(
        (uri, linked_pointer((path, key))),
        f"'{key}' must be {expected}, not {_shown(value)}",
        f"Write it so (a lenient load {outcome}).",
    )


def _check_default(docs: Documents, uri: str, schema: dict, path: Any) -> None:
    """Read a string ``default`` of a number, integer or boolean schema as that type."""
    value, kind = schema["default"], schema.get("type")
    if not isinstance(value, str) or kind not in ("integer", "number", "boolean"):
        return
    fixed = _boolean(value) if kind == "boolean" else _number(value)
    if fixed is _UNSET or (kind == "integer" and not isinstance(fixed, int)):
        return  # not a reading of the type: validation reports it where it is used
    schema["default"] = fixed
    docs.warn(
        (uri, linked_pointer((path, "default"))),
        f"'default' {value!r} is a string, but the schema's type is {kind}",
        f"Write the default as {fixed!r} (a lenient load reads it so).",
    )


def _shown(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."
