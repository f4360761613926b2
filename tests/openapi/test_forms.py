"""Form bodies read as their encoding says: delimited arrays, and reserved characters."""

from __future__ import annotations

from pathlib import Path

import pytest

from satchel.openapi import RequestInvalid, load_spec

URLENCODED = "application/x-www-form-urlencoded"
SPEC_30 = """\
openapi: 3.0.3
info: {title: t, version: '1'}
paths:
  /form:
    post:
      operationId: form
      requestBody:
        content:
          application/x-www-form-urlencoded:
            schema: {$ref: '#/components/schemas/Form'}
            encoding:
              strict: {contentType: text/plain}
              loose: {allowReserved: true}
              ids: {style: form, explode: false}
              piped: {style: pipeDelimited, explode: false}
          multipart/form-data:
            schema: {$ref: '#/components/schemas/Form'}
            encoding:
              strict: {style: form, allowReserved: false}
              loose: {contentType: text/plain}
      responses:
        '204': {description: ok}
components:
  schemas:
    Form:
      type: object
      properties:
        strict: {type: string}
        loose: {type: string}
        free: {type: string}
        ids: {type: array, items: {type: integer}}
        piped: {type: array, items: {type: string}}
        many: {type: array, items: {type: integer}}
"""
SPEC_20 = """\
swagger: '2.0'
info: {title: t, version: '1'}
paths:
  /form:
    post:
      operationId: form
      consumes: [application/x-www-form-urlencoded, multipart/form-data]
      parameters:
        - {in: formData, name: csv, type: array, items: {type: integer}}
        - {in: formData, name: pipes, type: array, items: {type: string},
           collectionFormat: pipes}
        - {in: formData, name: multi, type: array, items: {type: integer},
           collectionFormat: multi}
        - {in: formData, name: note, type: string}
      responses:
        '204': {description: ok}
"""


@pytest.fixture(scope="module")
def specs(tmp_path_factory) -> dict:
    folder: Path = tmp_path_factory.mktemp("forms")
    (folder / "v30.yaml").write_text(SPEC_30)
    (folder / "v20.yaml").write_text(SPEC_20)
    return {name: load_spec(folder / f"{name}.yaml") for name in ("v30", "v20")}


def _send(spec, body: bytes, content_type: str = URLENCODED):
    check = spec.operation("form").request_validator()
    return check({}, {}, {}, {}, content_type, body).body


def _multipart(**fields: str) -> tuple[bytes, str]:
    parts = "".join(
        f'--XB\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    )
    return (parts + "--XB--\r\n").encode(), "multipart/form-data; boundary=XB"


@pytest.mark.parametrize(
    "body, expected",
    [
        (b"strict=a%3Ab%2Fc&loose=a:b/c&free=a:b@c", ["a:b/c", "a:b/c", "a:b@c"]),
        (b"strict=two+words", ["two words", None, None]),
    ],
    ids=["percent-encoded-or-allowed", "plus-is-a-space"],
)
def test_reserved_characters_are_refused_raw_only_where_the_encoding_says(
    specs, body, expected
):
    """allowReserved is false by default in an Encoding object, and only there."""
    parsed = _send(specs["v30"], body)
    assert [parsed.get(k) for k in ("strict", "loose", "free")] == expected


def test_raw_reserved_characters_in_a_urlencoded_field_are_a_422_naming_them(specs):
    with pytest.raises(RequestInvalid) as caught:
        _send(specs["v30"], b"strict=:/?#[]@!$&'()*+,;&loose=:/")
    assert caught.value.status == 422
    assert [(i.location, i.field, i.message) for i in caught.value.issues] == [
        (
            "body",
            "/strict",
            "reserved characters '!#$/:?@[]' must be percent-encoded (the spec's "
            "encoding has allowReserved: false)",
        )
    ]


def test_multipart_fields_follow_allow_reserved_only_when_their_style_is_written(specs):
    """In multipart, style/explode/allowReserved apply when written (OpenAPI 3.0.4, 3.1.1)."""
    body, content_type = _multipart(strict="a%3Ab", loose="a:b/c", free="@")
    parsed = _send(specs["v30"], body, content_type)
    assert (parsed["strict"], parsed["loose"], parsed["free"]) == ("a:b", "a:b/c", "@")
    body, content_type = _multipart(strict="a+b")
    with pytest.raises(RequestInvalid) as caught:
        _send(specs["v30"], body, content_type)
    assert caught.value.issues[0].field == "/strict"
    assert caught.value.issues[0].message.startswith("reserved characters '+'")


@pytest.mark.parametrize(
    "body, field, expected",
    [
        (b"ids=1,2,3", "ids", [1, 2, 3]),
        (b"ids=", "ids", []),
        (b"piped=a|b%2Cc", "piped", ["a", "b,c"]),
        (b"many=1&many=2", "many", [1, 2]),
    ],
    ids=["explode-false", "empty", "pipe-delimited", "exploded-repeats"],
)
def test_array_fields_split_or_repeat_as_their_encoding_says(
    specs, body, field, expected
):
    assert _send(specs["v30"], body)[field] == expected


def test_an_item_of_a_delimited_array_is_checked_against_the_items_schema(specs):
    with pytest.raises(RequestInvalid) as caught:
        _send(specs["v30"], b"ids=1,x")
    assert [(i.field, i.message) for i in caught.value.issues] == [
        ("/ids/1", "'x' is not of type 'integer'")
    ]


@pytest.mark.parametrize(
    "body, expected",
    [
        (b"csv=1,2&pipes=a|b&multi=3&multi=4", {"csv": [1, 2], "pipes": ["a", "b"]}),
        (b"multi=3&multi=4&note=a:b", {"multi": [3, 4], "note": "a:b"}),
    ],
    ids=["csv-and-pipes", "multi-and-raw-reserved"],
)
def test_swagger2_form_fields_follow_their_collection_format(specs, body, expected):
    """2.0 formData arrays are csv unless collectionFormat says otherwise; no reserved rule."""
    parsed = _send(specs["v20"], body)
    assert {k: parsed[k] for k in expected} == expected


def test_swagger2_form_fields_are_checked_against_their_schema(specs):
    with pytest.raises(RequestInvalid) as caught:
        _send(specs["v20"], b"csv=1,two")
    assert [(i.field, i.message) for i in caught.value.issues] == [
        ("/csv/1", "'two' is not of type 'integer'")
    ]
    body, content_type = _multipart(csv="5,6")
    assert _send(specs["v20"], body, content_type)["csv"] == [5, 6]


ALLOW_EMPTY = """\
swagger: '2.0'
info: {title: t, version: '1'}
paths:
  /search:
    post:
      operationId: search
      consumes: [application/x-www-form-urlencoded]
      parameters:
        - {in: query, name: limit, type: integer, default: 20, allowEmptyValue: true}
        - {in: query, name: page, type: integer, required: true, allowEmptyValue: true}
        - {in: query, name: q, type: string, allowEmptyValue: true}
        - {in: query, name: strict, type: integer}
        - {in: formData, name: size, type: integer, default: 5, allowEmptyValue: true}
        - {in: formData, name: note, type: string, allowEmptyValue: true}
      responses:
        '204': {description: ok}
"""


@pytest.fixture(scope="module")
def allow_empty(tmp_path_factory):
    path = tmp_path_factory.mktemp("empty") / "spec.yaml"
    path.write_text(ALLOW_EMPTY)
    return load_spec(path).operation("search").request_validator()


def test_an_empty_value_allowed_reads_as_the_default_or_as_left_out(allow_empty):
    """allowEmptyValue: "?limit=" is the default 20; "?page=" (no default) is sent, not 422."""
    valid = allow_empty(
        {}, {"limit": [""], "page": [""], "q": [""]}, {}, {}, URLENCODED, b"size=&note="
    )
    assert valid.query == {"limit": 20, "q": ""}
    assert valid.body == {"size": 5, "note": ""}


@pytest.mark.parametrize(
    "query, issue",
    [
        ({"page": ["1"], "strict": [""]}, ("strict", "'' is not of type 'integer'")),
        ({}, ("page", "required parameter is missing")),
        ({"page": ["x"]}, ("page", "'x' is not of type 'integer'")),
    ],
    ids=["empty-not-allowed", "required-left-out", "non-empty-still-checked"],
)
def test_without_allow_empty_value_or_with_a_value_the_usual_checks_hold(
    allow_empty, query, issue
):
    with pytest.raises(RequestInvalid) as caught:
        allow_empty({}, query, {}, {}, None, b"")
    assert [(i.field, i.message) for i in caught.value.issues] == [issue]


def test_openapi3_query_allow_empty_value_reads_as_the_default(tmp_path):
    path = tmp_path / "spec.yaml"
    path.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /s:\n    get:\n"
        "      operationId: s\n      parameters:\n"
        "        - {name: n, in: query, allowEmptyValue: true,"
        " schema: {type: integer, default: 3}}\n"
        "        - {name: m, in: query, schema: {type: integer, default: 4}}\n"
        "      responses:\n        '204': {description: ok}\n"
    )
    check = load_spec(path).operation("s").request_validator()
    assert check({}, {"n": [""]}, {}, {}, None, b"").query == {"n": 3, "m": 4}
    with pytest.raises(RequestInvalid):
        check({}, {"m": [""]}, {}, {}, None, b"")


def test_a_form_without_a_schema_still_reads_one_value_per_field(tmp_path):
    """No schema to follow: each field is its first value, as text, as before."""
    path = tmp_path / "spec.yaml"
    path.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /f:\n    post:\n"
        "      operationId: f\n      requestBody:\n        content:\n"
        "          application/x-www-form-urlencoded: {}\n"
        "      responses:\n        '204': {description: ok}\n"
    )
    check = load_spec(path).operation("f").request_validator()
    assert check({}, {}, {}, {}, URLENCODED, b"a=1&a=2&b=x").body == {
        "a": "1",
        "b": "x",
    }
