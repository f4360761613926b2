"""Property: the mock's data generator and the spec core's validator agree, feature by feature.

Hypothesis draws schemas from each feature the generator claims (formats, ECMA-262 patterns
with length bounds, ``multipleOf`` with decimals and (exclusive) bounds, discriminators with
and without ``mapping``, OAS 3.0 ``nullable`` and 3.1 type lists, readOnly/writeOnly,
``contains`` with minContains/maxContains, min/maxProperties with patternProperties,
propertyNames and dependentRequired/dependencies, ``oneOf`` branches that overlap, ``not``,
``if``/``then``/``else`` and dependentSchemas, and objects and arrays of those), puts each
in a one-operation spec (as the request body and the 200 response), and checks that what the
generator builds for a seed passes the very validator the server compiles for that spec (and,
written as XML, is a well-formed document).
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mockserver.core.answers import spec_resolver
from mockserver.core.generate import generate
from mockserver.core.xml_body import to_xml, xml_issues
from satchel.openapi import load_spec

FORMATS = (
    "date-time", "date", "time", "email", "idn-email", "uuid", "uri", "uri-reference",
    "iri", "iri-reference", "hostname", "idn-hostname", "ipv4", "ipv6", "byte", "binary",
    "password", "json-pointer", "relative-json-pointer", "regex", "duration", "uri-template",
)  # fmt: skip
PATTERNS = (
    r"^[^a-zA-Z0-9]+$",  # negated class (made `satchel-mock serve` die with StopIteration)
    r"^\W+$",
    r"^[^\w\s]{2,3}$",
    r"^(ab|cd)-\1$",  # back-reference
    r"^(?<x>[a-z]{2})\k<x>$",  # ECMA-262 named group and its reference
    r"^\p{L}+$",  # ECMA-262 only: Python's re refuses it
    r"^[\p{Lu}\d]{3}$",
    r"^\P{L}{2}$",
    r"^[A-Z]{2}-\d{4}$",
    r"^(?:[a-f0-9]{2}:){2}[a-f0-9]{2}$",
    r"^x*y?z+$",
    r"^[^aeiou]$",
    r"colour|color",
)
# Length bounds that strings of each pattern can meet (an open repeat must stretch for some).
LENGTHS = {
    **{pattern: [{}] for pattern in PATTERNS},
    r"^[^a-zA-Z0-9]+$": [{"minLength": 9}, {"maxLength": 2}],
    r"^\W+$": [{"minLength": 6, "maxLength": 8}],
    r"^\p{L}+$": [{"minLength": 12}],
    r"^x*y?z+$": [{"minLength": 10, "maxLength": 14}, {"maxLength": 2}],
}
STEPS = ("0.01", "0.1", "0.05", "0.25", "0.001", "2.5", "0.3")
# Cat and Dog differ in a required property, so oneOf tells them apart without the
# discriminator too (in OpenAPI 3.1 it is only an annotation).
PETS = {
    "Cat": {
        "type": "object",
        "required": ["petType", "meow"],
        "properties": {"petType": {"type": "string"}, "meow": {"type": "boolean"}},
    },
    "Dog": {
        "type": "object",
        "required": ["petType", "bark"],
        "properties": {"petType": {"type": "string"}, "bark": {"type": "boolean"}},
    },
}


def formats() -> st.SearchStrategy[dict]:
    return st.builds(
        lambda f: {"type": "string", "format": f}, st.sampled_from(FORMATS)
    )


@st.composite
def patterns(draw) -> dict:
    """A string with a pattern, sometimes with length bounds the pattern can meet."""
    schema = {"type": "string", "pattern": draw(st.sampled_from(PATTERNS))}
    if draw(st.booleans()):
        schema.update(draw(st.sampled_from(LENGTHS[schema["pattern"]])))
    return schema


@st.composite
def decimal_multiples(draw) -> dict:
    """A number that must be a multiple of a decimal step, within (possibly exclusive) bounds."""
    step = draw(st.sampled_from(STEPS))
    schema = {"type": "number", "multipleOf": float(step)}
    if draw(st.booleans()):
        low = draw(st.integers(-100_000, 100_000)) / 100
        schema["minimum"] = low
        schema["maximum"] = low + float(step) * draw(st.integers(2, 5000))
        if draw(st.booleans()):
            schema["exclusiveMinimum"] = schema["exclusiveMaximum"] = True  # 3.0 style
    return schema


@st.composite
def integer_multiples(draw) -> dict:
    """An integer with an integer or decimal multipleOf and bounds (maybe fractional)."""
    step = draw(st.one_of(st.integers(1, 50), st.sampled_from(STEPS).map(float)))
    low = draw(st.integers(-1000, 1000)) + draw(st.sampled_from((0, 0.5)))
    return {"type": "integer", "multipleOf": step, "minimum": low, "maximum": low + 200}


@st.composite
def discriminated(draw) -> dict:
    """oneOf/anyOf Cat | Dog tagged by petType: explicit mapping (refs or names), or none."""
    key = draw(st.sampled_from(("oneOf", "anyOf")))
    style = draw(st.sampled_from(("refs", "names", "none", "inline")))
    order = draw(st.permutations(["Cat", "Dog"]))
    if style == "inline":
        alternatives = [
            {
                "type": "object",
                "required": ["kind", name.lower()],
                "properties": {
                    "kind": {"type": "string"},
                    name.lower(): {"type": "integer"},
                },
            }
            for name in order
        ]
        return {key: alternatives, "discriminator": {"propertyName": "kind"}}
    discriminator: dict = {"propertyName": "petType"}
    if style == "refs":
        discriminator["mapping"] = {
            n.lower(): f"#/components/schemas/{n}" for n in order
        }
    elif style == "names":
        discriminator["mapping"] = {n.lower(): n for n in order}
    refs = [{"$ref": f"#/components/schemas/{name}"} for name in order]
    return {key: refs, "discriminator": discriminator}


def access_modes() -> st.SearchStrategy[dict]:
    """Required readOnly and writeOnly properties: each is required in one direction only."""
    return st.just(
        {
            "type": "object",
            "required": ["id", "password", "name"],
            "properties": {
                "id": {"type": "integer", "readOnly": True},
                "password": {"type": "string", "writeOnly": True},
                "name": {"type": "string"},
            },
        }
    )


@st.composite
def containing(draw) -> dict:
    """An array with ``contains`` (and maybe minContains/maxContains, items, minItems)."""
    low = draw(st.integers(20, 40))
    schema = {
        "type": "array",
        "contains": {"type": "integer", "exclusiveMinimum": low, "maximum": low + 9},
    }
    if draw(st.booleans()):
        schema["items"] = {"type": "integer"}
    least = 1  # minContains' default
    if draw(st.booleans()):
        least = schema["minContains"] = draw(st.integers(0, 3))
    if draw(st.booleans()):
        schema["maxContains"] = least + draw(st.integers(0, 2))
        schema["minItems"] = draw(st.integers(0, 2))
    return schema


@st.composite
def counted_objects(draw) -> dict:
    """Objects bounded by min/maxProperties, with patternProperties, propertyNames and
    dependentRequired."""
    schema: dict = {
        "type": "object",
        "properties": {
            "alpha": {"type": "string"},
            "beta": {"type": "integer"},
            "gamma": {"type": "boolean"},
        },
    }
    kind = draw(st.sampled_from(("max", "pattern", "names", "dependent")))
    if kind == "max":
        schema["maxProperties"] = draw(st.integers(0, 2))
    elif kind == "pattern":
        schema["patternProperties"] = {
            "^x-[a-z]{2}$": {"type": "integer", "minimum": 5}
        }
        schema["additionalProperties"] = draw(st.sampled_from((False, True)))
        schema["minProperties"] = draw(st.integers(4, 6))
    elif kind == "names":
        schema["properties"] = {"ab": {"type": "string"}}
        schema["propertyNames"] = {"pattern": "^[a-z]{2}$"}
        schema["additionalProperties"] = {"type": "integer"}
        schema["minProperties"] = draw(st.integers(2, 4))
    else:
        schema["dependentRequired"] = {"alpha": ["delta"]}
        schema["dependencies"] = {"beta": ["epsilon"]}
    return schema


@st.composite
def overlapping(draw) -> dict:
    """A oneOf whose branches accept the same objects unless told apart by a property."""
    kinds = ("string", "integer", "number", "boolean", "array", "object")
    branches = [
        {
            "type": "object",
            "required": ["id"],
            "properties": {
                "id": {"type": "string"},
                own: {"type": draw(st.sampled_from(kinds))},
            },
        }
        for own in ("left", "middle", "right")[: draw(st.integers(2, 3))]
    ]
    return {"oneOf": branches}


@st.composite
def conditions(draw) -> dict:
    """``not``, and (3.1) ``if``/``then``/``else`` and ``dependentSchemas``."""
    kind = draw(st.sampled_from(("not-enum", "not-multiple", "if", "dependent")))
    if kind == "not-enum":
        return {"type": "string", "not": {"enum": ["alpha", "bravo", "charlie"]}}
    if kind == "not-multiple":
        return {"type": "integer", "minimum": 1, "maximum": 9, "not": {"multipleOf": 2}}
    if kind == "if":
        return {
            "type": "object",
            "required": ["kind", "size"],
            "properties": {"kind": {"enum": ["a", "b"]}, "size": {"type": "integer"}},
            "if": {"properties": {"kind": {"const": "a"}}},
            "then": {"properties": {"size": {"minimum": 100}}},
            "else": {"properties": {"size": {"maximum": 5}}},
        }
    return {
        "type": "object",
        "properties": {"card": {"type": "string"}},
        "dependentSchemas": {
            "card": {
                "required": ["billing"],
                "properties": {"billing": {"type": "string", "minLength": 9}},
            }
        },
    }


def leaves() -> st.SearchStrategy[dict]:
    return st.one_of(
        formats(), patterns(), decimal_multiples(), integer_multiples(),
        discriminated(), access_modes(), containing(), counted_objects(),
        overlapping(), conditions(),
    )  # fmt: skip


def for_version(schema: dict, version: str) -> dict:
    """Write a schema in the dialect of ``version``.

    3.0's boolean exclusive bounds become 3.1's numbers in a 3.1 spec; 3.1's keywords
    become their draft 4 forms (or go: 3.0 has no ``contains`` or ``propertyNames``).
    """
    if version == "3.0" and "contains" in schema:
        bounds = schema["contains"]
        schema = {"type": "array", "items": {"type": "integer", "minimum": 0}}
        schema["items"]["maximum"] = bounds["maximum"]
    if version == "3.0" and "propertyNames" in schema:
        schema = {k: v for k, v in schema.items() if k != "propertyNames"}
    for keyword in ("dependentRequired", "dependentSchemas", "if", "then", "else"):
        if version == "3.0" and keyword in schema:  # JSON Schema keywords 3.0 lacks
            schema = {k: v for k, v in schema.items() if k != keyword}
    if version == "3.1" and schema.get("exclusiveMinimum") is True:
        schema = dict(schema)
        del schema["exclusiveMinimum"], schema["exclusiveMaximum"]
        schema["exclusiveMinimum"] = schema.pop("minimum")
        schema["exclusiveMaximum"] = schema.pop("maximum")
    return schema


def nullable(schema: dict, version: str) -> dict:
    """Let ``schema`` also be null: 3.0's nullable, 3.1's type list."""
    if "type" not in schema:
        return schema
    if version == "3.0":
        return {**schema, "nullable": True}
    return {**schema, "type": [schema["type"], "null"]}


@st.composite
def subjects(draw) -> tuple[str, dict]:
    """A version and a schema: a feature, maybe nullable, maybe inside an object or array."""
    version = draw(st.sampled_from(("3.0", "3.1")))
    leaf = for_version(draw(leaves()), version)
    if draw(st.booleans()):
        leaf = nullable(leaf, version)
    shape = draw(st.sampled_from(("leaf", "object", "array")))
    if shape == "object":
        other = for_version(draw(leaves()), version)
        leaf = {
            "type": "object",
            "required": ["a"],
            "properties": {"a": leaf, "b": other},
        }
    elif shape == "array":
        leaf = {"type": "array", "minItems": 1, "maxItems": 3, "items": leaf}
    return version, leaf


def spec_document(version: str, schema: dict) -> dict:
    """Return a spec whose one operation takes and answers ``schema``."""
    content = {"application/json": {"schema": {"$ref": "#/components/schemas/Subject"}}}
    return {
        "openapi": "3.0.3" if version == "3.0" else "3.1.0",
        "info": {"title": "agreement", "version": "1"},
        "paths": {
            "/subject": {
                "post": {
                    "operationId": "subject",
                    "requestBody": {"required": True, "content": content},
                    "responses": {"200": {"description": "ok", "content": content}},
                }
            }
        },
        "components": {"schemas": {**PETS, "Subject": schema}},
    }


@settings(
    max_examples=120,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(subject=subjects(), seed=st.integers(0, 2**16))
def test_generated_values_pass_the_servers_validator(subject, seed):
    """What the generator builds for a response or a request validates against the same spec."""
    version, schema = subject
    with tempfile.TemporaryDirectory(prefix="mock-gen-agreement-") as folder:
        path = Path(folder) / "openapi.json"
        path.write_text(json.dumps(spec_document(version, schema)))
        spec = load_spec(path)
    operation = spec.operations[0]
    media = operation.responses["200"].content["application/json"]
    resolve = spec_resolver(spec)

    settings = {"resolve": resolve, "base": media.schema_uri, "version": version}
    answer = generate(media.schema, seed=seed, **settings)
    issues = operation.validate_response(200, "application/json", json.dumps(answer))
    assert [(i.field, i.message) for i in issues] == [], answer
    assert xml_issues(to_xml(answer, media.schema, resolve, media.schema_uri)) == []

    sent = generate(media.schema, seed=seed, for_response=False, **settings)
    check = operation.request_validator()
    valid = check({}, {}, {}, {}, "application/json", json.dumps(sent).encode())
    assert valid.body == sent
