"""Helpers for the record/replay tests: the real students service, a service folder, a recorder.

The neighbour recorded is the real ``examples/students`` service, run as a process on its
embedded default (one SQLite file per tenant) with two schools, as ``examples/running.py``
runs it. The service recording it is a copy of ``examples/attendance``'s mock set-up.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import requests

from examples.running import free_port, provision, service, service_env
from tests.examples.conftest import auth_headers

ROOT = Path(__file__).resolve().parents[2]
ATTENDANCE = ROOT / "examples" / "attendance"
#: What each school's class 1 holds in the real service (ids 1 and 2, as attendance expects).
SCHOOLS = {
    "school-a": ("4B", 4, [("Ada", "Lovelace"), ("Alan", "Turing")]),
    "school-b": ("7R", 7, [("Edsger", "Dijkstra"), ("Grace", "Hopper")]),
}


def headers_for(school: str, **extra: str) -> dict[str, str]:
    """Return the headers attendance sends students for ``school``: its Host and a token."""
    return {
        "Host": f"{school}.students.localhost",
        **auth_headers("students", school),
        **extra,
    }


@contextmanager
def real_students(instance: Path) -> Iterator[str]:
    """Run the real students with two schools, each with a class 1 of two pupils."""
    env = service_env("students", instance)
    provision("students", env, tuple(SCHOOLS))
    with service("students", env, free_port()) as url:
        for school, (name, year, pupils) in SCHOOLS.items():
            made = requests.post(
                f"{url}/v1/classes",
                json={"name": name, "year_group": year},
                headers=headers_for(school),
                timeout=10,
            )
            assert made.status_code == 201, made.text
            for given, family in pupils:
                added = requests.post(
                    f"{url}/v1/classes/{made.json()['id']}/pupils",
                    json={"given_name": given, "family_name": family},
                    headers=headers_for(school),
                    timeout=10,
                )
                assert added.status_code == 201, added.text
        yield url


def service_folder(folder: Path, record_block: str) -> tuple[Path, int]:
    """Copy attendance's mocks (config, spec, overlay) into ``folder`` on a free port.

    ``record_block`` is the neighbour's ``record:`` YAML, indented under the entry.
    """
    shutil.copytree(ATTENDANCE / "mocks", folder / "mocks")
    port = free_port()
    text = (ATTENDANCE / "mocks.yaml").read_text(encoding="utf-8")
    text = re.sub(r"port: 8101\n", f"port: {port}\n", text) + record_block
    (folder / "mocks.yaml").write_text(text, encoding="utf-8")
    return folder, port


class Recorder:
    """A running ``satchel-mock record``; :meth:`stop` returns its output lines."""

    def __init__(self, process: subprocess.Popen, port: int) -> None:
        self.process = process
        self.port = port
        self.output = ""

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> list[str]:
        """Stop it as Ctrl-C would; return every line it printed."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
        self.output, _ = self.process.communicate(timeout=20)
        return self.output.splitlines()


@contextmanager
def recording(folder: Path, target: str, port: int) -> Iterator[Recorder]:
    """Run ``satchel-mock record students --target TARGET`` in ``folder`` until the block ends."""
    process = subprocess.Popen(
        [sys.executable, "-m", "mockserver.cli.main", "record", "students"]
        + ["--target", target],
        cwd=folder,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=dict(os.environ, PYTHONUNBUFFERED="1"),
    )
    recorder = Recorder(process, port)
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"record did not start: {recorder.stop()}")
                time.sleep(0.05)
        yield recorder
    finally:
        if process.poll() is None:
            recorder.stop()


def raw_http(port: int, request: bytes) -> bytes:
    """Send raw bytes to ``port`` and return everything it answers until it closes."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        sock.sendall(request)
        chunks = []
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            chunks.append(chunk)
    return b"".join(chunks)


@contextmanager
def capture_server() -> Iterator[tuple[int, list[bytes]]]:
    """Listen on a free port and keep whatever arrives (to prove nothing does)."""
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    received: list[bytes] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(2)
                try:
                    received.append(conn.recv(65536))
                    conn.sendall(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi")
                except OSError:
                    pass

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield listener.getsockname()[1], received
    finally:
        stop.set()
        thread.join(timeout=5)
        listener.close()
