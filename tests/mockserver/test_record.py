"""Record a real local service through the proxy, then replay it from both transports."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
import requests
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from mockserver.cli.pin import pin_digests
from mockserver.core.errors import MockError
from mockserver.harness.inprocess import InProcessMocks
from mockserver.record.recorder import RecordError, check_target, redact
from tests.mockserver.conftest import free_port, start_mock

ROOT = Path(__file__).resolve().parents[2]
STUDENTS_SPEC = ROOT / "examples" / "attendance" / "mocks" / "students" / "openapi.yaml"
TOKEN = {"Authorization": "Bearer test-token"}  # the spec requires one; the mock checks


def real_students() -> object:
    """Return a WSGI app standing in for the real students service (one invalid answer)."""
    served = {"pupil-3": 0}

    @Request.application
    def app(request: Request) -> Response:
        pupils = {
            "/v1/pupils/1": {"id": 1, "class_id": 1, "given_name": "Grace",
                             "family_name": "Hopper"},
            "/v1/pupils/2": {"id": 2, "given_name": "Missing required fields"},
        }  # fmt: skip
        if request.path == "/v1/pupils/3":
            served["pupil-3"] += 1
            body = {"id": 3, "class_id": served["pupil-3"], "given_name": "Alan",
                    "family_name": "Turing"}  # fmt: skip
        elif request.path == "/v1/classes":
            body = {"items": [{"id": 5, "name": "5C", "year_group": 5}]}
        else:
            body = pupils.get(request.path)
        if body is None:
            return Response("{}", status=404, content_type="application/json")
        return Response(json.dumps(body), content_type="application/json")

    return app


@pytest.fixture
def neighbour():
    """Serve the stand-in students service on a real port; stop it after."""
    port = free_port()
    server = make_server("127.0.0.1", port, real_students(), threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{port}"
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture
def service(tmp_path):
    """Return (folder, mock port) of a service vendoring the students spec, recording allowed."""
    (tmp_path / "mocks" / "students").mkdir(parents=True)
    shutil.copy(STUDENTS_SPEC, tmp_path / "mocks" / "students" / "openapi.yaml")
    port = free_port()
    (tmp_path / "mocks.yaml").write_text(
        "neighbours:\n  students:\n    spec: mocks/students/openapi.yaml\n"
        f"    port: {port}\n"
        "    record:\n      allow: [127.0.0.1]\n      redact_fields: [family_name]\n"
    )
    pin_digests(tmp_path / "mocks.yaml")
    return tmp_path, port


def record(folder: Path, port: int, target: str, paths: list[str]) -> list[str]:
    """Run `satchel-mock record`, send ``paths`` through it, stop it; return its output."""
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mockserver.cli.main",
            "record",
            "students",
            "--target",
            target,
        ],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                requests.get(f"http://127.0.0.1:{port}/v1/classes", timeout=1)
                break
            except requests.ConnectionError:
                assert process.poll() is None and time.monotonic() < deadline
                time.sleep(0.05)
        for path in paths:
            requests.get(f"http://127.0.0.1:{port}{path}", timeout=5)
    finally:
        process.send_signal(signal.SIGTERM)
        out, _ = process.communicate(timeout=15)
    assert process.returncode == 0, out
    return out.splitlines()


def test_record_then_replay_from_both_transports(neighbour, service, tmp_path_factory):
    """Valid answers are stored redacted and distinct; invalid ones refused; both replay."""
    folder, port = service
    lines = record(
        folder, port, neighbour, ["/v1/pupils/1", "/v1/pupils/2", "/v1/pupils/3",
                                  "/v1/pupils/3", "/v1/pupils/1"]
    )  # fmt: skip
    assert lines[1:] == [
        "stored: list_classes 200 as recorded-1",
        "stored: get_pupil 200 as recorded-2",
        "refused: get_pupil 200 does not match the spec: /class_id: 'class_id' is a "
        "required property; /family_name: 'family_name' is a required property",
        "stored: get_pupil 200 as recorded-3",
        "stored: get_pupil 200 as recorded-4",
        "kept: get_pupil 200 as recorded-2",
        f"stopped; recordings in {folder}/mocks/students/recordings.yaml",
    ]
    replayed = {}
    mocks = InProcessMocks.from_config(folder / "mocks.yaml")
    with mocks:
        for path in ("/v1/pupils/1", "/v1/pupils/3", "/v1/classes"):
            replayed[path] = requests.get(
                f"http://127.0.0.1:{port}{path}", headers=TOKEN, timeout=5
            )
    assert replayed["/v1/pupils/1"].json() == {
        "id": 1, "class_id": 1, "given_name": "Grace", "family_name": "REDACTED"
    }  # fmt: skip
    assert replayed["/v1/pupils/3"].json()["class_id"] == 2  # the latest answer replays
    assert replayed["/v1/classes"].json()["items"][0]["name"] == "5C"
    served = start_mock(
        ["up", "--no-reload", "--quiet"], (port,), folder / "up.log", folder
    )
    try:
        for path, answer in replayed.items():
            over_http = requests.get(
                f"http://127.0.0.1:{port}{path}", headers=TOKEN, timeout=5
            )
            assert over_http.content == answer.content
    finally:
        served.stop()


def test_recording_refuses_hosts_the_config_does_not_allow(service):
    """A target outside record.allow is refused before anything is contacted."""
    folder, _ = service
    result = subprocess.run(
        [sys.executable, "-m", "mockserver.cli.main", "record", "students",
         "--target", "https://students.example.org"],
        cwd=folder, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        "error: refusing to record students from students.example.org: not an allowed host "
        "(allowed: 127.0.0.1). Add it under neighbours.students.record.allow in mocks.yaml.\n"
    )


@pytest.mark.parametrize(
    "target, message",
    [
        ("ftp://127.0.0.1", "--target must be an http(s) URL, not 'ftp://127.0.0.1'."),
        ("http://10.0.0.1:80", "refusing to record students from 10.0.0.1:80: not an "
         "allowed host (allowed: 127.0.0.1). Add it under neighbours.students.record.allow "
         "in mocks.yaml."),
    ],
    ids=["scheme", "host"],
)  # fmt: skip
def test_check_target_explains_refusals(target, message):
    """Each refused target says why and what to change."""
    with pytest.raises(RecordError) as caught:
        check_target("students", target, ("127.0.0.1",))
    assert str(caught.value) == message
    assert isinstance(caught.value, MockError)


def test_redact_replaces_named_string_fields_at_any_depth():
    """Configured fields are masked wherever they appear; other values are untouched."""
    value = {"token": "t", "items": [{"token": "u", "n": 1}], "n": {"token": 5}}
    assert redact(value, ("token",)) == {
        "token": "REDACTED", "items": [{"token": "REDACTED", "n": 1}], "n": {"token": 5}
    }  # fmt: skip
