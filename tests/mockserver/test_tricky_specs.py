"""The corpus of tricky specs (tests/mockserver/specs/): each loads, answers and validates right."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from mockserver.cli.check import check_spec
from mockserver.core.engine import Engine
from mockserver.core.errors import AnswersInvalid
from mockserver.core.messages import MockRequest
from satchel.openapi import load_spec, pattern_problems
from satchel.openapi.ecma import compile_pattern

SPECS = Path(__file__).parent / "specs"
JSON = {"content-type": "application/json"}


def engine(name: str) -> Engine:
    return Engine(name, load_spec(SPECS / name))


def post(path: str, body: object) -> MockRequest:
    return MockRequest("POST", path, headers=JSON, body=json.dumps(body).encode())


def test_time_and_idn_email_answers_are_generated_and_valid():
    """format: time answers an RFC 3339 full-time and idn-email a non-ASCII address."""
    response = engine("fmt.yaml").handle(MockRequest("GET", "/slots"))
    assert response.status == 200, response.body
    body = json.loads(response.body)
    assert body["starts"][2] == ":" and body["starts"].endswith("Z")
    assert "@" in body["contact"] and not body["contact"].isascii()


@pytest.mark.parametrize(
    "amount, status",
    [
        (19.99, 200),
        (0.01, 200),
        (78.35, 200),
        (1e-2 * 3, 200),
        (19.995, 422),
        (0.1 + 0.2, 422),
    ],
    ids=["19.99", "0.01", "78.35", "0.03", "19.995", "0.30000000000000004"],
)
def test_multiple_of_a_cent_is_decimal_exact(amount, status):
    """multipleOf: 0.01 takes any amount written with two decimals and refuses the rest."""
    response = engine("money.yaml").handle(post("/pay", {"amount": amount}))
    assert response.status == status, response.body
    if status == 422:
        assert "is not a multiple of 0.01" in json.loads(response.body)["detail"]


@pytest.mark.parametrize(
    "path, body, status, detail",
    [
        ("/pets", {"petType": "cat", "name": "Tom"}, 201, ""),
        ("/pets", {"petType": "dog", "name": "Rex", "bark": True}, 201, ""),
        ("/pets", {"petType": "Dog", "name": "Rex"}, 201, ""),  # the implicit schema name
        ("/pets", {"petType": "dog", "bark": True}, 422, "'name' is a required property"),
        ("/pets", {"name": "Tom"}, 422, "petType"),
        ("/pets", {"petType": "bird", "name": "Tweety"}, 422, "'#/components/schemas/bird'"),
        ("/acct", {"name": "a", "password": "p"}, 200, ""),
        ("/acct", {"id": 1, "name": "a", "password": "p"}, 422, "read-only"),
        ("/shapes", {"kind": "circle", "radius": 2}, 200, ""),
        ("/shapes", {"kind": "square", "side": 2}, 200, ""),
        ("/shapes", {"kind": "square"}, 422, "is not valid under any"),
    ],
    ids=[
        "mapped-cat", "mapped-dog", "implicit-name", "missing-name", "no-tag", "unknown-tag",
        "write-only-sent", "read-only-sent", "inline-circle", "inline-square", "inline-neither",
    ],
)  # fmt: skip
def test_openapi_30_discriminators_and_access_modes(path, body, status, detail):
    """Discriminated bodies are validated against the mapped schema; readOnly is refused in."""
    mock = engine("spec30map.yaml")
    response = mock.handle(post(path, body))
    assert response.status == status, response.body
    assert detail in response.body.decode()


def test_required_write_only_property_stays_out_of_answers():
    """A required writeOnly password is not in the generated 200; the readOnly id is."""
    response = engine("spec30map.yaml").handle(
        post("/acct", {"name": "a", "password": "p"})
    )
    assert set(json.loads(response.body)) == {"id", "name"}


@pytest.mark.parametrize(
    "spec, path, field",
    [
        ("patspec.yaml", "/sym", "s"),
        ("patterns.yaml", "/codes", "symbols"),
        ("patterns.yaml", "/codes", "echo"),
        ("patterns.yaml", "/codes", "named"),
        ("patterns.yaml", "/codes", "word"),
        ("patterns.yaml", "/codes", "upper"),
    ],
)
def test_pattern_answers_match_their_ecma_pattern(spec, path, field):
    """Negated classes, \\W, back-references and \\p{..} classes all generate matching text."""
    mock = engine(spec)
    response = mock.handle(MockRequest("GET", path))
    assert response.status == 200, response.body
    value = json.loads(response.body)[field]
    schema = mock.spec.operations[0].responses["200"].content["application/json"].schema
    pattern = schema["properties"][field]["pattern"]
    assert compile_pattern(pattern).find(value) is not None, (pattern, value)


@pytest.mark.parametrize(
    "query, status",
    [
        ("name=abc", 200),
        ("name=%C3%A9t%C3%A9", 200),
        ("name=abc1", 422),
        ("name=", 422),
    ],
    ids=["ascii", "accented", "digit", "empty"],
)
def test_ecma_property_class_validates_requests(query, status):
    """\\p{L} is a Unicode letter class (ECMA-262), not a 500 from Python's re."""
    response = engine("ecma.yaml").handle(MockRequest("GET", "/n", query))
    assert response.status == status, response.body


def test_invalid_ecma_pattern_is_warned_with_its_place_and_explained_when_used():
    """\\p{Greek} (no such ECMA property): a load warning with file:line, then a 422 saying why."""
    spec = load_spec(SPECS / "patterns.yaml")
    problems = pattern_problems(spec)
    assert [(p.line, p.pointer) for p in problems] == [
        (11, "/paths/~1codes/get/parameters/0/schema/pattern")
    ]
    assert problems[0].file.endswith("patterns.yaml")
    assert (
        "pattern '^\\\\p{Greek}+$' is not a valid ECMA-262 regular expression"
        in str(problems[0])
    )
    assert "\\p{Script=Greek}" in problems[0].hint
    # Recorded at load (strict or lenient), so `serve` logs it and `check` lists it.
    assert [str(w) for w in spec.warnings] == [str(p) for p in problems]
    assert str(problems[0]) in check_spec("p", SPECS / "patterns.yaml")
    response = Engine("p", spec).handle(MockRequest("GET", "/codes", "script=abc"))
    assert response.status == 422
    message = json.loads(response.body)["errors"][0]["message"]
    assert "the spec's pattern '^\\\\p{Greek}+$' is not a valid ECMA-262" in message
    assert Engine("p", spec).handle(MockRequest("GET", "/codes")).status == 200


def test_specs_with_valid_patterns_have_no_pattern_warnings():
    """Every pattern of the other corpus specs compiles: no warnings."""
    for name in (
        "fmt.yaml",
        "money.yaml",
        "spec30map.yaml",
        "patspec.yaml",
        "ecma.yaml",
    ):
        assert pattern_problems(load_spec(SPECS / name)) == [], name


def test_served_over_http_patterns_and_xml(serve_mock):
    """`satchel-mock serve` starts on a negated-class pattern and answers XML over HTTP."""
    mock = serve_mock(SPECS / "patspec.yaml")
    answer = requests.get(mock.url + "/sym", timeout=5)
    assert answer.status_code == 200
    assert compile_pattern("^[^a-zA-Z0-9]+$").find(answer.json()["s"]) is not None

    mock = serve_mock(SPECS / "xml.yaml")
    answer = requests.get(
        mock.url + "/pets/7",
        headers={"Accept": "application/json;q=0.5, application/xml"},
        timeout=5,
    )
    assert answer.headers["Content-Type"] == "application/xml"
    assert answer.text.endswith(
        'id="7"><petName>Rex</petName><tags><tag>good</tag>'
        "<tag>loud</tag></tags><photoUrls>a.png</photoUrls></p:pet>"
    )


def test_pattern_the_generator_cannot_read_is_a_clear_load_error(tmp_path):
    """A valid ECMA pattern the generator cannot serve: file:line, the pattern, what to do."""
    spec = (
        (SPECS / "patspec.yaml")
        .read_text()
        .replace("'^[^a-zA-Z0-9]+$'", "'^\\p{Script=Greek}+$'")
    )
    path = tmp_path / "greek.yaml"
    path.write_text(spec)
    with pytest.raises(AnswersInvalid) as caught:
        Engine("greek", load_spec(path))
    assert str(caught.value) == (
        f"{path}:8: cannot generate a valid 200 body for sym (cannot generate text for "
        "pattern '^\\\\p{Script=Greek}+$' (unsupported property class \\p{Script=Greek})). "
        "Add an example for this response to the spec or the overlay."
    )
    path.write_text(
        spec.replace("properties: {s:", "example: {s: Ωμέγα}, properties: {s:")
    )
    response = Engine("greek", load_spec(path)).handle(MockRequest("GET", "/sym"))
    assert json.loads(response.body) == {"s": "Ωμέγα"}


def test_discriminator_mapping_to_a_missing_schema_refuses_only_that_tag(tmp_path):
    """A mapping naming no schema: its tag gets a 422 saying so; the other tags still work."""
    spec = (SPECS / "spec30map.yaml").read_text()
    spec = spec.replace(
        "cat: '#/components/schemas/Cat'", "bird: Bird\n          cat: Cat"
    )
    path = tmp_path / "bird.yaml"
    path.write_text(spec)
    mock = Engine("bird", load_spec(path))
    bird = mock.handle(post("/pets", {"petType": "bird", "name": "Tweety"}))
    assert bird.status == 422
    assert "reference '#/components/schemas/Bird' could not be resolved" in (
        json.loads(bird.body)["errors"][0]["message"]
    )
    assert mock.handle(post("/pets", {"petType": "cat", "name": "Tom"})).status == 201


FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.mark.parametrize(
    "body, status, field",
    [
        (b"q=a%2Fb&near=x/y&ids=1,2", 204, None),
        (b"q=a/b", 422, "/q"),
        (b"q=a&ids=1,x", 422, "/ids/1"),
    ],
    ids=["encoded-and-allowed", "raw-reserved", "delimited-item"],
)
def test_form_fields_follow_their_encoding(body, status, field):
    """allowReserved: false refuses raw reserved characters; explode: false splits on ","."""
    answer = engine("requests31.yaml").handle(
        MockRequest("POST", "/search", headers=FORM, body=body)
    )
    assert answer.status == status, answer.body
    if field is not None:
        assert [e["pointer"] for e in json.loads(answer.body)["errors"]] == [field]


def test_generated_answers_meet_contains_and_property_count_keywords():
    """contains/minContains/maxContains, patternProperties, propertyNames, maxProperties."""
    mock = engine("requests31.yaml")
    for seed in range(5):
        answer = mock.handle(
            MockRequest("GET", "/users/7/posts", headers={"prefer": f"seed={seed}"})
        )
        assert answer.status == 200, answer.body
        body = json.loads(answer.body)
        operation = mock.spec.operation("listPosts")
        assert operation.validate_response(200, "application/json", body) == []
        assert 2 <= sum(isinstance(n, int) and 20 < n < 30 for n in body["scores"]) <= 3


def test_served_over_http_an_empty_path_segment_and_a_raw_reserved_form_field(
    serve_mock,
):
    """Over HTTP: /users//posts is a 422 naming id; a 404 where no template has the shape."""
    mock = serve_mock(SPECS / "requests31.yaml")
    answer = requests.get(mock.url + "/users//posts", timeout=5)
    assert answer.status_code == 422
    assert answer.json()["errors"] == [
        {"in": "path", "name": "id", "message": "required parameter is missing"}
    ]
    assert requests.get(mock.url + "/users//", timeout=5).status_code == 404
    answer = requests.post(
        mock.url + "/search",
        files={"q": (None, "a:b")},
        timeout=5,
    )
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["pointer"] == "/q"
