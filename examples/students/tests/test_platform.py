"""Health, metrics, request ids and start-up checks the platform relies on."""

import pytest

from satchel.config import ConfigError

from students.app import create_app


def test_livez_and_readyz(app):
    """Both probes answer without a tenant; readiness reports its checks."""
    client = app.test_client()
    assert client.get("/livez").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200, ready.get_json()
    assert ready.get_json()["status"] == "pass"


def test_metrics_use_route_templates(client, app):
    """Metrics are labelled by route template, never by raw path or tenant."""
    client.get("/v1/pupils/12345")
    text = app.test_client().get("/metrics").get_data(as_text=True)
    assert "/v1/pupils/<pupil_id>" in text
    assert "12345" not in text
    assert "school-a" not in text


def test_request_id_is_echoed_or_replaced(client):
    """A valid X-Request-ID comes back; a malformed one is replaced by a new id."""
    valid = client.get("/v1/classes", headers={"X-Request-ID": "req-0123456789"})
    assert valid.headers["X-Request-ID"] == "req-0123456789"
    bad = client.get("/v1/classes", headers={"X-Request-ID": "bad id\twith tab"})
    assert bad.headers["X-Request-ID"] not in ("", "bad id\twith tab")


def test_production_refuses_default_secrets():
    """In production the service will not start with a development secret, and says which."""
    with pytest.raises(ConfigError) as refused:
        create_app({"env": "production"})
    message = str(refused.value)
    assert "STUDENTS_SECRET_KEY" in message
    assert "STUDENTS_JWT_KEY" in message


STRONG = "s" * 32  # the shortest secret production accepts


@pytest.mark.parametrize("env", ["Production", "prod", " production"])
def test_misspelt_environment_is_refused(env):
    """Only the exact names are environments: a misspelt production never runs as development."""
    with pytest.raises(ConfigError, match="is not an environment"):
        create_app({"env": env})


def test_production_refuses_weak_secrets():
    """A 1-byte secret key or JWT key is refused in production, with its length."""
    with pytest.raises(ConfigError) as refused:
        create_app({"env": "production", "secret_key": "x", "jwt_key": "y"})
    assert "is 1 byte long; at least 32" in str(refused.value)


def test_one_key_for_hmac_and_rsa_is_refused():
    """RS256 and HS256 with one key cannot both verify: refused at start."""
    from satchel.auth import AuthError

    with pytest.raises(AuthError, match="one key is configured"):
        create_app({"jwt_algorithms": "RS256,HS256"})
