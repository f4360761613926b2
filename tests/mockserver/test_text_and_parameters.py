"""Accept with media-type parameters, Swagger 2 types from example keys, text bodies."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockserver.core.accept import best_match
from mockserver.core.engine import Engine
from mockserver.core.messages import MockRequest
from satchel.openapi import load_spec

SPECS = Path(__file__).parent / "specs"
VENDOR = "application/vnd.archa.api+json"


@pytest.mark.parametrize(
    "header, offered, wanted",
    [
        (f"{VENDOR}; version=1", [VENDOR], VENDOR),
        (f"{VENDOR}; version=1", [f"{VENDOR}; version=2"], None),
        (f"{VENDOR}; version=2", [f'{VENDOR}; version="2"'], f'{VENDOR}; version="2"'),
        (VENDOR, [f"{VENDOR}; version=2"], f"{VENDOR}; version=2"),
        ("application/json; charset=utf-8", ["application/json"], "application/json"),
        ("application/json; version=1; q=0.2, application/xml",
         ["application/json", "application/xml"], "application/xml"),
        ("application/json; version=1, application/*;q=0",
         ["application/json"], "application/json"),
        ("application/json", ["not-a-media-type", "application/json"], "application/json"),
    ],
    ids=["unnamed-parameter", "contradicted", "quoted", "range-without", "charset",
         "q-values-kept", "more-specific-wins", "malformed-declared"],
)  # fmt: skip
def test_parameters_the_declared_type_does_not_name_do_not_refuse(
    header, offered, wanted
):
    """Only a parameter both sides name and disagree on refuses a type; q-values still rule."""
    assert best_match(header, offered) == wanted


def _engine(name: str, **options) -> Engine:
    return Engine.from_files(name, SPECS / f"{name}.yaml", strict=False, **options)


def _get(engine: Engine, path: str, accept: str | None = None):
    headers = {"accept": accept} if accept is not None else {}
    return engine.handle(MockRequest("GET", path, headers=headers))


def test_a_vendor_type_is_answered_to_an_accept_with_a_version_parameter():
    """The mock answers the declared vendor type; a contradicting version is 406."""
    engine = _engine("vendor-accept")
    answer = _get(engine, "/plain", f"{VENDOR}; version=1")
    assert (answer.status, answer.header("content-type")) == (200, VENDOR)
    assert json.loads(answer.body) == {"value": "hello"}
    refused = _get(engine, "/versioned", f"{VENDOR}; version=1")
    assert refused.status == 406
    assert f"the request accepts only {VENDOR}; version=1" in refused.body.decode()
    assert _get(engine, "/versioned", f"{VENDOR}; version=2").status == 200


def test_swagger2_without_produces_answers_the_media_types_of_its_example_keys():
    """``examples: {text/plain: ...}`` and no ``produces``: text/plain only, never JSON."""
    spec = load_spec(SPECS / "swagger2-example-types.yaml")
    content = {
        op.operation_id: list(op.responses["200"].content) for op in spec.operations
    }
    assert content == {
        "greeting": ["text/plain"],
        "count": ["application/json"],
        "both": ["application/json", "text/plain"],
    }
    engine = _engine("swagger2-example-types")
    assert _get(engine, "/greeting", "application/json").status == 406
    answer = _get(engine, "/greeting", "text/plain")
    assert (answer.status, answer.header("content-type"), answer.body) == (
        200,
        "text/plain",
        b"hello",
    )


@pytest.mark.parametrize(
    "path, accept, what",
    [
        ("/plain-object", None, "generated data is an object"),
        ("/plain-object", "text/plain", "generated data is an object"),
        ("/html-array", "text/html", "the example is an array"),
        ("/plain-or-json", "text/plain", "the example is an object"),
        ("/csv-or-xml", "text/csv", "generated data is an object"),
    ],
)
def test_an_object_or_array_under_a_text_type_is_a_500_that_says_how_to_fix_it(
    path, accept, what
):
    """No declared type the client takes can carry it: 500 mock-cannot-serialise, located."""
    answer = _get(_engine("text-bodies"), path, accept)
    assert answer.status == 500
    problem = json.loads(answer.body)
    assert problem["type"].endswith("/mock-cannot-serialise")
    media = (accept or "text/plain").split(",")[0]
    assert f"cannot be written as {media}: {what}" in problem["detail"]
    assert f"{SPECS / 'text-bodies.yaml'}:" in problem["detail"]
    assert "Give the response a string example" in problem["detail"]


@pytest.mark.parametrize(
    "path, accept, media_type, body",
    [
        ("/plain-or-json", None, "application/json", b'{"name":"Kent"}'),
        ("/plain-or-json", "text/plain, application/json;q=0.5", "application/json",
         b'{"name":"Kent"}'),
        ("/csv-or-xml", None, "application/xml",
         b'<?xml version="1.0" encoding="UTF-8"?>\n<person><name>Clark</name></person>'),
        ("/csv-or-xml", "text/csv, */*;q=0.1", "application/xml",
         b'<?xml version="1.0" encoding="UTF-8"?>\n<person><name>Clark</name></person>'),
        ("/plain-string", "text/plain", "text/plain", b"pong"),
        ("/plain-number", "text/plain", "text/plain", b"42"),
    ],
    ids=["json-first", "json-accepted-too", "xml-instead-of-csv", "xml-by-wildcard",
         "string-as-is", "number-as-text"],
)  # fmt: skip
def test_another_acceptable_declared_type_carries_what_text_cannot(
    path, accept, media_type, body
):
    """A declared type the client also takes answers; strings and numbers stay text."""
    answer = _get(_engine("text-bodies"), path, accept)
    assert (answer.status, answer.header("content-type"), answer.body) == (
        200,
        media_type,
        body,
    )


def test_text_bodies_cannot_be_served_strictly():
    """``--strict`` refuses the spec at load, naming the response and the fix."""
    from mockserver.core.errors import AnswersInvalid

    with pytest.raises(AnswersInvalid) as caught:
        Engine.from_files("text", SPECS / "text-bodies.yaml")
    text = str(caught.value)
    assert "plainObject 200 cannot be written as text/plain" in text
    assert "htmlArray 200 cannot be written as text/html" in text
