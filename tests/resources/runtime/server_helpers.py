"""Helpers for the tests that start real server processes."""

from __future__ import annotations

import socket
import time
from pathlib import Path

import requests

RESOURCES = Path(__file__).parent


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(url: str, timeout: float = 20.0) -> requests.Response:
    """Poll ``url`` until the server answers (any status), or raise after ``timeout``."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return requests.get(url, timeout=2)
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.05)
