"""Each rule of the mock server, through the real HTTP server (``satchel-mock serve``)."""

from __future__ import annotations

import pytest
import requests

JSON = {"Content-Type": "application/json"}

# id, method, path, headers, body, status, expected JSON body (None: checked elsewhere)
ANSWERS = [
    (
        "lowest-2xx-example",
        "GET",
        "/pets",
        {},
        None,
        200,
        [
            {"id": 1, "name": "Rex", "tag": "dog"},
            {"id": 2, "name": "Tom", "tag": "cat"},
        ],
    ),
    (
        "first-named-example",
        "GET",
        "/pets/1",
        {},
        None,
        200,
        {"id": 1, "name": "Rex", "tag": "dog"},
    ),
    (
        "post-201",
        "POST",
        "/pets",
        JSON,
        b'{"name": "Fluffy"}',
        201,
        {"id": 3, "name": "Fluffy", "tag": "cat"},
    ),
    ("no-content", "DELETE", "/pets/1", {}, None, 204, None),
    (
        "prefer-code",
        "GET",
        "/pets/1",
        {"Prefer": "code=404"},
        None,
        404,
        {"code": 404, "message": "Pet not found"},
    ),
    (
        "prefer-example",
        "GET",
        "/pets/1",
        {"Prefer": "example=tom"},
        None,
        200,
        {"id": 2, "name": "Tom", "tag": "cat"},
    ),
    (
        "prefer-overlay-example",
        "GET",
        "/pets/1",
        {"Prefer": "code=404, example=gone"},
        None,
        404,
        {"code": 404, "message": "Pet gone"},
    ),
    (
        "rule-path",
        "GET",
        "/pets/404",
        {},
        None,
        404,
        {"code": 404, "message": "Pet gone"},
    ),
    (
        "rule-header",
        "GET",
        "/pets/1",
        {"X-Tenant": "demo"},
        None,
        200,
        {"id": 2, "name": "Tom", "tag": "cat"},
    ),
    (
        "rule-body",
        "POST",
        "/pets",
        JSON,
        b'{"name": "Taken"}',
        422,
        {"code": 422, "message": "name taken"},
    ),
    ("rule-query", "GET", "/pets?limit=1", {}, None, 200, [{"id": 9, "name": "Solo"}]),
    (
        "rule-beats-prefer",
        "GET",
        "/pets/404",
        {"Prefer": "code=200"},
        None,
        404,
        {"code": 404, "message": "Pet gone"},
    ),
    (
        "malformed-json-spec-400",
        "POST",
        "/pets",
        JSON,
        b"{bad",
        400,
        {"code": 400, "message": "Malformed request body"},
    ),
    (
        "invalid-body-spec-422",
        "POST",
        "/pets",
        JSON,
        b'{"tag": 5}',
        422,
        {"code": 422, "message": "'name' is a required property"},
    ),
]


@pytest.mark.parametrize(
    "method, path, headers, body, status, expected",
    [case[1:] for case in ANSWERS],
    ids=[case[0] for case in ANSWERS],
)
def test_answers(petstore_mock, method, path, headers, body, status, expected):
    """Each way of choosing a response answers the expected status and body."""
    response = requests.request(
        method, petstore_mock.url + path, headers=headers, data=body, timeout=5
    )
    assert response.status_code == status
    if expected is None:
        assert response.content == b""
    else:
        assert response.json() == expected


def test_unknown_path_is_404_with_candidates(petstore_mock):
    """An unknown path answers 404 problem+json naming the nearest operations and why."""
    response = requests.get(petstore_mock.url + "/petz/1", timeout=5)
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["type"] == "https://satchel.dev/problems/mock-no-route"
    assert problem["detail"].startswith(
        "petstore: no operation matches GET /petz/1. Nearest: "
    )
    first = problem["candidates"][0]
    assert set(first) == {"operation", "method", "path", "reason"}
    assert first["reason"] == "segment 1: 'petz' vs 'pets'"


def test_wrong_method_is_405_with_allow(petstore_mock):
    """A known path with the wrong method answers 405 with Allow and the candidates."""
    response = requests.put(petstore_mock.url + "/pets", timeout=5)
    assert response.status_code == 405
    assert response.headers["Allow"] == "GET, POST"
    problem = response.json()
    assert (
        problem["detail"]
        == "petstore: /pets does not accept PUT; it accepts GET, POST."
    )
    assert [c["operation"] for c in problem["candidates"]] == ["listPets", "createPet"]


def test_unsupported_media_type_is_415(petstore_mock):
    """A body in a media type the operation does not accept answers 415 naming the accepted."""
    response = requests.post(
        petstore_mock.url + "/pets",
        data=b"name=x",
        headers={"Content-Type": "text/plain"},
        timeout=5,
    )
    assert response.status_code == 415
    problem = response.json()
    assert problem["type"] == "https://satchel.dev/problems/unsupported-media-type"
    assert "application/json" in problem["detail"]


@pytest.mark.parametrize(
    "path, headers, field, location",
    [
        ("/pets/abc", {}, "petId", "path"),
        ("/pets?limit=500", {}, "limit", "query"),
        ("/owners/4b0d5a6e-93a4-4b43-9c1b-6a2c1b0f8f10", {}, "X-Api-Version", "header"),
        ("/pets/%2531", {}, "petId", "path"),
    ],
    ids=["path-param", "query-param", "missing-header", "encoded-percent-decoded-once"],
)
def test_invalid_parameter_is_422_naming_the_field(
    petstore_mock, path, headers, field, location
):
    """An invalid parameter (no spec 4xx declared) answers 422 problem+json naming it."""
    response = requests.get(petstore_mock.url + path, headers=headers, timeout=5)
    assert response.status_code == 422
    problem = response.json()
    assert problem["type"] == "https://satchel.dev/problems/request-invalid"
    assert [(e["in"], e["name"]) for e in problem["errors"]] == [(location, field)]


def test_invalid_request_with_spec_response_says_why_in_a_header(petstore_mock):
    """When the spec's own 422 answers, a header still tells the developer what was wrong."""
    response = requests.post(petstore_mock.url + "/pets", json={"tag": 5}, timeout=5)
    assert response.status_code == 422
    source = response.headers["Satchel-Mock-Source"]
    assert source.startswith(
        "spec 422 response to an invalid request: Invalid request: body"
    )


def test_generated_body_and_declared_header(petstore_mock):
    """Without examples the body is generated from the schema, the same on every call."""
    url = petstore_mock.url + "/owners/4b0d5a6e-93a4-4b43-9c1b-6a2c1b0f8f10"
    first = requests.get(url, headers={"X-Api-Version": "1"}, timeout=5)
    second = requests.get(url, headers={"X-Api-Version": "2"}, timeout=5)
    assert first.status_code == 200
    assert first.headers["Satchel-Mock-Source"] == "generated"
    assert 1 <= int(first.headers["X-Rate-Limit"]) <= 10
    owner = first.json()
    assert set(owner) >= {"id", "email", "since", "pets"}
    assert first.content == second.content


def test_prefer_dynamic_generates_fresh_valid_data(petstore_mock):
    """Prefer: dynamic=true generates a new body instead of the example."""
    response = requests.get(
        petstore_mock.url + "/pets/1", headers={"Prefer": "dynamic=true"}, timeout=5
    )
    assert response.status_code == 200
    assert response.headers["Satchel-Mock-Source"] == "generated"
    assert set(response.json()) >= {"id", "name"}


@pytest.mark.parametrize(
    "prefer, detail",
    [
        (
            "code=418",
            "Prefer code=418: showPetById declares no such response; declared: 200, 404, 503.",
        ),
        (
            "example=nope",
            "Prefer example=nope: showPetById 200 has no such example; available: rex, tom.",
        ),
        (
            "code=abc",
            "Prefer code='abc' is not an HTTP status; send e.g. Prefer: code=404.",
        ),
    ],
    ids=["undeclared-code", "unknown-example", "not-a-code"],
)
def test_unusable_prefer_is_404_or_400(petstore_mock, prefer, detail):
    """Prefer naming what is not declared is 404 (as Prism), unparsable 400; both say why."""
    response = requests.get(
        petstore_mock.url + "/pets/1", headers={"Prefer": prefer}, timeout=5
    )
    assert response.status_code == (400 if prefer == "code=abc" else 404)
    assert response.json()["detail"] == detail


def test_cors_preflight_and_origin_echo(petstore_mock):
    """A preflight gets the path's methods; a request with Origin gets it echoed back."""
    preflight = requests.options(
        petstore_mock.url + "/pets",
        headers={
            "Origin": "http://localhost:3000",
            "Access-Control-Request-Method": "POST",
            "Access-Control-Request-Headers": "content-type",
        },
        timeout=5,
    )
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert preflight.headers["Access-Control-Allow-Methods"] == "GET, POST"
    assert preflight.headers["Access-Control-Allow-Headers"] == "content-type"
    simple = requests.get(
        petstore_mock.url + "/pets",
        headers={"Origin": "http://localhost:3000"},
        timeout=5,
    )
    assert simple.headers["Access-Control-Allow-Origin"] == "http://localhost:3000"
    assert simple.headers["Access-Control-Allow-Credentials"] == "true"
    assert (
        requests.get(petstore_mock.url + "/pets", timeout=5).headers[
            "Access-Control-Allow-Origin"
        ]
        == "*"
    )


def test_health_endpoint(petstore_mock):
    """The admin health endpoint describes the neighbour served on the port."""
    response = requests.get(petstore_mock.url + "/__satchel/health", timeout=5)
    assert response.status_code == 200
    assert response.json() == {
        "status": "pass",
        "neighbours": {
            "petstore": {
                "spec": response.json()["neighbours"]["petstore"]["spec"],
                "title": "Petstore (mock tests)",
                "base_path": "",
                "operations": 7,
                "scenario": None,
                "scenarios": ["outage", "empty"],
                "stateful": False,
            }
        },
    }


def test_access_log_line(petstore_mock):
    """Every request writes one JSON line in the services' access-log shape."""
    requests.get(
        petstore_mock.url + "/pets/1",
        headers={"X-Request-ID": "test-req-0001"},
        timeout=5,
    )
    line = _wait_for(
        petstore_mock, lambda entry: entry.get("request_id") == "test-req-0001"
    )
    assert set(line) == {
        "timestamp",
        "level",
        "event",
        "service",
        "method",
        "path",
        "route",
        "operation_id",
        "status",
        "duration_ms",
        "request_id",
    }
    assert (line["service"], line["route"], line["operation_id"], line["status"]) == (
        "mock:petstore",
        "/pets/{petId}",
        "showPetById",
        200,
    )
    assert line["timestamp"].endswith("Z")


def _wait_for(mock, predicate, timeout=5.0):
    """Return the first log line matching ``predicate`` once it is flushed."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for line in mock.log():
            if predicate(line):
                return line
        time.sleep(0.05)
    raise AssertionError("log line not found")


@pytest.mark.parametrize(
    "path, accept, status, content_type, body",
    [
        ("/reports", "text/csv", 200, "text/csv", b"pets\n2\n"),
        ("/reports", "text/html, text/*;q=0.5", 200, "text/csv", b"pets\n2\n"),
        ("/reports", "application/json", 200, "application/json", b'{"pets":2}'),
        ("/reports", "application/xml", 406, "application/problem+json", None),
        ("/pets/1", "text/html", 406, "application/problem+json", None),
    ],
    ids=[
        "other-declared-type",
        "wildcard-subtype",
        "default-type",
        "xml-406",
        "html-406",
    ],
)
def test_accept_header(petstore_mock, path, accept, status, content_type, body):
    """Accept picks another declared media type of the answer, or gets a 406 saying why."""
    response = requests.get(
        petstore_mock.url + path, headers={"Accept": accept}, timeout=5
    )
    assert (response.status_code, response.headers["Content-Type"]) == (
        status,
        content_type,
    )
    if body is not None:
        assert response.content == body
    else:
        assert response.json()["detail"].endswith(f"the request accepts only {accept}.")
