"""Pure parts, table-tested: Prefer parsing, response selection, patterns, generation."""

from __future__ import annotations

import random
import re

import jsonschema
import pytest

import mockserver
from mockserver.core.accept import best_match
from mockserver.core.generate import GenerationError, generate, local_resolver
from mockserver.core.pattern import generate_from_pattern
from mockserver.core.prefer import Preference, PreferInvalid, parse_prefer
from mockserver.core.select import default_status, pick_media_type
from satchel.openapi import MediaType, Operation, Response


@pytest.mark.parametrize(
    "header, expected",
    [
        (None, Preference()),
        ("code=404", Preference(code=404)),
        ("code=404, example=gone", Preference(code=404, example="gone")),
        ('example="gone"; dynamic=true', Preference(example="gone", dynamic=True)),
        ("respond-async, wait=10, code=201", Preference(code=201)),
        ("dynamic=FALSE", Preference(dynamic=False)),
    ],
    ids=[
        "none",
        "code",
        "code-and-example",
        "quoted-semicolon",
        "unknown-ignored",
        "case",
    ],
)
def test_parse_prefer(header, expected):
    """Known preferences are read; unknown ones are ignored (RFC 7240)."""
    assert parse_prefer(header) == expected


@pytest.mark.parametrize(
    "header, message",
    [
        (
            "code=4o4",
            "Prefer code='4o4' is not an HTTP status; send e.g. Prefer: code=404.",
        ),
        (
            "code=999",
            "Prefer code='999' is not an HTTP status; send e.g. Prefer: code=404.",
        ),
        ("example=", "Prefer example= needs an example name."),
        ("dynamic=yes", "Prefer dynamic='yes' must be true or false."),
    ],
    ids=["not-digits", "out-of-range", "empty-example", "bad-dynamic"],
)
def test_parse_prefer_errors(header, message):
    """A known preference with an unusable value is an error with the fix."""
    with pytest.raises(PreferInvalid) as caught:
        parse_prefer(header)
    assert str(caught.value) == message


def _operation(*statuses: str) -> Operation:
    """Build an operation declaring ``statuses`` (bodies do not matter here)."""
    responses = {s: Response(s, "", {}, {}) for s in statuses}
    return Operation(None, "GET", "/x", (), "", (), None, responses, None)


@pytest.mark.parametrize(
    "statuses, expected",
    [
        (("404", "201", "200"), 200),
        (("2XX", "404"), 200),
        (("default",), 200),
        (("404", "500"), 404),
        (("302", "default"), 200),
    ],
    ids=["lowest-2xx", "range", "default-only", "no-2xx", "redirect-and-default"],
)
def test_default_status(statuses, expected):
    """The default answer is the lowest 2xx, else 200 for `default`, else the lowest code."""
    assert default_status(_operation(*statuses)) == expected


@pytest.mark.parametrize(
    "content, wanted, expected",
    [
        (("text/plain", "application/json"), None, "application/json"),
        (("text/plain", "application/hal+json"), None, "application/hal+json"),
        (("text/csv", "text/plain"), None, "text/csv"),
        (("application/json", "text/csv"), "text/csv", "text/csv"),
    ],
    ids=["json-first", "json-suffix", "first-otherwise", "asked-for"],
)
def test_pick_media_type(content, wanted, expected):
    """JSON is preferred unless a declared media type is asked for."""
    response = Response("200", "", {}, {c: MediaType(c, None) for c in content})
    assert pick_media_type(response, wanted).media_type == expected


@pytest.mark.parametrize(
    "pattern",
    [
        r"^[a-z]{3}-\d{2,4}$",
        r"^(foo|bar)+$",
        r"[^abc]x.",
        r"^\w+@\w+\.com$",
        r"^\+?[1-9]\d{1,14}$",
        r"^[A-F0-9]{8}-[A-F0-9]{4}$",
        r"^\s*\S+$",
    ],
    ids=["class-repeat", "alternation", "negated", "email-ish", "e164", "hex", "space"],
)
def test_pattern_strings_match(pattern):
    """Strings built from a pattern match it, for several seeds."""
    for seed in range(5):
        assert re.search(pattern, generate_from_pattern(pattern, random.Random(seed)))


SCHEMAS = [
    ("const", {"const": 7}, 7),
    ("enum", {"enum": ["only"]}, "only"),
    ("example-wins", {"type": "integer", "example": 42}, 42),
    ("default", {"type": "string", "default": "d"}, "d"),
    ("nullable-3.0", {"type": "string", "nullable": True, "maxLength": 3}, None),
    ("type-array-3.1", {"type": ["null", "integer"], "minimum": 5, "maximum": 5}, 5),
    ("bounds", {"type": "integer", "minimum": 10, "maximum": 10}, 10),
    (
        "exclusive-3.1",
        {"type": "integer", "exclusiveMinimum": 1, "exclusiveMaximum": 3},
        2,
    ),
    (
        "exclusive-3.0",
        {
            "type": "integer",
            "minimum": 1,
            "maximum": 3,
            "exclusiveMinimum": True,
            "exclusiveMaximum": True,
        },
        2,
    ),
    (
        "multiple-of",
        {"type": "integer", "minimum": 10, "maximum": 14, "multipleOf": 5},
        10,
    ),
    ("min-length", {"type": "string", "minLength": 12, "maxLength": 12}, None),
    (
        "all-of",
        {
            "allOf": [
                {
                    "type": "object",
                    "required": ["a"],
                    "properties": {"a": {"const": 1}},
                },
                {"required": ["b"], "properties": {"b": {"const": 2}}},
            ]
        },
        {"a": 1, "b": 2},
    ),
    (
        "write-only-skipped",
        {
            "type": "object",
            "properties": {
                "secret": {"type": "string", "writeOnly": True},
                "n": {"const": 1},
            },
        },
        {"n": 1},
    ),
    (
        "unique-items",
        {
            "type": "array",
            "minItems": 2,
            "uniqueItems": True,
            "items": {"type": "integer", "minimum": 1, "maximum": 1000},
        },
        None,
    ),
    (
        "map",
        {"type": "object", "additionalProperties": {"const": True}},
        {"key1": True},
    ),
]


@pytest.mark.parametrize(
    "schema, expected", [c[1:] for c in SCHEMAS], ids=[c[0] for c in SCHEMAS]
)
def test_generate_honours_the_schema(schema, expected):
    """Generated values validate against their schema (and equal the expected one if fixed)."""
    value = generate(schema, seed=1)
    if expected is not None:
        assert value == expected
    plain = {k: v for k, v in schema.items() if k not in ("nullable", "example")}
    if schema.get("nullable"):
        plain["type"] = [schema["type"], "null"]
    if isinstance(schema.get("exclusiveMinimum"), bool):
        plain = {"type": "integer", "exclusiveMinimum": 1, "exclusiveMaximum": 3}
    jsonschema.validate(value, plain)


def test_generate_is_deterministic_per_seed():
    """The same seed gives the same data; another seed (usually) differs."""
    schema = {
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid"},
            "n": {"type": "integer"},
        },
    }
    assert generate(schema, seed=3) == generate(schema, seed=3)
    assert generate(schema, seed=3) != generate(schema, seed=4)


def test_generate_bounds_recursion():
    """A self-referencing schema stops at the depth limit, keeping required properties."""
    root = {
        "Node": {
            "type": "object",
            "required": ["name"],
            "properties": {"name": {"type": "string"}, "child": {"$ref": "#/Node"}},
        }
    }
    value = generate({"$ref": "#/Node"}, resolve=local_resolver(root), max_depth=2)
    assert value["child"]["child"] == {"name": value["child"]["child"]["name"]}


def test_generate_rejects_required_infinite_recursion():
    """A schema that requires itself forever fails with an explanation, not a hang."""
    root = {
        "Loop": {
            "type": "object",
            "required": ["next"],
            "properties": {"next": {"$ref": "#/Loop"}},
        }
    }
    with pytest.raises(GenerationError) as caught:
        generate({"$ref": "#/Loop"}, resolve=local_resolver(root))
    assert str(caught.value) == (
        "schema nests deeper than 32 levels even with only required properties; a required "
        "property probably refers back to its own schema."
    )


def test_public_api_is_exported():
    """Everything in mockserver.__all__ exists (the list is kept honest)."""
    missing = [name for name in mockserver.__all__ if not hasattr(mockserver, name)]
    assert missing == []
    assert sorted(mockserver.__all__) == mockserver.__all__


@pytest.mark.parametrize(
    "header, media_type, expected",
    [
        (None, "application/json", True),
        ("*/*", "text/csv", True),
        ("application/*", "application/problem+json", True),
        ("text/html, application/json;q=0.9", "application/json", True),
        ("application/json;q=0", "application/json", False),
        ("text/html", "application/json; charset=utf-8", False),
    ],
    ids=["absent", "anything", "type-wildcard", "listed", "q-zero", "not-listed"],
)
def test_accepts(header, media_type, expected):
    """An Accept header admits a media type by exact match or wildcard, unless q=0."""
    assert (best_match(header, [media_type]) == media_type) is expected
