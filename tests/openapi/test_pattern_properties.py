"""patternProperties keys are ECMA-262 patterns, for that keyword and additionalProperties."""

from __future__ import annotations

import json

import pytest

from satchel.openapi import RequestInvalid, load_spec


def _spec(tmp_path, version: str, schema: dict):
    document = {
        "openapi": version,
        "info": {"title": "t", "version": "1"},
        "paths": {
            "/labels": {
                "post": {
                    "operationId": "labels",
                    "requestBody": {
                        "content": {"application/json": {"schema": schema}}
                    },
                    "responses": {"204": {"description": "ok"}},
                }
            }
        },
    }
    path = tmp_path / "spec.json"
    path.write_text(json.dumps(document))
    return load_spec(path)


def _send(spec, body: dict):
    check = spec.operation("labels").request_validator()
    return check({}, {}, {}, {}, "application/json", json.dumps(body).encode())


LETTERS = {
    "type": "object",
    "patternProperties": {r"^\p{Lu}\p{Ll}+$": {"type": "integer"}},
    "additionalProperties": False,
}


@pytest.mark.parametrize("version", ["3.0.3", "3.1.0"])
def test_a_key_matching_an_ecma_only_pattern_is_not_an_additional_property(
    tmp_path, version
):
    """\\p{Lu} is ECMA-262 only (Python's re refuses it): "Émile" is covered, "x1" is not."""
    spec = _spec(tmp_path, version, LETTERS)
    assert _send(spec, {"Émile": 1}).body == {"Émile": 1}
    with pytest.raises(RequestInvalid) as caught:
        _send(spec, {"x1": 1})
    assert caught.value.issues[0].message == (
        "'x1' does not match any of the regexes: '^\\\\p{Lu}\\\\p{Ll}+$'"
    )


def test_in_31_the_values_of_matching_keys_are_checked_with_the_ecma_pattern(tmp_path):
    spec = _spec(tmp_path, "3.1.0", LETTERS)
    with pytest.raises(RequestInvalid) as caught:
        _send(spec, {"Émile": "one"})
    assert [(i.field, i.message) for i in caught.value.issues] == [
        ("/Émile", "'one' is not of type 'integer'")
    ]


def test_an_invalid_pattern_properties_key_is_warned_at_load_and_named_when_used(
    tmp_path,
):
    spec = _spec(
        tmp_path,
        "3.1.0",
        {"type": "object", "patternProperties": {"^(a": {"type": "integer"}}},
    )
    [warning] = spec.warnings
    assert warning.pointer.endswith("/schema/patternProperties/^(a")
    assert "is not a valid ECMA-262 regular expression" in warning.message
    with pytest.raises(RequestInvalid) as caught:
        _send(spec, {"a": 1})
    assert caught.value.issues[0].message.startswith(
        "cannot check the properties: the spec's patternProperties key '^(a' is not a "
        "valid ECMA-262 regular expression"
    )
