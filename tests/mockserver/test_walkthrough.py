"""The README's "Record and replay" section, run as written, so it cannot go stale.

Its fenced blocks are read from ``mockserver/README.md`` in order and run against copies of the
example services: the real students (two schools, on its embedded default) is recorded by
attendance through ``satchel-mock record``, and attendance's own test suite then runs on the
recordings. Only the ports change (8001 students, 8000 attendance, 8101 the mock), to free ones,
so parallel runs cannot collide; attendance reaches the mock's port through
``ATTENDANCE_STUDENTS_URL``, as its README says.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import requests
import yaml

from examples.running import free_port
from mockserver.harness.inprocess import InProcessMocks
from mockserver.record.recorder import Exchange, Recorder
from mockserver.runtime.config import load_config
from satchel.openapi import load_spec
from tests.mockserver.recording import ATTENDANCE, headers_for, real_students

ROOT = Path(__file__).resolve().parents[2]
README = ROOT / "mockserver" / "README.md"
BIN = Path(sys.executable).parent


def section(title: str) -> list[tuple[str, str]]:
    """Return (language, text) of each fenced block under ``## title`` in the README."""
    text = README.read_text(encoding="utf-8")
    body = text.split(f"## {title}\n", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```(\w+)\n(.*?)```", body, flags=re.S)


def run_block(script: str, cwd: Path, env: dict, timeout: float = 600):
    """Run a block with ``bash -e``; then stop anything it left running in the background."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        process = subprocess.Popen(
            ["bash", "-e", "-c", script],
            cwd=cwd, env=env, stdout=out, stderr=err, start_new_session=True,
        )  # fmt: skip
        try:
            process.wait(timeout=timeout)
        finally:
            try:
                os.killpg(process.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            process.wait()
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(
            process.args, process.returncode, out.read().decode(), err.read().decode()
        )


@pytest.fixture(scope="module")
def walked(tmp_path_factory):
    """Walk through the section; return (attendance copy, its environment, outputs)."""
    blocks = section("Record and replay")
    kinds = [kind for kind, _ in blocks]
    assert kinds == ["yaml", "sh", "sh", "text", "sh", "yaml"], kinds
    (_, config), (_, terminal_1), (_, terminal_2), (_, printed), (_, last), _ = blocks
    root = tmp_path_factory.mktemp("walk")
    attendance = root / "examples" / "attendance"
    shutil.copytree(
        ATTENDANCE, attendance, ignore=shutil.ignore_patterns("instance", "__pycache__")
    )
    ports = {"8001": None, "8000": free_port(), "8101": free_port()}
    with real_students(root / "students") as students:
        ports["8001"] = int(students.rsplit(":", 1)[1])

        def local(text: str) -> str:
            for written, port in ports.items():
                text = text.replace(written, str(port))
            return text

        mocks = attendance / "mocks.yaml"
        assert config.startswith("neighbours:\n  - name: students\n")
        block = config[config.index("    record:") :]
        mocks.write_text(local(mocks.read_text()) + block)
        env = dict(
            os.environ,
            PATH=f"{BIN}{os.pathsep}{os.environ['PATH']}",
            PYTHONUNBUFFERED="1",
            ATTENDANCE_STUDENTS_URL=f"http://127.0.0.1:{ports['8101']}",
        )
        recorder = subprocess.Popen(
            ["bash", "-c", local(terminal_1)],
            cwd=attendance,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        try:
            first = recorder.stdout.readline()
            assert first.startswith("recording students"), (
                first + recorder.stdout.read()
            )
            second = run_block(local(terminal_2), attendance, env)
        finally:
            os.killpg(recorder.pid, signal.SIGINT)  # Ctrl-C
            rest, _ = recorder.communicate(timeout=30)
    assert second.returncode == 0, second.stdout + second.stderr
    finished = run_block(local(last), attendance, env)
    return (
        attendance,
        env,
        {
            "printed": local(printed),
            "recorder": first + rest,
            "terminal 2": second.stdout,
            "last": finished,
        },
    )


def test_the_recorder_prints_what_the_readme_shows(walked):
    """Two registers, one per school: two list_class_pupils exchanges stored, as documented."""
    _, _, out = walked
    assert out["recorder"] == out["printed"]


def test_each_school_took_its_register_through_the_recorder(walked):
    """The Host reached students: each school's register names its own class."""
    _, _, out = walked
    assert '"class_name":"4B"' in out["terminal 2"]
    assert '"class_name":"7R"' in out["terminal 2"]


def test_check_and_attendance_tests_pass_on_the_recordings(walked):
    """`satchel-mock check` is ok and attendance's suite passes on students' recordings."""
    _, _, out = walked
    finished = out["last"]
    assert finished.returncode == 0, finished.stdout[-4000:] + finished.stderr[-2000:]
    assert finished.stdout.startswith("ok: no problems found\n")
    assert re.search(r"=+ \d+ passed in [^=]*=+\n$", finished.stdout), finished.stdout[
        -2000:
    ]


def test_attendance_tests_really_replay_the_recordings(walked):
    """Each school replays its own recording; without school-b's, its test fails explained."""
    attendance, env, _ = walked
    url = f"{env['ATTENDANCE_STUDENTS_URL']}/v1/classes/1/pupils"
    with InProcessMocks.from_config(attendance / "mocks.yaml"):
        answers = {
            s: requests.get(url, headers=headers_for(s))
            for s in ("school-a", "school-b")
        }
    assert answers["school-a"].json()["class"]["name"] == "4B"
    assert answers["school-b"].json()["class"]["name"] == "7R"
    assert (
        answers["school-b"].headers["Satchel-Mock-Source"].startswith("recording 2, ")
    )
    recordings = attendance / "mocks" / "students" / "recordings.yaml"
    data = yaml.safe_load(recordings.read_text())
    data["recordings"] = data["recordings"][:1]
    recordings.write_text(yaml.safe_dump(data, sort_keys=False))
    failed = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         "tests/test_tenancy.py::test_tenants_see_only_their_own_registers"],
        cwd=attendance, env=env, capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert failed.returncode == 1
    assert (
        "no recorded exchange of list_class_pupils matches GET /v1/classes/1/pupils (host "
        "school-b.students.localhost, with a credential)" in failed.stdout
    )


SPEC = {
    "openapi": "3.0.3",
    "info": {"title": "people", "version": "1"},
    "paths": {"/people/{id}": {"get": {
        "operationId": "get_person",
        "parameters": [{"name": "id", "in": "path", "required": True,
                        "schema": {"type": "integer"}}],
        "responses": {"200": {
            "description": "a person",
            "headers": {"X-Internal-Token": {"schema": {"type": "string",
                                                        "pattern": "^[a-f0-9]{8}$"}}},
            "content": {"application/json": {"schema": {
                "type": "object", "additionalProperties": False,
                "required": ["id", "family_name", "email", "contact"],
                "properties": {
                    "id": {"type": "integer"},
                    "family_name": {"type": "string", "pattern": "^[A-Z][a-z]+$"},
                    "email": {"type": "string", "format": "email"},
                    "contact": {"type": "object", "additionalProperties": False,
                                "required": ["email", "age"],
                                "properties": {"email": {"type": "string", "format": "email"},
                                               "age": {"type": "integer", "minimum": 18}}},
                }}}}}},
    }}},
}  # fmt: skip


def test_the_readme_redaction_block_masks_with_schema_valid_values(tmp_path):
    """The README's redact_* lines, as written: masked values still validate (email, pattern)."""
    _, block = section("Record and replay")[-1]
    (tmp_path / "openapi.yaml").write_text(yaml.safe_dump(SPEC))
    (tmp_path / "mocks.yaml").write_text(
        "neighbours:\n  people:\n    spec: openapi.yaml\n    port: 9\n" + block
    )
    entry = load_config(tmp_path / "mocks.yaml").neighbours[0]
    assert entry.redact_fields == ("family_name", "email")
    person = {"id": 7, "family_name": "Lovelace", "email": "ada@example.org",
              "contact": {"email": "ada@home.example", "age": 36}}  # fmt: skip
    spec = load_spec(tmp_path / "openapi.yaml")

    def recorded(seed: int, name: str) -> tuple[str, object]:
        recorder = Recorder(
            spec,
            tmp_path / f"recordings-{name}.yaml",
            redact_headers=entry.redact_headers,
            redact_fields=entry.redact_fields,
            seed=seed,
        )
        outcome = recorder.record(Exchange(
            "GET", "/people/7", "", {}, b"", 200,
            (("Content-Type", "application/json"), ("X-Internal-Token", "deadbeef")),
            json.dumps(person).encode(),
        ))  # fmt: skip
        return str(outcome), recorder.entries[0].answers[0]

    outcome, answer = recorded(0, "first")
    assert outcome == "stored: get_person 200 as recording 1"
    body = answer.body
    assert body["id"] == 7 and body["contact"]["age"] == 36
    assert re.fullmatch(r"[A-Z][a-z]+", body["family_name"])
    assert body["family_name"] != "Lovelace"
    for email in (body["email"], body["contact"]["email"]):
        assert re.fullmatch(r"[^@\s]+@[^@\s]+\.[a-z]+", email), email
        assert "ada" not in email
    (token,) = [v for k, v in answer.headers if k == "x-internal-token"]
    assert re.fullmatch(r"[a-f0-9]{8}", token) and token != "deadbeef"
    # Seeded: the same exchange masks the same way, so recording it again keeps it.
    assert recorded(0, "first") == (
        "kept: get_person 200 as recording 1 (seen before)",
        answer,
    )
    assert recorded(0, "second")[1] == answer
    assert recorded(1, "third")[1].body["email"] != body["email"]
