"""Vendored specs with flaws load with warnings; every answer, the mock's refusals too, conforms."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from satchel.openapi import SpecError, load_spec

from mockserver.cli.check import check_spec
from mockserver.core.engine import Engine, MockRequest
from mockserver.core.errors import AnswersInvalid

SPECS = Path(__file__).resolve().parent / "specs"
FLAWS = SPECS / "vendored-flaws.json"


def _conforms(engine: Engine, method: str, path: str, response) -> list:
    """Return the issues of ``response`` against the operation that owns ``path``."""
    operation = engine.spec.match(method, path).operation
    return operation.validate_response(
        response.status, response.header("content-type"), response.body or None
    )


def test_flawed_vendored_spec_serves_with_located_warnings():
    """Bad example, 3.1 types, undeclared path parameter, duplicate id: warnings, valid answer."""
    engine = Engine.from_files("vendored", FLAWS, strict=False)
    assert [str(w) for w in engine.warnings] == [
        f"{FLAWS}:17: /paths/~1things~1{{id}}/get/responses/200/schema/properties/gone/"
        "type: type 'null' is JSON Schema 2020-12 (OpenAPI 3.1), not valid in Swagger 2.0. "
        "Write one type and 'nullable: true' (or anyOf for several types); served as if it "
        "were written so.",
        f"{FLAWS}:16: /paths/~1things~1{{id}}/get/responses/200/schema/properties/note/"
        "type: type ['string', 'null'] is JSON Schema 2020-12 (OpenAPI 3.1), not valid in "
        "Swagger 2.0. Write one type and 'nullable: true' (or anyOf for several types); "
        "served as if it were written so.",
        f"{FLAWS}:6: /paths/~1things~1{{id}}/get: path parameter 'id' is used in the "
        "template but not declared. Add a parameter with name: id and in: path (required: "
        "true) to the operation or its path item.",
        f"{FLAWS}:27: /paths/~1others/get/operationId: operationId 'getThing' is already "
        "used by GET /things/{id}. operationIds must be unique; rename one of them.",
        f"{FLAWS}:9: /paths/~1things~1{{id}}/get/responses/200: the example default for "
        "getThing 200 does not match the spec: /id: 'seven' is not of type 'integer'. Served "
        "generated data instead. Fix the example or overlay so that it validates against "
        "the schema.",
    ]
    answer = engine.handle(MockRequest("GET", "/things/1"))
    assert answer.status == 200
    assert answer.header("satchel-mock-source") == "generated"
    assert _conforms(engine, "GET", "/things/1", answer) == []
    assert isinstance(json.loads(answer.body)["id"], int)


def test_strict_load_refuses_a_31_type_at_its_line():
    """Loading strictly, a 3.1 type in a 2.0 file is a SpecError at file:line, no traceback."""
    with pytest.raises(SpecError) as caught:
        load_spec(FLAWS)
    assert str(caught.value).startswith(
        f"{FLAWS}:17: /paths/~1things~1{{id}}/get/responses/200/schema/properties/gone/"
        "type: type 'null' is JSON Schema 2020-12"
    )


def test_check_lists_every_flaw_of_a_vendored_spec():
    """`satchel-mock check` refuses what serving tolerates, listing every flaw in one run."""
    problems = check_spec("vendored", FLAWS)
    assert len(problems) >= 4
    assert any("operationId 'getThing' is already used" in p for p in problems)
    assert any(
        p.startswith(f"{FLAWS}:9: the example default for getThing 200 does not match")
        for p in problems
    )


def test_an_operation_without_responses_answers_200_lenient_and_is_located_strict():
    """OpenAPI 3.1 lets an operation declare no responses: 200 with no body, or a located error."""
    spec = SPECS / "noresponses31.yaml"
    engine = Engine.from_files("n", spec, strict=False)
    answer = engine.handle(MockRequest("POST", "/ping"))
    assert (answer.status, answer.body) == (200, b"")
    assert [str(w) for w in engine.warnings] == [
        f"{spec}:5: ping declares no responses; answered 200 with no body. Declare its "
        "responses so the mock can answer as the service does."
    ]
    with pytest.raises(AnswersInvalid) as caught:
        Engine.from_files("n", spec)
    assert (
        str(caught.value)
        == f"{spec}:5: ping declares no 200 response (declared: none)."
    )


@pytest.mark.parametrize(
    "method, path, status",
    [("GET", "/items/1", 200), ("DELETE", "/items/1", 204), ("PUT", "/items/1", 405)],
    ids=["get", "delete", "put"],
)
def test_same_shape_templates_route_each_method_to_its_own(method, path, status):
    """GET /items/{name} beside DELETE /items/{id}: each method reaches its own template."""
    engine = Engine.from_files("s", SPECS / "samehier.yaml")
    assert engine.handle(MockRequest(method, path)).status == status


def test_the_mocks_401_uses_the_operations_default_response():
    """A request without its token gets the spec's default response as 401, body valid."""
    engine = Engine.from_files("d", SPECS / "default401.yaml")
    answer = engine.handle(MockRequest("GET", "/things"))
    assert answer.status == 401
    assert answer.header("content-type") == "application/json"
    assert answer.header("www-authenticate") == 'Bearer realm="d"'
    assert _conforms(engine, "GET", "/things", answer) == []


@pytest.mark.parametrize(
    "request_, status",
    [
        (MockRequest("GET", "/notes", "limit=many"), 422),
        (
            MockRequest(
                "POST", "/notes", "", {"content-type": "application/json"}, b"{}"
            ),
            422,
        ),
        (
            MockRequest(
                "POST", "/notes", "", {"content-type": "application/json"}, b"{"
            ),
            400,
        ),
        (MockRequest("POST", "/notes", "", {"content-type": "text/plain"}, b"hi"), 415),
        (MockRequest("PUT", "/notes"), 405),
    ],
    ids=["query-422", "body-422", "malformed-400", "media-415", "method-405"],
)
def test_the_mocks_refusals_use_the_operations_range_or_default_response(
    request_, status
):
    """The mock's own 4xx answers take the operation's 4XX or default response, and validate."""
    engine = Engine.from_files("o", SPECS / "ownerrors.yaml")
    answer = engine.handle(request_)
    assert answer.status == status
    assert answer.header("content-type") == "application/json"
    method = "GET" if request_.method == "PUT" else request_.method
    assert _conforms(engine, method, "/notes", answer) == []
    if status == 405:
        assert answer.header("allow") == "GET, POST"


def test_a_refusal_the_spec_says_nothing_about_is_problem_json_with_a_digest_challenge():
    """No 401 declared: problem+json, and a Digest scheme gets its challenge with a nonce."""
    engine = Engine.from_files("o", SPECS / "ownerrors.yaml")
    answer = engine.handle(MockRequest("GET", "/secret"))
    assert answer.status == 401
    assert answer.header("content-type") == "application/problem+json"
    assert answer.header("www-authenticate") == (
        'Digest realm="o", qop="auth", algorithm=SHA-256, nonce="satchel-mock"'
    )


def test_prefer_in_the_query_string_chooses_the_status():
    """`?__code=404` asks for a status as `Prefer: code=404` does (Prism's query form)."""
    engine = Engine.from_files("o", SPECS / "ownerrors.yaml")
    answer = engine.handle(MockRequest("GET", "/notes", "__code=404"))
    assert answer.status == 404
    assert _conforms(engine, "GET", "/notes", answer) == []


def test_a_yaml_stream_of_several_documents_is_refused_where_the_second_starts():
    """A multi-document YAML file names the line of its second document, not served silently."""
    spec = SPECS / "multidoc.yaml"
    with pytest.raises(SpecError) as caught:
        load_spec(spec)
    assert str(caught.value) == (
        f"{spec}:152: /: the file holds more than one YAML document (another starts here). "
        "A spec is one document: remove the '---' line and what follows, or move it to its "
        "own file."
    )


def test_a_ref_inside_an_example_value_or_default_is_data():
    """`$ref` inside an example's value or a schema default is literal data, not resolved."""
    engine = Engine.from_files("e", SPECS / "exref.yaml")
    answer = engine.handle(MockRequest("GET", "/schemas"))
    assert answer.status == 200
    assert json.loads(answer.body) == {
        "$ref": "https://json-schema.org/draft/2020-12/schema"
    }


def test_swagger2_wildcard_example_and_spaced_header_list():
    """`examples: {'*/*': ...}` answers the produced type; "1, 2" reads as an integer list."""
    engine = Engine.from_files("w", SPECS / "swagger2-wildcard.yaml")
    answer = engine.handle(MockRequest("GET", "/todos", "", {"x-ids": "1, 2"}))
    assert (answer.status, answer.body) == (200, b'"hello"')
    assert answer.header("content-type") == "application/json"
    refused = engine.handle(MockRequest("GET", "/todos", "", {"x-ids": "1, two"}))
    assert refused.status == 422


def test_a_body_sent_to_an_operation_without_one_is_415():
    """A body for an operation that declares none is refused with 415, saying so."""
    engine = Engine.from_files("s", SPECS / "samehier.yaml")
    answer = engine.handle(
        MockRequest("DELETE", "/items/1", "", {"content-type": "text/plain"}, b"x")
    )
    assert answer.status == 415
    assert json.loads(answer.body)["detail"] == (
        "Unsupported media type: DELETE /items/{id} takes no request body; send none."
    )


def test_a_required_property_the_schema_never_describes_is_still_generated():
    """Box's shared_link requires `accessed` without describing it: generated as a string."""
    from mockserver.core.generate import generate

    value = generate({"type": "object", "required": ["accessed"], "properties": {}})
    assert isinstance(value["accessed"], str)
    closed = {"type": "object", "required": ["a"], "additionalProperties": False}
    assert generate(closed) == {}


@pytest.mark.parametrize(
    "body, status",
    [(b"id=1&note=", 200), (b"id=&note=x", 422), (b"id", 422)],
    ids=["note-may-be-empty", "id-empty", "id-without-value"],
)
def test_allow_empty_value_false_written_out_refuses_an_empty_field(body, status):
    """Swagger 2 `allowEmptyValue: false` on a field refuses its empty value with 422."""
    engine = Engine.from_files("a", SPECS / "allow-empty.yaml")
    headers = {"content-type": "application/x-www-form-urlencoded"}
    assert (
        engine.handle(MockRequest("POST", "/path", "", headers, body)).status == status
    )


@pytest.mark.parametrize("strict", [False, True], ids=["default", "strict"])
def test_strict_in_mocks_yaml_refuses_what_the_default_serves(tmp_path, strict):
    """`strict: true` on a neighbour refuses its flawed spec at start; the default serves it."""
    from mockserver.runtime.config import file_digest, load_config
    from mockserver.runtime.mockset import load_engines

    spec = tmp_path / "flaws.json"
    spec.write_text(FLAWS.read_text())
    config = tmp_path / "mocks.yaml"
    config.write_text(
        f"neighbours:\n  flaws:\n    spec: flaws.json\n    digest: {file_digest(spec)}\n"
        f"    port: 4999\n    strict: {'true' if strict else 'false'}\n"
    )
    if strict:
        with pytest.raises(SpecError, match="type 'null' is JSON Schema 2020-12"):
            load_engines(load_config(config), {}, 0)
    else:
        engines = load_engines(load_config(config), {}, 0)
        assert len(engines["flaws"].warnings) == 5


def test_without_a_success_the_first_declared_response_answers(tmp_path):
    """No 2xx and no default: the first response in document order answers, as in Prism."""
    spec = tmp_path / "errors-only.yaml"
    spec.write_text(
        "openapi: 3.0.2\ninfo: {title: t, version: '1'}\npaths:\n  /todos:\n    get:\n"
        "      responses:\n"
        "        5XX: {description: down, content: {text/plain: {example: down}}}\n"
        "        4XX: {description: bad, content: {text/plain: {example: bad}}}\n"
    )
    answer = Engine.from_files("e", spec).handle(MockRequest("GET", "/todos"))
    assert (answer.status, answer.body) == (500, b"down")


KEYWORDS = SPECS / "keyword-types.json"
KEYWORD_WARNINGS = [
    f"{KEYWORDS}:10: /paths/~1{{year}}~1{{month}}.json/get/parameters/0/minimum: 'minimum' "
    "must be a number, not '1851'. Write it as a number (a lenient load reads it as 1851).",
    f"{KEYWORDS}:10: /paths/~1{{year}}~1{{month}}.json/get/parameters/0/maximum: 'maximum' "
    "must be a number, not '2030'. Write it as a number (a lenient load reads it as 2030).",
    f"{KEYWORDS}:10: /paths/~1{{year}}~1{{month}}.json/get/parameters/0/default: 'default' "
    "'2016' is a string, but the schema's type is integer. Write the default as 2016 (a "
    "lenient load reads it so).",
]


def test_keyword_values_of_the_wrong_type_are_read_or_dropped_with_warnings():
    """`minimum: "1851"` is read as 1851, `maximum: "ten"` and `type: int` dropped, each warned."""
    engine = Engine.from_files("kw", KEYWORDS, strict=False)
    warnings = [str(w) for w in engine.warnings]
    assert warnings[:3] == KEYWORD_WARNINGS
    assert any(
        "/parameters/2/maximum: 'maximum' must be a number, not 'ten'" in w
        and w.endswith("(a lenient load ignores it).")
        for w in warnings
    )
    assert any(
        "/definitions/Archive/required: 'required' must be a list of property names, "
        "not True" in w
        for w in warnings
    )
    assert any("/properties/minimum/type: 'type' must be one of" in w for w in warnings)
    assert any("/properties/type/maxLength:" in w for w in warnings)
    assert any("/properties/hits/exclusiveMinimum:" in w for w in warnings)
    # The property named "type" is a name, not a keyword with a mapping for its value.
    assert not any(w.split(": ")[1].endswith("/properties/type") for w in warnings)


@pytest.mark.parametrize(
    "path, status",
    [
        ("/2016/1.json", 200),
        ("/1850/1.json", 422),
        ("/2016/13.json", 422),
        ("/2016/1.json?page=99", 200),
        ("/abc/1.json", 422),
    ],
)
def test_a_spec_with_string_bounds_answers_and_validates_without_a_500(path, status):
    """Every request to the coerced spec is answered by the rules as read, never a 500."""
    engine = Engine.from_files("kw", KEYWORDS, strict=False)
    path, _, query = path.partition("?")
    answer = engine.handle(MockRequest("GET", path, query))
    assert answer.status == status, answer.body
    if status == 200:
        assert _conforms(engine, "GET", path, answer) == []


def test_strict_load_and_check_refuse_a_keyword_of_the_wrong_type_with_the_same_message():
    """Strict loading (services, --strict) raises what lenient loading warns; check lists all."""
    with pytest.raises(SpecError) as caught:
        load_spec(KEYWORDS)
    lenient = [str(w) for w in load_spec(KEYWORDS, lenient=True).warnings]
    assert "must be" in str(caught.value) and str(caught.value) in lenient
    problems = check_spec("kw", KEYWORDS)
    assert set(KEYWORD_WARNINGS) <= set(problems)
