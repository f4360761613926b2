"""Start the spec-driven mock of students (``satchel-mock serve``) for the test session.

attendance's suite runs offline: every call to students is answered by the mock from the
vendored spec and overlay in mocks/students/, exactly as ``satchel-mock up`` serves it locally.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "mocks" / "students" / "openapi.yaml"
OVERLAY = ROOT / "mocks" / "students" / "overlay.yaml"


def free_port() -> int:
    """Return a TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def mocked_students(startup_seconds: float = 30):
    """Serve the students mock on a free port; yield its base URL; stop it afterwards."""
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "satchel-mock"),
        "serve",
        str(SPEC),
        "--port",
        str(port),
        "--overlay",
        str(OVERLAY),
        "--quiet",
        "--no-reload",
    ]
    process = subprocess.Popen(
        command,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + startup_seconds
        while True:
            if process.poll() is not None:
                raise RuntimeError(
                    f"satchel-mock exited: {process.stderr.read().decode()}"
                )
            try:
                requests.get(f"{url}/__satchel/health", timeout=1)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
        process.stderr.close()
