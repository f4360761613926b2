"""Fixtures for the mock server: real servers on free ports, stopped by pid after each test."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

RESOURCES = Path(__file__).resolve().parent.parent / "resources"
MOCK = RESOURCES / "mockserver"
SPECS = RESOURCES / "specs"
PETSTORE = MOCK / "petstore.yaml"
_READY_TIMEOUT = 20.0


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class RunningMock:
    """A ``satchel-mock`` process and the log lines it printed so far."""

    process: subprocess.Popen
    ports: tuple[int, ...]
    log_path: Path
    lines: list[dict] = field(default_factory=list)

    @property
    def url(self) -> str:
        """Return the base URL of the first listener."""
        return f"http://127.0.0.1:{self.ports[0]}"

    def log(self) -> list[dict]:
        """Return every JSON line written so far."""
        text = self.log_path.read_text(encoding="utf-8")
        return [json.loads(line) for line in text.splitlines() if line.startswith("{")]

    def wait_for_log(self, event: str, timeout: float = 15.0) -> dict:
        """Wait until a line with ``event`` appears; return it."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            found = [line for line in self.log() if line.get("event") == event]
            if found:
                return found[-1]
            time.sleep(0.05)
        raise AssertionError(
            f"no {event!r} log line within {timeout}s: {self.log_path.read_text()}"
        )

    def rewrite_until(
        self, path: Path, text: str, event: str, timeout: float = 20.0
    ) -> dict:
        """Write ``text`` to ``path`` (again, if the watcher was not ready) until ``event``."""
        before = len([line for line in self.log() if line.get("event") == event])
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            path.write_text(text)
            wait_until = time.monotonic() + 2.0
            while time.monotonic() < wait_until:
                found = [line for line in self.log() if line.get("event") == event]
                if len(found) > before:
                    return found[-1]
                time.sleep(0.05)
        raise AssertionError(
            f"no {event!r} after writing {path}: {self.log_path.read_text()}"
        )

    def stop(self) -> int:
        """Send SIGTERM to the process we started and return its exit code."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode


def start_mock(
    args: list[str], ports: tuple[int, ...], log_path: Path, cwd: Path
) -> RunningMock:
    """Start ``satchel-mock ARGS`` and wait until every port answers its health endpoint."""
    with open(log_path, "w", encoding="utf-8") as out:
        process = subprocess.Popen(
            [sys.executable, "-m", "mockserver.cli.main", *args],
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            env=dict(os.environ, PYTHONUNBUFFERED="1"),
        )
    mock = RunningMock(process, ports, log_path)
    deadline = time.monotonic() + _READY_TIMEOUT
    pending = list(ports)
    while pending:
        if process.poll() is not None:
            raise AssertionError(f"satchel-mock exited early:\n{log_path.read_text()}")
        if time.monotonic() > deadline:
            mock.stop()
            raise AssertionError(f"satchel-mock not ready:\n{log_path.read_text()}")
        try:
            requests.get(f"http://127.0.0.1:{pending[0]}/__satchel/health", timeout=1)
            pending.pop(0)
        except requests.ConnectionError:
            time.sleep(0.05)
    return mock


@pytest.fixture
def serve_mock(tmp_path: Path) -> Iterator:
    """Return a function that starts ``satchel-mock serve SPEC``; every one is stopped after."""
    started: list[RunningMock] = []

    def start(spec: Path, *extra: str) -> RunningMock:
        port = free_port()
        log_path = tmp_path / f"serve-{port}.log"
        mock = start_mock(
            ["serve", str(spec), "--port", str(port), *extra],
            (port,),
            log_path,
            tmp_path,
        )
        started.append(mock)
        return mock

    yield start
    for mock in started:
        mock.stop()


@pytest.fixture
def up_mock(tmp_path: Path) -> Iterator:
    """Return a function that starts ``satchel-mock up`` in a folder; stopped after the test."""
    started: list[RunningMock] = []

    def start(folder: Path, ports: tuple[int, ...], *extra: str) -> RunningMock:
        log_path = tmp_path / f"up-{ports[0]}.log"
        mock = start_mock(["up", *extra], ports, log_path, folder)
        started.append(mock)
        return mock

    yield start
    for mock in started:
        mock.stop()


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator:
    """Return a function serving a spec (started once per module and spec, reused after)."""
    running: dict[str, RunningMock] = {}
    folder = tmp_path_factory.mktemp("served")

    def start(spec: Path, *extra: str) -> RunningMock:
        key = " ".join([str(spec), *extra])
        if key not in running:
            port = free_port()
            args = ["serve", str(spec), "--port", str(port), "--no-reload", *extra]
            running[key] = start_mock(args, (port,), folder / f"{port}.log", folder)
        return running[key]

    yield start
    for mock in running.values():
        mock.stop()


@pytest.fixture(scope="module")
def petstore_mock(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningMock]:
    """Serve the test petstore with its overlay once for a whole module."""
    folder = tmp_path_factory.mktemp("petstore")
    port = free_port()
    mock = start_mock(
        [
            "serve",
            str(PETSTORE),
            "--port",
            str(port),
            "--overlay",
            str(MOCK / "petstore-overlay.yaml"),
            "--no-reload",
        ],
        (port,),
        folder / "serve.log",
        folder,
    )
    yield mock
    mock.stop()
