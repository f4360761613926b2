"""satchel-serve: granian under a supervisor that sums metrics, drains, and leaves nothing."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
import sqlalchemy as sa
from prometheus_client.parser import text_string_to_metric_families
from runtime_notes import db
from server_helpers import (
    RESOURCES,
    descendants,
    free_port,
    living,
    wait_for,
    wait_until_gone,
)

SERVE = Path(sys.executable).parent / "satchel-serve"


def start(tmp_path: Path, *args: str, **env: str) -> tuple[subprocess.Popen, str]:
    """Start satchel-serve on the test service; return the process and its base URL."""
    database = tmp_path / "notes.db"
    if not database.exists():
        db.metadata.create_all(sa.create_engine(f"sqlite:///{database}"))
    port = free_port()
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(RESOURCES), os.getcwd()]),
        "RUNTIME_NOTES_DATABASE_URL": f"sqlite:///{database}",
        **env,
    }
    command = [str(SERVE), "--host", "127.0.0.1", "--port", str(port)]
    command += ["--settings", "runtime_notes.settings"]
    command += ["--runtime-dir", str(tmp_path / "run"), *args, "serve:app"]
    with open(tmp_path / "serve.log", "a") as log:
        process = subprocess.Popen(
            command, cwd=RESOURCES, env=environment, stdout=log, stderr=log
        )
    base = f"http://127.0.0.1:{port}"
    wait_for(base + "/livez")
    return process, base


def workers_of(process: subprocess.Popen, workers: int) -> set[int]:
    """Return granian and its workers (every process under the supervisor) once all are up."""
    deadline = time.monotonic() + 20
    while len(found := descendants(process.pid)) < workers + 1:
        assert time.monotonic() < deadline, f"only {found} under {process.pid}"
        time.sleep(0.1)
    return found


@pytest.fixture
def stop_all():
    """Kill whatever a test leaves, so a failing test cannot leave servers behind."""
    started: list[subprocess.Popen] = []
    yield started.append
    for process in started:
        left = descendants(process.pid)
        if process.poll() is None:
            process.kill()
            process.wait()
        for pid in living(left):
            os.kill(pid, signal.SIGKILL)


def test_counters_add_up_across_two_workers(tmp_path, stop_all):
    """The runtime sets up multi-process metrics: one scrape counts every worker's requests."""
    process, base = start(tmp_path, "--workers", "2")
    stop_all(process)
    metrics = next((tmp_path / "run").glob("satchel-serve-*")) / "metrics"
    sent = 0
    with ThreadPoolExecutor(8) as pool:
        while sent < 2000:
            list(pool.map(lambda _: requests.get(base + "/v1/ping"), range(40)))
            sent += 40
            pids = {f.stem.rsplit("_", 1)[1] for f in metrics.glob("histogram_*.db")}
            if len(pids) == 2:
                break
    assert len(pids) == 2, "the load never reached the second worker"
    counts = [
        s.value
        for family in text_string_to_metric_families(
            requests.get(base + "/metrics").text
        )
        for s in family.samples
        if s.name == "http_request_duration_seconds_count"
        and s.labels["route"] == "/v1/ping"
    ]
    assert counts == [float(sent)]


def test_sigterm_drains_then_leaves_nothing(tmp_path, stop_all):
    """SIGTERM: /readyz 503 at once while requests are still served, then every process exits."""
    process, base = start(tmp_path, "--workers", "2", "--drain-seconds", "3")
    stop_all(process)
    tree = workers_of(process, 2)  # granian and its two workers
    assert requests.get(base + "/readyz").status_code == 200
    process.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    draining = requests.get(base + "/readyz")
    assert (draining.status_code, draining.json()["output"]) == (
        503,
        "draining: the server is shutting down",
    )
    assert requests.get(base + "/v1/ping").status_code == 200
    assert process.wait(timeout=30) == 0
    assert wait_until_gone(tree, 5) == set()
    assert list((tmp_path / "run").iterdir()) == []


def test_killed_supervisor_leaves_no_worker(tmp_path, stop_all):
    """Even SIGKILL to the supervisor stops granian and its workers (parent-death signal)."""
    process, base = start(tmp_path, "--workers", "2", "--drain-seconds", "0")
    stop_all(process)
    tree = workers_of(process, 2)
    process.kill()
    process.wait()
    assert wait_until_gone(tree, 30) == set()
    with pytest.raises(requests.ConnectionError):
        requests.get(base + "/livez", timeout=2)


def test_killed_granian_leaves_no_orphan(tmp_path, stop_all):
    """When granian itself dies, the supervisor stops its orphaned workers and says so."""
    process, _ = start(tmp_path, "--workers", "2")
    stop_all(process)
    tree = workers_of(process, 2)
    granian = min(tree)
    os.kill(granian, signal.SIGKILL)
    assert process.wait(timeout=30) != 0
    assert wait_until_gone(tree, 5) == set()
    assert "granian exited with -9" in (tmp_path / "serve.log").read_text()


def test_left_overs_of_a_killed_run_are_removed(tmp_path, stop_all):
    """A runtime directory whose supervisor is dead is cleaned at the next start."""
    stale = tmp_path / "run" / "satchel-serve-999999999-abc"
    (stale / "metrics").mkdir(parents=True)
    (stale / "metrics" / "counter_1.db").write_bytes(b"old")
    process, _ = start(tmp_path, "--workers", "1")
    stop_all(process)
    assert not stale.exists()


@pytest.mark.parametrize(
    "args, env, message",
    [
        (["serve"], {}, "'serve' is not module:attribute (e.g. students.wsgi:app)"),
        (
            ["--workers", "0", "serve:app"],
            {},
            "workers (0) and threads (1) must be at least 1",
        ),
        (
            ["serve:app"],
            {"RUNTIME_NOTES_WORKERS": "two"},
            "RUNTIME_NOTES_WORKERS",
        ),
        (
            ["--settings", "no_such_settings", "serve:app"],
            {},
            "cannot import the settings module 'no_such_settings'",
        ),
    ],
    ids=["no-attribute", "no-workers", "bad-setting", "no-settings-module"],
)
def test_bad_input_is_refused_with_one_line(args, env, message):
    """Usage and set-up mistakes exit 2 with a line saying what to fix, no traceback."""
    command = [str(SERVE)]
    if "--settings" not in args:
        command += ["--settings", "runtime_notes.settings"]
    done = subprocess.run(
        command + args,
        cwd=RESOURCES,
        env={**os.environ, "PYTHONPATH": str(RESOURCES), **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr
