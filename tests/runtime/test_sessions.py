"""Signed-cookie sessions with the cached serializer behave as Flask's own."""

from __future__ import annotations

import pytest
from flask import Flask, session

from satchel import sessions


@pytest.fixture
def app():
    app = Flask("sessions_test")
    app.config["SECRET_KEY"] = "k" * 32
    sessions.init_app(app)

    @app.post("/remember/<name>")
    def remember(name: str) -> dict:
        session["name"] = name
        return {}

    @app.get("/who")
    def who() -> dict:
        return {"name": session.get("name")}

    @app.post("/forget")
    def forget() -> dict:
        session.clear()
        return {}

    @app.get("/api")
    def api() -> dict:
        return {}

    return app


def test_a_session_set_in_one_request_is_read_in_the_next(app):
    """The cookie round-trips, signed with the app's key."""
    client = app.test_client()
    client.post("/remember/ada")
    assert client.get("/who").json == {"name": "ada"}


def test_a_tampered_cookie_is_ignored(app):
    """A cookie whose signature does not verify gives an empty session."""
    client = app.test_client()
    client.post("/remember/ada")
    cookie = client.get_cookie("session")
    client.set_cookie("session", cookie.value[:-2] + "xx")
    assert client.get("/who").json == {"name": None}


def test_a_new_key_is_used_at_once_and_the_old_one_only_as_a_fallback(app):
    """Changing SECRET_KEY drops the cached serializer; fallbacks still read old cookies."""
    client = app.test_client()
    client.post("/remember/ada")
    app.config["SECRET_KEY"] = "n" * 32
    assert client.get("/who").json == {"name": None}
    app.config["SECRET_KEY_FALLBACKS"] = ["k" * 32]
    assert client.get("/who").json == {"name": "ada"}


def test_without_a_key_there_is_no_session(app):
    """As in Flask, an app without SECRET_KEY refuses to store a session."""
    app.config.update(SECRET_KEY=None, TESTING=True)
    with pytest.raises(RuntimeError, match="secret key"):
        app.test_client().post("/remember/ada")


def test_untouched_sessions_add_nothing_and_cleared_ones_are_deleted(app):
    """As Flask: no cookie or Vary for an unread session; read adds Vary; clear deletes."""
    client = app.test_client()
    untouched = client.get("/api")
    assert "Set-Cookie" not in untouched.headers and "Vary" not in untouched.headers
    client.post("/remember/ada")
    read = client.get("/who")
    assert read.headers["Vary"] == "Cookie" and "Set-Cookie" not in read.headers
    cleared = client.post("/forget")
    assert "session=;" in cleared.headers["Set-Cookie"]
    assert client.get_cookie("session") is None
