"""Answers that break their spec: flagged by default, 500 ``mock-spec-violation`` with --errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import requests

from satchel.openapi import Issue

from mockserver.core.engine import Engine, MockRequest
from mockserver.core.violations import violations_header
from mockserver.runtime.config import file_digest, load_config
from mockserver.runtime.mockset import load_engines

SPECS = Path(__file__).resolve().parent / "specs"
SPEC = SPECS / "violations.yaml"
BRANCH = "{'type': 'object', 'properties': {'name': {'type': 'string'}}}"
OVERLAP = f"{{'name': 'Rex'}} is valid under each of {BRANCH}, {BRANCH}"


def _get(engine: Engine, path: str, **headers: str):
    return engine.handle(MockRequest("GET", path, headers=headers))


def _conforms(engine: Engine, path: str, answer) -> list:
    operation = engine.spec.match("GET", path).operation
    return operation.validate_response(
        answer.status, answer.header("content-type"), answer.body
    )


def test_a_bad_example_gives_way_to_valid_generated_data_by_default():
    """Generated data validates: it answers, with no violations to report."""
    answer = _get(Engine.from_files("v", SPEC, strict=False), "/bad-example")
    assert answer.status == 200
    assert answer.header("satchel-mock-source") == "generated"
    assert answer.header("satchel-mock-violations") is None
    assert answer.violations == ""


def test_without_any_valid_answer_the_example_is_served_flagged():
    """Overlapping oneOf branches: every value breaks it; the example wins the tie."""
    engine = Engine.from_files("v", SPEC, strict=False)
    answer = _get(engine, "/overlap")
    assert (answer.status, answer.header("content-type")) == (200, "application/json")
    assert json.loads(answer.body) == {"name": "Rex"}
    assert json.loads(answer.header("satchel-mock-violations")) == [
        {"location": "response.body", "message": OVERLAP}
    ]
    assert answer.violations == answer.header("satchel-mock-violations")
    assert _conforms(engine, "/overlap", answer)  # it really breaks the spec
    warning = next(str(w) for w in engine.warnings if "overlap 200" in str(w))
    assert warning.startswith(f"{SPEC}:18: /paths/~1overlap/get/responses/200: ")
    assert "served the example with the fewest violations" in warning


def test_the_candidate_with_fewer_violations_wins():
    """The example breaks two rules, generated data one: generated data answers."""
    engine = Engine.from_files("v", SPEC, strict=False)
    answer = _get(engine, "/overlap-bad-example")
    assert answer.header("satchel-mock-source") == "generated"
    flagged = json.loads(answer.header("satchel-mock-violations"))
    assert [v["location"] for v in flagged] == ["response.body"]
    assert "is valid under each of" in flagged[0]["message"]


@pytest.mark.parametrize(
    "path, headers, cause",
    [
        ("/bad-example", {}, "the example for badExample 200 does not match the spec: "
         "/: 123 is not of type 'object'"),
        ("/overlap", {}, "the example for overlap 200 does not match the spec"),
        ("/named", {"prefer": "example=broken"}, "the example broken for named 200 does "
         "not match the spec: /: 'gone' is not one of ['placed', 'approved']"),
    ],
    ids=["bad-example-not-swapped", "no-valid-answer", "named-example"],
)  # fmt: skip
def test_errors_mode_answers_500_listing_the_violations(path, headers, cause):
    """--errors never papers over the spec: 500 mock-spec-violation, located and listed."""
    engine = Engine.from_files("v", SPEC, strict=False, errors=True)
    answer = _get(engine, path, **headers)
    assert answer.status == 500
    problem = json.loads(answer.body)
    assert problem["type"].endswith("/mock-spec-violation")
    assert "--errors is on and the answer would break the spec" in problem["detail"]
    assert cause in problem["detail"]
    assert f"{SPEC}:" in problem["detail"]
    assert problem["violations"] and all(
        set(v) == {"location", "message"} for v in problem["violations"]
    )


def test_errors_mode_still_answers_what_is_valid():
    """A valid example and a request that fails validation are answered as always."""
    engine = Engine.from_files("v", SPEC, strict=False, errors=True)
    assert _get(engine, "/named").body == b'"placed"'
    assert _get(engine, "/named", prefer="example=good").status == 200
    assert _get(engine, "/nowhere").status == 404


def test_the_default_mode_skips_a_broken_named_example():
    """Without --errors a named example that breaks the spec is not offered (404 by name)."""
    engine = Engine.from_files("v", SPEC, strict=False)
    assert _get(engine, "/named", prefer="example=broken").status == 404


def test_the_violations_header_stays_short():
    """Many violations: entries that do not fit are counted in a last "N more" entry."""
    issues = [Issue("body", f"/items/{i}", "x" * 80) for i in range(100)]
    value = violations_header(issues, limit=600)
    listed = json.loads(value)
    assert len(value) <= 600
    assert listed[-1]["location"] == "..."
    assert listed[-1]["message"] == f"{100 - (len(listed) - 1)} more"
    assert listed[0] == {"location": "response.body/items/0", "message": "x" * 80}
    assert violations_header([Issue("header", "X-Rate", "not an integer")]) == (
        '[{"location":"response.header X-Rate","message":"not an integer"}]'
    )


@pytest.mark.parametrize("errors", [True, False])
def test_errors_in_mocks_yaml_sets_the_mode_per_neighbour(tmp_path, errors):
    """``errors: true`` on a neighbour answers 500 where the default flags the answer."""
    spec = tmp_path / "violations.yaml"
    spec.write_text(SPEC.read_text())
    config = tmp_path / "mocks.yaml"
    config.write_text(
        f"neighbours:\n  v:\n    spec: violations.yaml\n    digest: {file_digest(spec)}\n"
        f"    port: 4999\n    errors: {'true' if errors else 'false'}\n"
    )
    engine = load_engines(load_config(config), {}, 0)["v"]
    assert _get(engine, "/overlap").status == (500 if errors else 200)
    # `satchel-mock up --errors` turns it on for every neighbour.
    forced = load_engines(load_config(config), {}, 0, errors=True)["v"]
    assert _get(forced, "/overlap").status == 500


def test_served_over_http_the_header_comes_with_a_warning_line(serve_mock):
    """The real server sends the header and logs a warning naming the operation."""
    mock = serve_mock(SPEC, "--no-reload")
    answer = requests.get(f"{mock.url}/overlap", timeout=5)
    assert answer.status_code == 200
    assert (
        json.loads(answer.headers["satchel-mock-violations"])[0]["message"] == OVERLAP
    )
    line = mock.wait_for_log("answer violates spec")
    assert line["level"] == "warning"
    assert (line["operation_id"], line["status"]) == ("overlap", 200)
    assert json.loads(line["violations"]) == json.loads(
        answer.headers["satchel-mock-violations"]
    )


def test_serve_errors_flag_answers_500_over_http(serve_mock):
    """``satchel-mock serve --errors``: the same spec answers 500 mock-spec-violation."""
    mock = serve_mock(SPEC, "--no-reload", "--errors")
    answer = requests.get(f"{mock.url}/bad-example", timeout=5)
    assert answer.status_code == 500
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.json()["type"].endswith("/mock-spec-violation")


def test_a_valid_answer_never_looks_up_a_line_in_the_spec():
    """Locations are for failures only: finding a line indexes the whole document.

    Building every answer of a 5 MB spec once cost 4 s that way (bench/mock/big_spec.py).
    """
    from satchel.openapi import load_spec

    from mockserver.core.answers import AnswerBuilder, spec_resolver
    from mockserver.core.errors import AnswerViolates

    spec = load_spec(SPEC, lenient=True)
    asked: list[str] = []
    builder = AnswerBuilder(
        0, spec_resolver(spec), lambda operation, suffix: asked.append(suffix) or "?"
    )
    named = next(op for op in spec.operations if op.operation_id == "named")
    assert builder.build(named, 200, {}, example="good").body == b'"placed"'
    assert asked == []
    with pytest.raises(AnswerViolates, match="does not match the spec"):
        builder.build(named, 200, {}, example="broken")
    assert asked == ["/responses/200"]
