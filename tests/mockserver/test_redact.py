"""Redaction masks strings, numbers, booleans, objects and arrays with schema-valid values."""

from __future__ import annotations

import json

import pytest
import yaml

from mockserver.record.redact import Masker
from satchel.openapi import load_spec

SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "code": {"type": "string", "pattern": "^[A-Z]{3}-[0-9]{4}$"},
        "score": {"type": "integer", "minimum": 10, "maximum": 20},
        "ratio": {"type": "number", "minimum": 0, "exclusiveMinimum": True, "maximum": 1},
        "active": {"type": "boolean"},
        "address": {"$ref": "#/components/schemas/Address"},
        "tags": {"type": "array", "minItems": 1, "items": {"type": "string", "enum": ["x", "y"]}},
        "extra": {},
    },
}  # fmt: skip
ADDRESS = {
    "type": "object", "required": ["street", "postcode"], "additionalProperties": False,
    "properties": {"street": {"type": "string", "minLength": 3},
                   "postcode": {"type": "string", "pattern": "^[0-9]{5}$"}},
}  # fmt: skip
VALUE = {
    "code": "ABC-1234", "score": 17, "ratio": 0.5, "active": True,
    "address": {"street": "1 Real Road", "postcode": "12345"}, "tags": ["x"], "extra": 3,
}  # fmt: skip


@pytest.fixture(scope="module")
def spec(tmp_path_factory):
    folder = tmp_path_factory.mktemp("spec")
    doc = {
        "openapi": "3.0.3", "info": {"title": "t", "version": "1"},
        "paths": {"/things": {"get": {"operationId": "things", "responses": {"200": {
            "description": "ok",
            "content": {"application/json": {"schema": SCHEMA}}}}}}},
        "components": {"schemas": {"Address": ADDRESS}},
    }  # fmt: skip
    (folder / "openapi.yaml").write_text(yaml.safe_dump(doc))
    return load_spec(folder / "openapi.yaml")


def schema_of(spec):
    media = spec.operation("things").responses["200"].content["application/json"]
    return media.schema, media.schema_uri


@pytest.mark.parametrize("field", list(VALUE), ids=list(VALUE))
def test_each_kind_of_field_is_masked_with_a_valid_value(spec, field):
    """Masking one field keeps the whole body valid against the spec, whatever its type."""
    masked, pointers = Masker(spec, (field,), seed=3).body(VALUE, schema_of(spec), "k")
    assert pointers == [f"/{field}"]
    assert {k: v for k, v in masked.items() if k != field} == {
        k: v for k, v in VALUE.items() if k != field
    }
    issues = spec.operation("things").validate_response(
        200, "application/json", json.dumps(masked).encode()
    )
    assert issues == []
    assert type(masked[field]) is type(VALUE[field]) or field == "ratio"


def test_masking_depends_on_the_place_and_seed_never_on_the_value(spec):
    """Same place and seed: same mask, whatever the original; another seed: another mask."""
    masker = Masker(spec, ("code",), seed=1)
    first, _ = masker.body(VALUE, schema_of(spec), "k")
    other, _ = masker.body(dict(VALUE, code="XYZ-9999"), schema_of(spec), "k")
    assert first["code"] == other["code"] != VALUE["code"]
    reseeded, _ = Masker(spec, ("code",), seed=2).body(VALUE, schema_of(spec), "k")
    assert reseeded["code"] != first["code"]


def test_fields_are_masked_at_any_depth_even_without_a_schema(spec):
    """Nested and free-form places are masked too (by the original's JSON type)."""
    value = {"list": [{"code": "A"}, {"code": "B"}], "n": {"code": 5}}
    masked, pointers = Masker(spec, ("code",)).body(value, None, "k")
    assert pointers == ["/list/0/code", "/list/1/code", "/n/code"]
    assert (
        isinstance(masked["list"][0]["code"], str) and masked["list"][0]["code"] != "A"
    )
    assert isinstance(masked["n"]["code"], int)
