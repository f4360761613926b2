"""The test service through a real granian WSGI server with two workers (satchel-serve)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families
from runtime_notes import db
from server_helpers import RESOURCES, descendants, free_port, wait_for, wait_until_gone

from satchel.testing import bearer, make_token


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """Serve through satchel-serve (granian, 2 workers); yield base URL and log file.

    The runtime sets up multi-process metrics itself; on the way out every process of the
    tree must be gone (a worker once kept serving for hours after its master was stopped).
    """
    tmp = tmp_path_factory.mktemp("granian")
    database = f"sqlite:///{tmp / 'notes.db'}"
    db.metadata.create_all(
        sa.create_engine(database)
    )  # created once, not raced by workers
    port = free_port()
    log_path = tmp / "stdout.log"
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(RESOURCES), os.getcwd()]),
        "RUNTIME_NOTES_DATABASE_URL": database,
    }
    command = [str(Path(sys.executable).parent / "satchel-serve"), "--workers", "2"]
    command += ["--host", "127.0.0.1", "--port", str(port), "--no-settings"]
    command += ["--drain-seconds", "0", "serve:app"]
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            command, cwd=RESOURCES, env=env, stdout=log, stderr=log
        )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(base + "/livez")
        tree = descendants(process.pid)
        yield base, log_path
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
    assert wait_until_gone(tree, 10) == set(), "a granian process outlived the server"


def headers(**extra) -> dict[str, str]:
    """A valid token for the test service's default settings, plus extra headers."""
    token = make_token(
        "dev-only-jwt-key-that-is-at-least-32-bytes",
        issuer="https://auth.example.test",
        audience="runtime-notes",
        subject="granian-user",
        tenant="oakwood",
    )
    return {**bearer(token), "Host": "oakwood.example.test", **extra}


def test_requests_through_granian(server):
    """Routing, auth, validation, request id and problem+json all work over real HTTP."""
    base, _ = server
    created = requests.post(
        base + "/v1/notes", json={"title": "via granian"}, headers=headers()
    )
    assert created.status_code == 201
    note_id = created.json()["id"]
    read = requests.get(
        f"{base}/v1/notes/{note_id}", headers=headers(**{"X-Request-ID": "gr-00001"})
    )
    assert (read.status_code, read.json()["title"]) == (200, "via granian")
    assert read.headers["X-Request-ID"] == "gr-00001"
    invalid = requests.get(base + "/v1/notes/abc", headers=headers())
    assert (invalid.status_code, invalid.headers["Content-Type"]) == (
        422,
        "application/problem+json",
    )
    assert invalid.json()["errors"][0]["name"] == "noteId"
    unauthorised = requests.get(base + "/v1/notes")
    assert unauthorised.status_code == 401


def test_metrics_aggregate_across_workers(server):
    """Without any set-up by the service, every worker's requests are in one scrape."""
    base, _ = server
    for _ in range(12):
        requests.get(base + "/v1/ping")
    text = requests.get(base + "/metrics").text
    counts = [
        s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "http_request_duration_seconds_count"
        and s.labels["route"] == "/v1/ping"
    ]
    assert counts == [12.0]


def test_access_lines_reach_stdout(server):
    """Each request writes one JSON access line to the server's stdout."""
    base, log_path = server
    requests.get(base + "/v1/ping", headers={"X-Request-ID": "stdout-check-1"})
    lines = [
        json.loads(line)
        for line in log_path.read_text().splitlines()
        if line.startswith("{")
    ]
    [line] = [x for x in lines if x.get("request_id") == "stdout-check-1"]
    assert (line["event"], line["route"], line["status"]) == (
        "request",
        "/v1/ping",
        200,
    )
