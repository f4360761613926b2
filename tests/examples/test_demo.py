"""`make demo` tells its story end to end and leaves nothing running."""

from __future__ import annotations

import re
import socket
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

DEMO = Path(__file__).resolve().parents[2] / "examples" / "demo.py"
URL = re.compile(r"http://127\.0\.0\.1:(\d+)")


@pytest.fixture(scope="module")
def story() -> str:
    """Run the demo once, as `make demo` does, and return what it printed."""
    done = subprocess.run(
        [sys.executable, str(DEMO)], capture_output=True, text=True, timeout=180
    )
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-4000:]
    return done.stdout


@pytest.mark.parametrize(
    "line",
    [
        "== 1. Stamp a new service from the template",
        "40 files, a git repository with one commit and a .cruft.json, among them:",
        "tenants school-a, school-b provisioned: one SQLite database each",
        "  Ada Lovelace   present",
        "school-b sees 0 register(s) for class 1",
        "school-a sees registers [1], taken by ['teacher-school-a']",
        "school-b sees registers [1], taken by ['teacher-school-b']",
        "GET /v1/classes/1/pupils: real and mock answers have the same shape: True",
        "attendance took register 2 against the real students: Ada Lovelace, Alan Turing",
    ],
    ids=[
        "stamps",
        "stamped-files",
        "two-tenants",
        "register-via-api",
        "other-tenant-empty",
        "school-a-own",
        "school-b-own",
        "same-shapes",
        "real-students",
    ],
)
def test_story_line(story, line):
    """Each step of the story is told."""
    assert line in story.splitlines()


def test_prints_where_to_point_a_browser(story):
    """The register page's tenant URL is printed with a sign-in token."""
    assert re.search(
        r"http://school-a\.attendance\.localhost:\d+/classes/1/register", story
    )
    assert re.search(r"  token: [\w-]+\.[\w-]+\.[\w-]+", story)


def test_leaves_nothing_running(story):
    """Every port the demo served on is closed once it has exited."""
    ports = {int(port) for port in URL.findall(story)}
    assert len(ports) >= 3
    for port in ports:
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still open"


def test_sigterm_while_kept_running_stops_everything(tmp_path):
    """`--keep-running` stopped with SIGTERM (not Ctrl-C) stops its mock and service too."""
    log = tmp_path / "demo.log"
    with open(log, "w") as out:
        demo = subprocess.Popen(
            [sys.executable, "-u", str(DEMO), "--keep-running"],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    try:
        deadline = time.monotonic() + 150
        while "Running until Ctrl-C" not in log.read_text():
            assert demo.poll() is None, log.read_text()[-3000:]
            assert time.monotonic() < deadline, "the demo never reached step 5"
            time.sleep(0.2)
        ports = {int(port) for port in URL.findall(log.read_text())}
        assert len(ports) >= 2
        demo.send_signal(signal.SIGTERM)
        assert demo.wait(timeout=30) == 128 + signal.SIGTERM
    finally:
        if demo.poll() is None:
            demo.kill()
    for port in ports:
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, f"port {port} still open"
