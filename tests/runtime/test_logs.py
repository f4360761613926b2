"""satchel.logs: JSON lines, one access line per request, context fields, redaction."""

from __future__ import annotations

import logging

import pytest
import structlog

from satchel.logs import REDACTED, redact_secrets


def access_lines(read_logs) -> list[dict]:
    """Return only the access lines."""
    return [line for line in read_logs() if line.get("event") == "request"]


def test_access_line_has_route_template_status_duration_and_tenant(
    client, auth_headers, read_logs
):
    """One line per request with method, template, path, status, duration, tenant, actor, id."""
    response = client.get(
        "/v1/notes/7", headers={**auth_headers, "X-Request-ID": "abc-12345"}
    )
    assert response.status_code == 404
    [line] = access_lines(read_logs)
    duration = line.pop("duration_ms")
    timestamp = line.pop("timestamp")
    assert isinstance(duration, float) and duration >= 0
    assert timestamp.endswith("Z")
    assert line == {
        "event": "request",
        "method": "GET",
        "route": "/v1/notes/<noteId>",
        "path": "/v1/notes/7",
        "status": 404,
        "request_id": "abc-12345",
        "tenant": "greenfield",
        "actor": "user-1",
        "service": "runtime-notes",
        "env": "development",
        "level": "info",
    }


def test_unmatched_path_is_logged_as_unmatched(client, read_logs):
    """A 404 without a rule logs the placeholder template, and no tenant-free crash."""
    client.get("/no/such/path")
    [line] = access_lines(read_logs)
    assert (line["route"], line["status"]) == ("<unmatched>", 404)


@pytest.mark.parametrize("path", ["/livez", "/readyz", "/metrics"], ids=str)
def test_probes_and_scrapes_are_not_logged(client, read_logs, path):
    """Health and metrics endpoints stay out of the access log, and have no tenant."""
    client.get(path)
    assert access_lines(read_logs) == []


def test_stdlib_logging_is_rendered_as_json_with_context(app, read_logs):
    """Records from the standard library come out as JSON lines through the same pipeline."""
    logging.getLogger("thirdparty").warning("disk %s nearly full", "/var", extra={})
    [line] = read_logs()
    assert (line["event"], line["level"], line["logger"], line["service"]) == (
        "disk /var nearly full",
        "warning",
        "thirdparty",
        "runtime-notes",
    )


def test_handler_log_lines_carry_the_request_context(
    app, client, auth_headers, read_logs
):
    """A line logged during the request carries its request id, tenant and actor."""
    client.post(
        "/v1/notes",
        json={"title": "hello"},
        headers={**auth_headers, "X-Request-ID": "req-00042"},
    )
    structlog.get_logger().info("after")  # outside the request: context cleared
    lines = read_logs()
    assert lines[-2]["request_id"] == "req-00042"
    assert "request_id" not in lines[-1] and "tenant" not in lines[-1]


@pytest.mark.parametrize(
    ("event", "expected"),
    [
        ({"password": "x"}, {"password": REDACTED}),
        ({"db_password": "x", "user": "ann"}, {"db_password": REDACTED, "user": "ann"}),
        ({"Authorization": "Bearer x"}, {"Authorization": REDACTED}),
        ({"api_key": "k", "apiKey": "k"}, {"api_key": REDACTED, "apiKey": REDACTED}),
        ({"headers": {"cookie": "c", "accept": "a"}},
         {"headers": {"cookie": REDACTED, "accept": "a"}}),
        ({"refresh_token": "t"}, {"refresh_token": REDACTED}),
        ({"client_secret": "s"}, {"client_secret": REDACTED}),
        ({"status": 200, "route": "/x"}, {"status": 200, "route": "/x"}),
    ],
    ids=["password", "suffix", "authorization", "api-key", "nested", "token", "secret", "clean"],
)  # fmt: skip
def test_secret_looking_keys_are_redacted(event, expected):
    """Keys that look like secrets lose their values; other keys are untouched."""
    assert redact_secrets(None, "info", dict(event)) == expected


def test_redaction_applies_to_real_log_lines(app, read_logs):
    """A secret passed to the logger never reaches the output."""
    structlog.get_logger().info("login", password="hunter2", user="ann")
    [line] = read_logs()
    assert (line["password"], line["user"]) == (REDACTED, "ann")


def test_bound_fields_merge_and_clear_as_structlog_does():
    """satchel's registry-based merge and clear agree with structlog's own functions."""
    import contextvars

    from satchel.log_context import clear_bound_fields, merge_bound_fields

    def in_fresh_context() -> None:
        structlog.contextvars.bind_contextvars(lesson="maths", room=12)
        structlog.contextvars.bind_contextvars(room=14)  # rebinding replaces
        ours = merge_bound_fields(None, "info", {"lesson": "explicit wins"})
        theirs = structlog.contextvars.merge_contextvars(
            None, "info", {"lesson": "explicit wins"}
        )
        assert ours == theirs == {"lesson": "explicit wins", "room": 14}
        clear_bound_fields()
        assert structlog.contextvars.get_contextvars() == {}
        assert merge_bound_fields(None, "info", {}) == {}

    contextvars.copy_context().run(in_fresh_context)
