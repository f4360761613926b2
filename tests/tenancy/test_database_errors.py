"""A client's mistake the database catches is a 409 or 422, never a 500; real 500s are logged once.

A PostgreSQL tenant with a table of unique names; the app wires satchel's logs, errors and
tenancy as a generated service does, and its routes send the database what a careless
handler would. Row data ("the secret name") must never reach the logs.
"""

from __future__ import annotations

import io
import json

import pytest
import sqlalchemy as sa
import structlog
from flask import Flask, request

from satchel import errors, logs, tenancy
from satchel.tenancy import FileRegistry, create_tenant
from tests.tenancy.support import BASE_DOMAIN, MIGRATIONS, PG, host

SECRET = "the-secret-name-0042"


@pytest.fixture(scope="module")
def app(prefix, tmp_path_factory):
    """Yield the app over one tenant whose database has a table ``things``."""
    stream = io.StringIO()
    app = Flask("database_errors_test")
    logs.init_app(app, service="database-errors", stream=stream)
    errors.init_app(app)
    registry = FileRegistry(tmp_path_factory.mktemp("dberrors") / "tenants.yaml")
    runtime = tenancy.init_app(
        app,
        registry=registry,
        base_domain=BASE_DOMAIN,
        script_location=MIGRATIONS,
        database_url_template=f"{PG}/{prefix}_dberr_{{tenant}}",
    )
    create_tenant(runtime, "school-a")
    with tenancy.tenant_scope("school-a", tenancy=runtime) as unit:
        unit.session().execute(
            sa.text(
                "CREATE TABLE things (id serial PRIMARY KEY, name text NOT NULL,"
                " size int, late text UNIQUE DEFERRABLE INITIALLY DEFERRED,"
                " CONSTRAINT things_name_key UNIQUE (name))"
            )
        )

    @app.post("/things")
    def add_thing():
        body = request.get_json()
        tenancy.session().execute(
            sa.text(
                "INSERT INTO things (name, size, late) VALUES (:name, :size, :late)"
            ),
            body,
        )
        tenancy.session().flush()
        return {"ok": True}, 201

    @app.get("/things/<int:size>")
    def by_size(size):
        found = tenancy.session().execute(
            sa.text("SELECT count(*) FROM things WHERE size = :size"), {"size": size}
        )
        return {"count": found.scalar()}

    @app.after_request
    def broken_after_the_view(response):
        if request.path == "/things/13" and response.status_code == 200:
            raise RuntimeError("broken after the view")
        return response

    app.extensions["test.logs"] = stream
    yield app
    runtime.close()
    structlog.reset_defaults()


def post(app, **body):
    values = {"name": "x", "size": 1, "late": None, **body}
    return app.test_client().post(
        "/things", json=values, headers={"Host": host("school-a")}
    )


def log_lines(app) -> list[dict]:
    stream = app.extensions["test.logs"]
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    stream.seek(0)
    stream.truncate()
    return lines


def test_unique_violation_is_409_naming_the_field_not_the_value(app):
    """A second row with the same name is 409 problem+json naming ``name``."""
    assert post(app, name=SECRET).status_code == 201
    response = post(app, name=SECRET)
    assert response.status_code == 409
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"] == "https://satchel.dev/problems/unique-violation"
    assert body["errors"] == [
        {"in": "body", "pointer": "/name", "message": "already taken: must be unique"}
    ]
    assert SECRET not in response.get_data(as_text=True)


def test_unique_violation_at_commit_is_409_too(app):
    """A deferred constraint fails at commit, after the view: still 409, not a 500."""
    assert post(app, name="late-1", late="same").status_code == 201
    response = post(app, name="late-2", late="same")
    assert response.status_code == 409
    assert response.get_json()["errors"][0]["pointer"] == "/late"


def test_number_beyond_the_column_is_422(app):
    """A number the int column cannot hold (the spec said only ``integer``) is a 422."""
    response = post(app, name="big", size=3243843466)
    assert response.status_code == 422
    assert response.get_json()["detail"] == (
        "The request cannot be stored: a number is outside the range its field accepts."
    )


def test_unexpected_database_error_is_a_500_logged_once_without_row_data(app):
    """A NOT NULL violation is the server's bug: 500 problem+json, one log line with the
    full stack trace, and neither the SQL parameters nor PostgreSQL's row DETAIL in it.
    """
    log_lines(app)
    response = post(app, name=None, size=7, late=SECRET)
    assert response.status_code == 500
    body = response.get_json()
    assert body["type"] == "https://satchel.dev/problems/internal-error"
    assert body["request_id"] == response.headers["X-Request-ID"]
    errors_logged = [line for line in log_lines(app) if line["level"] == "error"]
    assert len(errors_logged) == 1, errors_logged
    (logged,) = errors_logged
    trace = logged["exception"]
    assert trace.startswith("Traceback (most recent call last):")
    assert "psycopg.errors.NotNullViolation" in trace and "add_thing" in trace
    assert "DETAIL: [REDACTED]" in trace
    assert SECRET not in json.dumps(logged)
    assert logged["request_id"] == response.headers["X-Request-ID"]


def test_error_escaping_the_handlers_is_still_satchels_500(app):
    """An error raised after the view is rendered as satchel's problem, logged once."""
    log_lines(app)
    response = app.test_client().get("/things/13", headers={"Host": host("school-a")})
    assert response.status_code == 500
    assert response.get_json()["type"] == "https://satchel.dev/problems/internal-error"
    traces = [line for line in log_lines(app) if "exception" in line]
    assert len(traces) == 1
    assert "RuntimeError: broken after the view" in traces[0]["exception"]
