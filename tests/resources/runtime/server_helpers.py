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


def descendants(pid: int) -> set[int]:
    """Return the ids of every living process below ``pid`` (read from /proc, Linux)."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        fields = stat.rsplit(")", 1)[1].split()
        if fields[0] != "Z":  # a zombie has left; only its parent's wait is missing
            children.setdefault(int(fields[1]), []).append(int(entry.name))
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def living(pids: set[int]) -> set[int]:
    """Return those of ``pids`` that still run (zombies count as gone)."""
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z":
            alive.add(pid)
    return alive


def wait_until_gone(pids: set[int], timeout: float) -> set[int]:
    """Wait up to ``timeout`` for ``pids`` to exit; return those still running."""
    deadline = time.monotonic() + timeout
    while living(pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return living(pids)
