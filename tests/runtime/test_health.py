"""satchel.health: /livez, /readyz warming/ready/failing/draining, checks cached."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys

import pytest
import requests
from flask import Flask
from server_helpers import RESOURCES, free_port, wait_for

from satchel import health


def bare_app(**options) -> Flask:
    """An app with only health installed."""
    app = Flask("health_test")
    health.init_app(app, install_signal_handler=False, **options)
    return app


def test_livez_passes_even_while_warming_up():
    """Liveness is the process only."""
    response = bare_app().test_client().get("/livez")
    assert (response.status_code, response.mimetype, response.get_json()) == (
        200,
        "application/health+json",
        {"status": "pass"},
    )


def test_readyz_fails_until_marked_ready():
    """Readiness fails while warming up, then passes."""
    app = bare_app()
    client = app.test_client()
    warming = client.get("/readyz")
    assert warming.status_code == 503
    assert warming.get_json() == {
        "status": "fail",
        "checks": {},
        "output": "warming up: mark_ready(app) not called yet",
    }
    health.mark_ready(app)
    assert client.get("/readyz").get_json() == {"status": "pass", "checks": {}}


@pytest.mark.parametrize(
    ("result", "critical", "status", "overall"),
    [
        (("pass", ""), True, 200, "pass"),
        (("warn", "slow"), True, 200, "warn"),
        (("fail", "down"), True, 503, "fail"),
        (("fail", "down"), False, 200, "warn"),
        (("maybe", ""), True, 503, "fail"),
    ],
    ids=["pass", "warn", "critical-fail", "non-critical-fail", "bad-status"],
)
def test_check_outcomes(result, critical, status, overall):
    """Critical failures fail readiness; warnings and non-critical failures only warn."""
    app = bare_app()
    health.register_check(app, "db", lambda: result, critical=critical)
    health.mark_ready(app)
    response = app.test_client().get("/readyz")
    assert (response.status_code, response.get_json()["status"]) == (status, overall)


def test_check_exception_is_a_failure_with_its_message():
    """A check that raises is reported as failing, not as a crashed probe."""
    app = bare_app()

    def broken():
        raise ConnectionError("connection refused")

    health.register_check(app, "redis", broken)
    health.mark_ready(app)
    body = app.test_client().get("/readyz").get_json()
    assert body["checks"] == {
        "redis": {"status": "fail", "output": "ConnectionError: connection refused"}
    }
    assert body["output"] == "critical checks failing: redis"


def test_check_results_are_cached():
    """Two probes within the cache window run the check once."""
    app = bare_app(cache_seconds=60)
    calls = []
    health.register_check(app, "db", lambda: (calls.append(1), ("pass", ""))[1])
    health.mark_ready(app)
    client = app.test_client()
    client.get("/readyz")
    client.get("/readyz")
    assert len(calls) == 1


def test_duplicate_check_and_missing_init_are_errors():
    """Misuse raises HealthError with a remedy."""
    app = bare_app()
    health.register_check(app, "db", lambda: ("pass", ""))
    with pytest.raises(
        health.HealthError, match="already registered; pick another name"
    ):
        health.register_check(app, "db", lambda: ("pass", ""))
    with pytest.raises(
        health.HealthError, match=r"init_app\(app\) has not been called"
    ):
        health.mark_ready(Flask("other"))


def test_sigterm_flips_readiness_then_exits(tmp_path):
    """A real server process: ready, then 503 draining after SIGTERM, then it exits."""
    port = free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(RESOURCES), os.getcwd()]),
        "RUNTIME_NOTES_HANDLE_SIGTERM": "true",
        "RUNTIME_NOTES_DRAIN_SECONDS": "2",
    }
    process = subprocess.Popen(
        [sys.executable, str(RESOURCES / "serve.py"), str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        assert wait_for(base + "/readyz").status_code == 200
        process.send_signal(signal.SIGTERM)
        draining = wait_for(base + "/readyz")
        assert draining.status_code == 503
        assert draining.json()["output"] == "draining: the server is shutting down"
        assert requests.get(base + "/livez", timeout=2).status_code == 200
        assert process.wait(timeout=15) == -signal.SIGTERM
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
        process.stderr.close()


def test_mark_draining_fails_readiness():
    """A server's shutdown hook can fail readiness without a signal."""
    app = bare_app()
    health.mark_ready(app)
    health.mark_draining(app)
    response = app.test_client().get("/readyz")
    assert (response.status_code, response.get_json()["output"]) == (
        503,
        "draining: the server is shutting down",
    )


def _app_with_a_detailed_check(**options) -> Flask:
    app = bare_app(**options)
    health.register_check(
        app,
        "tenant-registry",
        lambda: ("pass", "registry at admin@db.internal:5432/control"),
    )
    health.mark_ready(app)
    return app


@pytest.mark.parametrize(
    ("remote", "headers", "detailed"),
    [
        ("127.0.0.1", {}, True),
        ("10.1.2.3", {}, True),
        ("203.0.113.9", {}, False),
        ("10.1.2.3", {"X-Forwarded-For": "203.0.113.9"}, False),
        ("127.0.0.1", {"Forwarded": "for=203.0.113.9"}, False),
    ],
    ids=["loopback", "private-network", "internet", "through-a-proxy", "forwarded"],
)
def test_readyz_details_only_for_the_platform_network(remote, headers, detailed):
    """Check outputs (addresses of dependencies) go to the platform's network only."""
    client = _app_with_a_detailed_check().test_client()
    body = client.get(
        "/readyz", headers=headers, environ_base={"REMOTE_ADDR": remote}
    ).get_json()
    assert body["status"] == "pass"
    assert ("output" in body["checks"]["tenant-registry"]) is detailed
    assert ("db.internal" in json.dumps(body)) is detailed


def test_readyz_details_for_a_service_token_from_anywhere():
    """A service token the app verifies shows the details; a user token does not."""
    from satchel import auth
    from satchel.testing import bearer, make_token

    app = _app_with_a_detailed_check(detail_networks=())
    auth.init_app(app, issuer="i", audience="a", key="k" * 40)
    client = app.test_client()

    def details(**claims) -> bool:
        token = bearer(make_token("k" * 40, issuer="i", audience="a", **claims))
        body = client.get("/readyz", headers=token).get_json()
        return "output" in body["checks"]["tenant-registry"]

    assert details(actor_type="service", tenants="*") is True
    assert details(tenant="school-a") is False
    assert details(actor_type="service", expires_in=-600) is False
    assert "output" not in client.get("/readyz").get_json()["checks"]["tenant-registry"]


def test_detail_networks_must_be_networks():
    """A typo in detail_networks stops the app with the entry named."""
    with pytest.raises(health.HealthError, match="not a network"):
        bare_app(detail_networks=["10.0.0.0/8", "intranet"])
