"""satchel.api: routes from the spec, handler return values, docs, start-up mismatches."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest
from flask import Flask
from runtime_notes.app import create_app

from satchel import api, auth, errors
from satchel.api import HandlerMismatch
from satchel.testing import tenant_client


def test_create_read_list_delete_round_trip(client, auth_headers):
    """The example resource works end to end with coerced parameters and a parsed body."""
    created = client.post("/v1/notes", json={"title": "first"}, headers=auth_headers)
    assert (created.status_code, created.get_json()) == (
        201,
        {"id": 1, "title": "first", "body": ""},
    )
    client.post(
        "/v1/notes", json={"title": "second", "body": "b"}, headers=auth_headers
    )
    assert (
        client.get("/v1/notes/1", headers=auth_headers).get_json()["title"] == "first"
    )
    listed = client.get("/v1/notes?limit=1", headers=auth_headers).get_json()
    assert [note["title"] for note in listed] == ["second"]
    deleted = client.delete("/v1/notes/1", headers=auth_headers)
    assert (deleted.status_code, deleted.get_data()) == (204, b"")
    assert client.get("/v1/notes/1", headers=auth_headers).status_code == 404


def test_query_default_is_applied(client, auth_headers):
    """An absent optional query parameter arrives with its spec default."""
    for n in range(25):
        client.post("/v1/notes", json={"title": f"n{n}"}, headers=auth_headers)
    assert len(client.get("/v1/notes", headers=auth_headers).get_json()) == 20


def test_response_validation_fails_loudly_in_tests(client, auth_headers, read_logs):
    """A handler answering outside its spec is a 500 naming the field, and is logged."""
    response = client.get("/v1/notes/3/broken", headers=auth_headers)
    assert response.status_code == 500
    body = response.get_json()
    assert body["type"] == "https://satchel.dev/problems/response-invalid"
    assert "get_broken_note" in body["detail"] and "title" in body["detail"]
    assert any(line["event"] == "response invalid" for line in read_logs())


def test_response_validation_off_serves_as_is(log_stream, auth_headers):
    """With validation off (production) the handler's answer goes out unchanged."""
    app = create_app({"validate_responses": "off"}, environ={}, log_stream=log_stream)
    response = tenant_client(app, "greenfield").get(
        "/v1/notes/3/broken", headers=auth_headers
    )
    assert (response.status_code, response.get_json()) == (
        200,
        {"id": 3, "body": "no title"},
    )


def test_openapi_json_and_docs_are_public(client):
    """The spec and the docs page are served without a token or tenant, self-contained."""
    spec = client.get("/openapi.json")
    assert spec.status_code == 200
    assert spec.get_json()["info"]["title"] == "Runtime notes (test service)"
    docs = client.get("/docs")
    page = docs.get_data(as_text=True)
    assert docs.status_code == 200 and docs.mimetype == "text/html"
    assert "<code>/v1/notes/{noteId}</code>" in page and "list_notes" in page
    assert "http://" not in page and "https://" not in page  # no CDN


def test_public_endpoints_are_listed(app):
    """Tenancy and auth can ask which endpoints are outside them."""
    assert api.public_endpoints(app) >= {
        "satchel_livez",
        "satchel_readyz",
        "satchel_metrics",
        "satchel_openapi_json",
        "satchel_docs",
    }
    assert not api.is_public(app, "list_notes")
    assert app.view_functions["satchel_livez"].satchel_public is True


# --- start-up mismatches -------------------------------------------------------------------

HANDLERS = {
    "notes.py": """
        def list_notes(limit=20):
            return []
    """,
}


def build(
    tmp_path: Path, spec: str, modules: dict[str, str], with_auth: bool = True
) -> Flask:
    """Create a service package in tmp_path and route it; return the app."""
    package = f"mismatch_{tmp_path.name.replace('-', '_')}"
    root = tmp_path / package
    (root / "api").mkdir(parents=True)
    (root / "__init__.py").write_text("")
    (root / "api" / "__init__.py").write_text("")
    for name, source in modules.items():
        (root / "api" / name).write_text(textwrap.dedent(source))
    spec_file = tmp_path / "openapi.yaml"
    spec_file.write_text(spec)
    sys.path.insert(0, str(tmp_path))
    try:
        app = Flask(package)
        errors.init_app(app)
        if with_auth:
            auth.init_app(app, issuer="i", audience="a", key="k" * 40)
        api.init_app(app, spec_path=spec_file, handlers=f"{package}.api")
        return app
    finally:
        sys.path.remove(str(tmp_path))
        for module in [m for m in sys.modules if m.startswith(package)]:
            del sys.modules[module]


SPEC_HEAD = """\
openapi: 3.0.3
info: {title: t, version: "1"}
components:
  securitySchemes:
    apiKey: {type: apiKey, in: header, name: X-Key}
    bearer: {type: http, scheme: bearer}
paths:
"""


@pytest.mark.parametrize(
    ("paths", "modules", "expected"),
    [
        (
            """\
              /notes:
                get:
                  operationId: list_notez
                  tags: [notes]
                  responses: {"200": {description: ok}}
            """,
            HANDLERS,
            "openapi.yaml:9: GET /notes list_notez: module {pkg}.api.notes has no function "
            "list_notez; add `def list_notez(...)` to {pkg}/api/notes.py or correct the "
            "operationId",
        ),
        (
            """\
              /reports:
                get:
                  operationId: list_reports
                  tags: [reports]
                  responses: {"200": {description: ok}}
            """,
            HANDLERS,
            "openapi.yaml:9: GET /reports list_reports: module {pkg}.api.reports does not exist; "
            "create {pkg}/api/reports.py with `def list_reports(...)`",
        ),
        (
            """\
              /notes:
                get:
                  tags: [notes]
                  responses: {"200": {description: ok}}
            """,
            HANDLERS,
            "openapi.yaml:9: GET /notes (no operationId): operation has no operationId; add one "
            "naming its handler function",
        ),
        (
            """\
              /notes:
                get:
                  operationId: list_notes
                  responses: {"200": {description: ok}}
            """,
            HANDLERS,
            "openapi.yaml:9: GET /notes list_notes: operation has no tags; its first tag names "
            "the handler module (api/<tag>.py)",
        ),
        (
            """\
              /notes/{noteId}:
                get:
                  operationId: list_notes
                  tags: [notes]
                  parameters:
                    - {name: noteId, in: path, required: true, schema: {type: integer}}
                  responses: {"200": {description: ok}}
            """,
            HANDLERS,
            "openapi.yaml:9: GET /notes/{noteId} list_notes: {pkg}.api.notes.list_notes does not "
            "accept note_id; add it to its parameters",
        ),
        (
            """\
              /notes:
                get:
                  operationId: list_notes
                  tags: [notes]
                  responses: {"200": {description: ok}}
            """,
            {"notes.py": "def list_notes(school):\n    return []\n"},
            "openapi.yaml:9: GET /notes list_notes: {pkg}.api.notes.list_notes requires school, "
            "which the spec does not declare; declare the parameter in the spec or give it a "
            "default",
        ),
        (
            """\
              /notes:
                get:
                  operationId: list_notes
                  tags: [notes]
                  security: [{apiKey: []}]
                  responses: {"200": {description: ok}}
            """,
            HANDLERS,
            "openapi.yaml:9: GET /notes list_notes: security scheme 'apiKey' (apikey) cannot be "
            "checked by satchel.auth, which verifies bearer JWTs; declare it as type: http, "
            "scheme: bearer",
        ),
    ],
    ids=[
        "missing-function",
        "missing-module",
        "no-operation-id",
        "no-tags",
        "handler-lacks-parameter",
        "handler-needs-undeclared",
        "unsupported-security",
    ],
)
def test_spec_handler_mismatch_refuses_to_start(tmp_path, paths, modules, expected):
    """Each way spec and code can disagree stops start-up with file, line, and a fix."""
    with pytest.raises(HandlerMismatch) as caught:
        build(
            tmp_path,
            SPEC_HEAD + textwrap.indent(textwrap.dedent(paths), "  "),
            modules,
        )
    package = f"mismatch_{tmp_path.name.replace('-', '_')}"
    [problem] = caught.value.problems
    assert problem == f"{tmp_path}/" + expected.replace("{pkg}", package)


def test_every_mismatch_is_reported_at_once(tmp_path):
    """Several problems are listed together, not one per restart."""
    spec = SPEC_HEAD + textwrap.indent(
        textwrap.dedent("""\
              /a:
                get: {operationId: get_a, tags: [notes], responses: {"200": {description: ok}}}
              /b:
                get: {operationId: get_b, tags: [notes], responses: {"200": {description: ok}}}
            """),
        "    ",
    )
    with pytest.raises(HandlerMismatch) as caught:
        build(tmp_path, spec, HANDLERS)
    assert len(caught.value.problems) == 2
    assert str(caught.value).startswith(
        "The spec and its handlers do not match (2 problems):\n"
    )


def test_secured_operation_without_auth_refuses_to_start(tmp_path):
    """A spec asking for bearer tokens needs satchel.auth configured first."""
    spec = SPEC_HEAD + textwrap.indent(
        textwrap.dedent("""\
              /notes:
                get:
                  operationId: list_notes
                  tags: [notes]
                  security: [{bearer: []}]
                  responses: {"200": {description: ok}}
            """),
        "    ",
    )
    with pytest.raises(
        HandlerMismatch, match=r"satchel\.auth\.init_app\(app, \.\.\.\) was not"
    ):
        build(tmp_path, spec, HANDLERS, with_auth=False)


RETURNS_SPEC = SPEC_HEAD + textwrap.indent(
    textwrap.dedent("""\
          /things/{thing-id}:
            get:
              operationId: get_thing
              tags: [things]
              parameters:
                - {name: thing-id, in: path, required: true, schema: {type: string}}
                - {name: shape, in: query, schema: {type: string}}
              responses: {"200": {description: ok}}
        """),
    "  ",
)

RETURNS_HANDLERS = {
    "things.py": """
        from flask import Response

        def get_thing(thing_id, shape=None):
            if shape == "tuple3":
                return {"id": thing_id}, 202, {"X-Thing": "yes"}
            if shape == "response":
                return Response("plain", mimetype="text/plain")
            if shape == "text":
                return "hello", 200
            if shape == "none":
                return None
            if shape == "wrong":
                return 42
            return {"id": thing_id}
    """,
}


@pytest.mark.parametrize(
    ("query", "status", "content_type", "body", "header"),
    [
        ("", 200, "application/json", b'{"id":"a b.c"}', None),
        ("?shape=tuple3", 202, "application/json", b'{"id":"a b.c"}', "yes"),
        ("?shape=response", 200, "text/plain; charset=utf-8", b"plain", None),
        ("?shape=text", 200, "text/html; charset=utf-8", b"hello", None),
        ("?shape=none", 204, None, b"", None),
    ],
    ids=["dict", "body-status-headers", "response", "text", "none"],
)
def test_handler_return_values(tmp_path, query, status, content_type, body, header):
    """Each supported return shape becomes the matching response; names are snake_cased."""
    app = build(tmp_path, RETURNS_SPEC, RETURNS_HANDLERS, with_auth=False)
    response = app.test_client().get("/things/a%20b.c" + query)
    assert (response.status_code, response.content_type, response.get_data()) == (
        status,
        content_type,
        body,
    )
    assert response.headers.get("X-Thing") == header


def test_unsupported_return_value_is_a_500(tmp_path):
    """A handler returning something unrenderable is a server error, not a crash."""
    app = build(tmp_path, RETURNS_SPEC, RETURNS_HANDLERS, with_auth=False)
    response = app.test_client().get("/things/x?shape=wrong")
    assert (response.status_code, response.mimetype) == (
        500,
        "application/problem+json",
    )


def test_unknown_response_check_mode_is_refused(log_stream):
    """A typo in validate_responses stops start-up with the valid modes."""
    with pytest.raises(api.ApiError) as caught:
        create_app({"validate_responses": "strict"}, environ={}, log_stream=log_stream)
    assert str(caught.value) == (
        "validate_responses='strict' is not a mode; use one of off, log, raise."
    )
