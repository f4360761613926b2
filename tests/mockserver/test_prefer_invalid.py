"""Prefer's code and example apply to the answer to a request that fails validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockserver.core.engine import Engine, MockRequest

SPEC = Path(__file__).resolve().parent / "specs" / "invalid-prefer.yaml"
JSON = {"content-type": "application/json"}
TOO_LONG = b'{"name": "very_long_name"}'


@pytest.fixture(scope="module")
def engine() -> Engine:
    return Engine.from_files("cats", SPEC)


def _post(engine: Engine, body: bytes, query: str = "", **headers: str):
    return engine.handle(MockRequest("POST", "/cats", query, {**JSON, **headers}, body))


@pytest.mark.parametrize(
    "body", [TOO_LONG, b'{"name": "Tom"}'], ids=["invalid", "valid"]
)
def test_a_missing_example_is_404_whether_the_request_is_valid_or_not(engine, body):
    """``__code=422&__example=missing``: the same 404, naming the examples there are."""
    answer = _post(engine, body, "__example=missing&__code=422")
    assert answer.status == 404
    problem = json.loads(answer.body)
    assert problem["type"].endswith("/mock-prefer-not-declared")
    assert problem["detail"] == (
        "Prefer example=missing: createCat 422 has no such example; available: "
        "tooShort, tooLong."
    )


def test_the_requested_example_of_the_refusal_answers_an_invalid_request(engine):
    """code=422 with an example of it: that example, the reason in the source header."""
    answer = _post(engine, TOO_LONG, prefer="code=422, example=tooLong")
    assert (answer.status, json.loads(answer.body)) == (422, {"message": "too long"})
    assert answer.header("satchel-mock-source").startswith(
        "spec 422 response to an invalid request: "
    )


def test_a_requested_success_is_ignored_for_an_invalid_request(engine):
    """code=201 cannot answer a bad body: the refusal's first example answers, as in Prism."""
    answer = _post(engine, TOO_LONG, prefer="code=201, example=tom")
    assert (answer.status, json.loads(answer.body)) == (422, {"message": "too short"})


def test_an_unparsable_prefer_leaves_the_refusal_as_it_is(engine):
    """A Prefer header that does not parse does not hide why the request was refused."""
    answer = _post(engine, TOO_LONG, prefer="code=abc")
    assert answer.status == 422
