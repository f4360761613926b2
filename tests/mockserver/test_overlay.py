"""Overlays: parsing, and load-time errors for anything the spec does not back up."""

from __future__ import annotations

import pytest

from mockserver.core.engine import Engine
from mockserver.core.errors import AnswersInvalid, OverlayError
from mockserver.core.overlay import MISSING_BODY, Condition, load_overlay
from satchel.openapi import load_spec
from tests.mockserver.conftest import MOCK, PETSTORE


def test_parse_the_test_overlay():
    """Examples, rules (with their lines) and scenarios are read as written."""
    overlay = load_overlay(MOCK / "petstore-overlay.yaml")
    assert overlay.examples == {
        "showPetById": {"404": {"gone": {"code": 404, "message": "Pet gone"}}}
    }
    first, header_rule, body_rule, query_rule = overlay.rules
    assert (
        first.operation,
        first.line,
        first.respond.status,
        first.respond.example,
    ) == (
        "showPetById",
        7,
        404,
        "gone",
    )
    assert first.when == Condition(path=(("petId", "404"),))
    assert header_rule.when.header == (("x-tenant", "demo"),)
    assert body_rule.when.body == (("/name", "Taken"),)
    assert query_rule.when.query == (("limit", "1"),)
    assert list(overlay.scenarios) == ["outage", "empty"]
    outage = overlay.scenarios["outage"][0]
    assert outage.respond.headers == (("Retry-After", "30"),)
    assert overlay.rules[0].respond.body is MISSING_BODY


@pytest.mark.parametrize(
    "pointer, body, matches",
    [
        ("/name", {"name": "Rex"}, True),
        ("/name", {"name": "Tom"}, False),
        ("/tags/0", {"tags": ["Rex"]}, True),
        ("/name", None, False),
        ("/a~1b", {"a/b": "Rex"}, True),
    ],
    ids=["equal", "different", "list-index", "no-body", "escaped-pointer"],
)
def test_body_condition(pointer, body, matches):
    """A body condition compares the value at a JSON pointer of the parsed body."""
    condition = Condition(body=((pointer, "Rex"),))
    assert condition.matches({}, {}, {}, body) is matches


PARSE_ERRORS = [
    (
        "top-key",
        "rule: []\n",
        1,
        "unknown key 'rule' in an overlay. Did you mean 'rules'?",
    ),
    (
        "rules-not-list",
        "rules: {a: 1}\n",
        1,
        "rules must be a list of {operation, when, respond}.",
    ),
    (
        "no-operation",
        "rules:\n  - respond: {status: 200}\n",
        2,
        "a rule needs operation: an operationId or 'METHOD /path'.",
    ),
    (
        "no-respond",
        "rules:\n  - operation: listPets\n",
        2,
        "the rule for listPets has no respond.",
    ),
    (
        "bad-status",
        "rules:\n  - operation: listPets\n    respond: {status: 999}\n",
        3,
        "respond.status must be an HTTP status, not 999.",
    ),
    (
        "example-and-body",
        "rules:\n  - operation: listPets\n    respond:\n      status: 200\n"
        "      example: a\n      body: []\n",
        3,
        "respond takes example or body, not both.",
    ),
    (
        "when-typo",
        "rules:\n  - operation: listPets\n    when: {querry: {a: 1}}\n"
        "    respond: {status: 200}\n",
        3,
        "unknown key 'querry' in when. Did you mean 'query'?",
    ),
    (
        "body-not-pointer",
        "rules:\n  - operation: listPets\n    when:\n      body: {name: x}\n"
        "    respond: {status: 200}\n",
        4,
        "when.body keys are JSON pointers such as /name, not 'name'.",
    ),
    (
        "scenario-not-list",
        "scenarios:\n  outage: {operation: x}\n",
        2,
        "rules must be a list of {operation, when, respond}.",
    ),
    (
        "examples-shape",
        "examples:\n  listPets: [1]\n",
        2,
        "examples of listPets must map a status to named bodies.",
    ),
]


@pytest.mark.parametrize(
    "text, line, message",
    [c[1:] for c in PARSE_ERRORS],
    ids=[c[0] for c in PARSE_ERRORS],
)
def test_overlay_parse_errors(tmp_path, text, line, message):
    """Each malformed overlay is reported with its file and line."""
    path = tmp_path / "overlay.yaml"
    path.write_text(text)
    with pytest.raises(OverlayError) as caught:
        load_overlay(path)
    assert str(caught.value) == f"{path}:{line}: {message}"


LOAD_ERRORS = [
    (
        "unknown-operation",
        "rules:\n  - operation: showPet\n    respond: {status: 200}\n",
        "{overlay}:2: operation 'showPet' is not in the spec. Did you mean 'showPetById'?",
    ),
    (
        "undeclared-status",
        "rules:\n  - operation: listPets\n    respond: {status: 418}\n",
        "{overlay}:2: listPets declares no 418 response (declared: 200).",
    ),
    (
        "unknown-example",
        "rules:\n  - operation: showPetById\n"
        "    respond: {status: 200, example: fido}\n",
        "{overlay}:2: showPetById 200 has no example named 'fido' (available: rex, tom).",
    ),
    (
        "inline-body-invalid",
        "rules:\n  - operation: showPetById\n"
        "    respond: {status: 200, body: {id: x}}\n",
        "{overlay}:2: the inline body for showPetById 200 does not match the spec: "
        "/name: 'name' is a required property; /id: 'x' is not of type 'integer'. "
        "Fix the example or overlay so that it validates against the schema.",
    ),
    (
        "example-invalid",
        'examples:\n  listPets:\n    "200":\n      broken: [{id: 1}]\n',
        "{overlay}:4: the overlay example broken for listPets 200 does not match the spec: "
        "/0/name: 'name' is a required property. "
        "Fix the example or overlay so that it validates against the schema.",
    ),
    (
        "example-undeclared-status",
        'examples:\n  listPets:\n    "404":\n      gone: {}\n',
        "{overlay}:4: examples for listPets 404: "
        "the spec declares no such response (declared: 200).",
    ),
    (
        "no-content-body",
        "rules:\n  - operation: deletePet\n    respond: {status: 204, body: {}}\n",
        "{overlay}:2: deletePet 204 declares no content, so it cannot answer a body.",
    ),
]


@pytest.mark.parametrize(
    "text, message", [c[1:] for c in LOAD_ERRORS], ids=[c[0] for c in LOAD_ERRORS]
)
def test_overlay_load_errors(tmp_path, text, message):
    """Anything in an overlay the spec does not declare, or that fails its schema, fails load."""
    path = tmp_path / "overlay.yaml"
    path.write_text(text)
    with pytest.raises(AnswersInvalid) as caught:
        Engine("pets", load_spec(PETSTORE), load_overlay(path))
    expected = message.format(overlay=path, spec=PETSTORE, line=18)
    assert [str(e) for e in caught.value.errors] == [expected]


def test_big_specs_build_answers_lazily(tmp_path):
    """Above the eager limit, answers are built on first use; a bad one answers 500, not a hang."""
    from mockserver.core.messages import MockRequest

    spec = tmp_path / "openapi.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n"
        "  /a:\n    get:\n      operationId: getA\n      responses:\n        '200':\n"
        "          description: ok\n          content:\n            application/json:\n"
        "              schema: {type: integer}\n              example: seven\n"
        "  /b:\n    get:\n      operationId: getB\n      responses:\n        '200':\n"
        "          description: ok\n          content:\n            application/json:\n"
        "              schema: {type: integer, minimum: 3, maximum: 3}\n"
    )
    engine = Engine("t", load_spec(spec), eager_limit=0)
    assert engine.lazy
    assert engine.handle(MockRequest("GET", "/b")).body == b"3"
    broken = engine.handle(MockRequest("GET", "/a"))
    assert broken.status == 500
    assert "the example for getA 200 does not match the spec" in broken.body.decode()
    [pending] = engine.pending()
    assert [str(e) for e in engine.warm(pending)] == [
        f"{spec}:8: the example for getA 200 does not match the spec: /: 'seven' is not of "
        "type 'integer'. Fix the example or overlay so that it validates against the schema."
    ]
