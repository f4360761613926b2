"""Schema keywords of the wrong type: read or dropped with a located warning, or refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from satchel.openapi import RequestInvalid, SpecError, load_spec

SPEC_31 = """\
openapi: 3.1.0
info: {title: t, version: '1'}
paths:
  /items:
    post:
      operationId: addItems
      requestBody:
        content:
          application/json:
            schema: {$ref: '#/components/schemas/minimum'}
      responses:
        '200': {description: ok}
components:
  schemas:
    minimum:
      type: object
      properties:
        count: {type: integer, exclusiveMinimum: '0', multipleOf: -2}
        tags: {type: array, contains: 5, maxContains: '2'}
        format: {type: string, format: {bad: 1}}
"""


def _load(tmp_path: Path, text: str, lenient: bool = True):
    path = tmp_path / "spec.yaml"
    path.write_text(text)
    return load_spec(path, lenient=lenient)


def test_a_31_schema_has_its_keywords_read_or_dropped_with_their_places(tmp_path):
    """A schema named "minimum" and a property named "format" are names; their keywords count."""
    spec = _load(tmp_path, SPEC_31)
    found = {
        w.pointer.rsplit("/", 2)[-2:][1]: (w.line, w.message) for w in spec.warnings
    }
    assert found == {
        "exclusiveMinimum": (
            18,
            "'exclusiveMinimum' must be a number (OpenAPI 3.1), not '0'",
        ),
        "multipleOf": (18, "'multipleOf' must be a number above 0, not -2"),
        "contains": (19, "'contains' must be a schema, not 5"),
        "maxContains": (19, "'maxContains' must be a non-negative integer, not '2'"),
        "format": (20, "'format' must be a string, not {'bad': 1}"),
    }
    check = spec.operation("addItems").request_validator()
    check({}, {}, {}, {}, "application/json", b'{"count": 3, "tags": ["a"]}')
    with pytest.raises(RequestInvalid) as caught:
        check({}, {}, {}, {}, "application/json", b'{"count": 0}')
    assert caught.value.issues[0].field == "/count"


def test_strict_loading_refuses_the_first_with_file_line_and_pointer(tmp_path):
    """Services load strictly: the same message, as a SpecError, never a request-time 500."""
    with pytest.raises(SpecError) as caught:
        _load(tmp_path, SPEC_31, lenient=False)
    assert caught.value.line in (18, 19, 20)
    assert str(caught.value) in {str(w) for w in _load(tmp_path, SPEC_31).warnings}


def test_keywords_of_the_right_type_and_names_that_look_like_keywords_are_left_alone(
    tmp_path,
):
    """No warnings for a clean spec whose properties and parameters are named like keywords."""
    spec = _load(
        tmp_path,
        """\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /items:
    get:
      parameters:
        - {name: type, in: query, required: true, schema: {type: string, enum: [a]}}
      responses:
        '200':
          description: ok
          headers:
            required: {required: true, schema: {type: integer, maximum: 3.5}}
          content:
            application/json:
              schema:
                type: object
                required: [type]
                properties:
                  type: {type: string, minLength: 2.0}
                  required: {type: boolean, default: false}
                  pattern: {type: string, pattern: '^a', example: {minimum: x}}
""",
        lenient=False,
    )
    assert spec.warnings == ()


@pytest.mark.parametrize(
    "version, written, served, outcome",
    [
        (
            "3.0.3",
            {"exclusiveMinimum": 5},
            {"minimum": 5, "exclusiveMinimum": True},
            "reads it as minimum: 5 with exclusiveMinimum: true",
        ),
        (
            "3.0.3",
            {"minimum": 9, "exclusiveMinimum": 5},
            {"minimum": 9},
            "ignores it: minimum 9 is the tighter bound",
        ),
        (
            "3.0.3",
            {"minimum": 5, "exclusiveMinimum": "true"},
            {"minimum": 5, "exclusiveMinimum": True},
            "reads it as True",
        ),
        (
            "3.1.0",
            {"minimum": 5, "exclusiveMinimum": True},
            {"exclusiveMinimum": 5},
            "reads it as exclusiveMinimum: 5 in place of minimum",
        ),
        ("3.1.0", {"exclusiveMinimum": "5"}, {"exclusiveMinimum": 5}, "reads it as 5"),
    ],
    ids=["30-number", "30-number-looser", "30-string", "31-boolean", "31-string"],
)
def test_exclusive_bounds_in_the_other_dialects_form_are_read_as_meant(
    tmp_path, version, written, served, outcome
):
    """3.1's numeric exclusiveMinimum in a 3.0 spec (and the reverse) keeps its meaning."""
    bounds = ", ".join(f"{k}: {json.dumps(v)}" for k, v in written.items())
    spec = _load(
        tmp_path,
        f"openapi: {version}\ninfo: {{title: t, version: '1'}}\npaths:\n  /n:\n"
        "    get:\n      operationId: n\n      parameters:\n"
        f"        - {{name: n, in: query, schema: {{type: integer, {bounds}}}}}\n"
        "      responses:\n        '200': {description: ok}\n",
    )
    assert spec.operation("n").parameters[0].schema == {"type": "integer", **served}
    [warning] = spec.warnings
    assert warning.pointer.endswith("/schema/exclusiveMinimum") and warning.line == 8
    assert warning.hint == f"Write it so (a lenient load {outcome})."
    check = spec.operation("n").request_validator()
    limit = max(v for v in served.values() if not isinstance(v, bool))
    check({}, {"n": [str(limit + 1)]}, {}, {}, None, b"")
    below = limit if "exclusiveMinimum" in served else limit - 1
    with pytest.raises(RequestInvalid):
        check({}, {"n": [str(below)]}, {}, {}, None, b"")


def test_annotations_the_validator_acts_on_are_checked_too(tmp_path):
    """nullable: "false" would be truthy; a discriminator must name its property."""
    spec = _load(
        tmp_path,
        """\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /p:
    post:
      operationId: p
      requestBody:
        content:
          application/json:
            schema:
              type: object
              discriminator: kind
              properties:
                a: {type: string, nullable: 'false', readOnly: 'true'}
                b: {type: array, items: string}
      responses:
        '204': {description: ok}
""",
    )
    found = {w.pointer.rsplit("/", 1)[1]: w.hint for w in spec.warnings}
    assert found == {
        "discriminator": "Write it as a mapping with a 'propertyName' string (a lenient "
        "load ignores it).",
        "nullable": "Write it as a boolean (a lenient load reads it as False).",
        "readOnly": "Write it as a boolean (a lenient load reads it as True).",
        "items": "Write it as a schema (a lenient load ignores it).",
    }
    check = spec.operation("p").request_validator()
    with pytest.raises(RequestInvalid) as caught:
        check({}, {}, {}, {}, "application/json", b'{"a": null}')
    assert caught.value.issues[0].message == "None for not nullable"
