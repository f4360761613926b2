"""satchel.errors: every error is problem+json, with the field named for validation errors."""

from __future__ import annotations

import pytest

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
