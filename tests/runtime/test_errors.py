"""satchel.errors: every error is problem+json, with the field named for validation errors."""

from __future__ import annotations

import pytest

from satchel.testing import bearer, make_token

PROBLEM = "application/problem+json"


def test_404_unknown_path(client):
    """An unknown URL is a 404 problem."""
    response = client.get("/v1/nothing-here")
    assert response.status_code == 404
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert (body["type"], body["title"], body["status"]) == (
        "about:blank",
        "Not Found",
        404,
    )
    assert body["request_id"] == response.headers["X-Request-ID"]


def test_405_lists_allowed_methods(client, auth_headers):
    """A known URL with the wrong method is a 405 problem with an Allow header."""
    response = client.put("/v1/notes", headers=auth_headers)
    assert response.status_code == 405
    assert response.mimetype == PROBLEM
    allowed = {m.strip() for m in response.headers["Allow"].split(",")}
    assert {"GET", "POST"} <= allowed
    assert "allowed:" in response.get_json()["detail"]


def test_415_names_accepted_media_types(client, auth_headers):
    """A body in an undeclared media type is a 415 problem naming what is accepted."""
    response = client.post(
        "/v1/notes", data="title=x", content_type="text/plain", headers=auth_headers
    )
    assert response.status_code == 415
    body = response.get_json()
    assert response.mimetype == PROBLEM
    assert body["type"] == "https://satchel.dev/problems/unsupported-media-type"
    assert "application/json" in body["detail"]


@pytest.mark.parametrize(
    ("method", "path", "payload", "where", "field"),
    [
        ("get", "/v1/notes/abc", None, "path", "noteId"),
        ("get", "/v1/notes/0", None, "path", "noteId"),
        ("get", "/v1/notes?limit=500", None, "query", "limit"),
        ("get", "/v1/notes?limit=ten", None, "query", "limit"),
        ("post", "/v1/notes", {"title": ""}, "body", "/title"),
        ("post", "/v1/notes", {"body": "no title"}, "body", "/title"),
        ("post", "/v1/notes", {"title": "t", "extra": 1}, "body", ""),
    ],
    ids=[
        "path-not-integer",
        "path-below-minimum",
        "query-above-maximum",
        "query-not-integer",
        "body-empty-title",
        "body-missing-title",
        "body-unknown-field",
    ],
)
def test_422_names_the_field(client, auth_headers, method, path, payload, where, field):
    """A request violating the spec is a 422 problem whose errors name the location and field."""
    response = getattr(client, method)(path, json=payload, headers=auth_headers)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["type"] == "https://satchel.dev/problems/request-invalid"
    [error] = body["errors"]
    assert error["in"] == where
    assert error.get("name", error.get("pointer")) == field


def test_400_malformed_json(client, auth_headers):
    """A body that is not JSON is a 400 problem."""
    response = client.post(
        "/v1/notes",
        data="{not json",
        content_type="application/json",
        headers=auth_headers,
    )
    assert response.status_code == 400
    assert response.mimetype == PROBLEM


def test_500_hides_the_traceback_and_logs_it(client, read_logs):
    """An unexpected exception is a 500 problem with the request id; the traceback is logged."""
    response = client.get("/v1/boom", headers={"X-Request-ID": "boom-0001"})
    assert response.status_code == 500
    assert response.get_json() == {
        "type": "https://satchel.dev/problems/internal-error",
        "title": "Internal Server Error",
        "status": 500,
        "detail": "The server failed to handle this request; quote the request_id when "
        "reporting it.",
        "request_id": "boom-0001",
    }
    [logged] = [line for line in read_logs() if line["event"] == "unhandled exception"]
    assert logged["request_id"] == "boom-0001"
    assert "RuntimeError: simulated failure in boom()" in logged["exception"]


def test_handler_problem_is_rendered_as_is(client, auth_headers):
    """A Problem raised by a handler keeps its status, type and detail."""
    response = client.get("/v1/notes/99", headers=auth_headers)
    assert response.status_code == 404
    body = response.get_json()
    assert (body["type"], body["detail"]) == (
        "https://satchel.dev/problems/note-not-found",
        "There is no note 99.",
    )


@pytest.mark.parametrize(
    ("method", "path", "raw", "where", "field", "message"),
    [
        ("post", "/v1/notes", r'{"title": "a\u0000b"}', "body", "/title",
         "contains a NUL character (\\u0000), which text fields cannot hold"),
        ("post", "/v1/notes", r'{"title": "a\ud800b"}', "body", "/title",
         "contains an unpaired UTF-16 surrogate, which is not a character"),
        ("post", "/v1/notes", r'{"title": "ok", "body": "\udfff"}', "body", "/body",
         "contains an unpaired UTF-16 surrogate, which is not a character"),
        ("get", "/v1/notes/99999999999999999999", None, "path", "noteId",
         "is outside the 64-bit integer range"),
    ],
    ids=["nul", "surrogate", "surrogate-in-other-field", "beyond-int64"],
)  # fmt: skip
def test_values_no_database_can_store_are_422(
    client, auth_headers, method, path, raw, where, field, message
):
    """NUL, lone surrogates and integers beyond 64 bits never reach a handler or a query."""
    headers = {**auth_headers, "Content-Type": "application/json"}
    response = getattr(client, method)(path, data=raw, headers=headers)
    assert response.status_code == 422, response.get_json()
    assert response.mimetype == PROBLEM
    key = "pointer" if where == "body" else "name"
    assert {"in": where, key: field, "message": message} in response.get_json()[
        "errors"
    ]


def test_every_location_and_nesting_is_checked():
    """Query, header and cookie values, nested items and object keys are all scanned."""
    from satchel.api.storable import check_storable
    from satchel.openapi import RequestInvalid
    from satchel.openapi.validation import ValidRequest

    valid = ValidRequest(
        path={"id": 5},
        query={"tags": ["ok", "b\x00d"]},
        headers={"X-Label": "\ud800"},
        cookies={"session": "fine"},
        body={"items": [{"n": 2**64}, {"k\x00ey": "v"}], "flag": True},
    )
    with pytest.raises(RequestInvalid) as refused:
        check_storable(valid)
    found = {
        (i.location, i.field, i.message.split(",")[0]) for i in refused.value.issues
    }
    assert found == {
        ("query", "tags", "contains a NUL character (\\u0000)"),
        ("header", "X-Label", "contains an unpaired UTF-16 surrogate"),
        ("body", "/items/0/n", "is outside the 64-bit integer range"),
        ("body", "/items/1", "has a name that contains a NUL character (\\u0000)"),
    }


def test_a_paired_surrogate_is_an_ordinary_character(client, auth_headers):
    """An emoji sent as a JSON surrogate pair is stored like any other character."""
    response = client.post(
        "/v1/notes",
        data=r'{"title": "star \ud83c\udf1f"}',
        headers={**auth_headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 201
    assert response.get_json()["title"] == "star \N{GLOWING STAR}"


def test_a_long_bad_value_is_quoted_by_a_short_prefix(client, auth_headers):
    """A 422 about a 500 kB value quotes its first characters, never the whole of it."""
    response = client.post(
        "/v1/notes", json={"title": "x" * 500_000}, headers=auth_headers
    )
    assert response.status_code == 422
    body = response.get_json()
    assert len(response.get_data()) < 1_000
    message = body["errors"][0]["message"]
    assert message == f"'{'x' * 39}...' (500000 characters) is too long"


def test_body_over_the_limit_is_413(log_stream):
    """A body above max_body_bytes is refused with 413 problem+json before it is read."""
    from flask import Flask
    from runtime_notes.app import SPEC

    from satchel import api, auth, errors, logs

    app = Flask("limited")
    logs.init_app(app, service="limited", stream=log_stream)
    errors.init_app(app)
    auth.init_app(app, issuer="i", audience="a", key="k" * 40)
    api.init_app(app, spec_path=SPEC, handlers="runtime_notes.api", max_body_bytes=100)
    token = make_token("k" * 40, issuer="i", audience="a")
    response = app.test_client().post(
        "/v1/notes",
        data=b'{"title": "' + b"x" * 100 + b'"}',
        headers={"Content-Type": "application/json", **bearer(token)},
    )
    assert response.status_code == 413
    assert response.mimetype == PROBLEM


def test_the_default_body_limit_is_one_mebibyte(app):
    """Without an explicit limit, api.init_app sets MAX_CONTENT_LENGTH to 1 MiB."""
    from satchel.api import MAX_BODY_BYTES

    assert app.config["MAX_CONTENT_LENGTH"] == MAX_BODY_BYTES == 1024 * 1024


@pytest.mark.parametrize("limit", [0, -1, True, "1mb"], ids=str)
def test_a_body_limit_that_is_no_size_is_refused(limit):
    """max_body_bytes must be a positive number of bytes."""
    from flask import Flask
    from runtime_notes.app import SPEC

    from satchel import api
    from satchel.api import ApiError

    with pytest.raises(ApiError, match="is not a size"):
        api.init_app(
            Flask("x"),
            spec_path=SPEC,
            handlers="runtime_notes.api",
            max_body_bytes=limit,
        )
