"""Drive the stamped service and the hand-written app in this process, without a server.

The apps are the ones ``run.py`` serves, built the same way (production settings, the access
log to a file, multi-process metrics as ``satchel-serve`` sets them up); requests are WSGI
calls with prebuilt environs, so only the apps' own work is timed.
"""

from __future__ import annotations

import importlib
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from werkzeug.test import EnvironBuilder

from deployment import TENANTS, Deployment

HERE = Path(__file__).resolve().parent
NOTE = {"title": "Trip consent forms", "body": "Collect by Friday."}
#: The requests of each scenario: method, path on the stamp, path on the hand-written app.
SCENARIOS = {
    "read": ("GET", "/v1/notes/42", "/v1/notes/42"),
    "write": ("POST", "/v1/notes", "/v1/unaudited-notes"),
}

WsgiApp = Callable[[dict, Callable], Any]


def load_apps(deployment: Deployment, workdir: Path) -> tuple[WsgiApp, WsgiApp]:
    """Return (stamped, hand-written) WSGI apps, configured as ``run.py`` serves them."""
    os.environ.update(deployment.env())
    metrics_dir = workdir / "metrics"
    metrics_dir.mkdir()
    os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_dir)
    for path in (str(deployment.root), str(HERE)):
        if path not in sys.path:
            sys.path.insert(0, path)
    # The service logs to stdout at configuration time: point it at a file, as run.py does.
    saved, sys.stdout = sys.stdout, open(workdir / "access.log", "w", encoding="utf-8")
    try:
        stamped = importlib.import_module("notebook.wsgi").app
    finally:
        sys.stdout = saved
    hand = importlib.import_module("hand_app").app
    return stamped, hand


def environs(deployment: Deployment, method: str, path: str, count: int) -> list[dict]:
    """Return ``count`` fresh WSGI environs alternating between the two tenants."""
    made = []
    for n in range(count):
        tenant = TENANTS[n % 2]
        headers = {
            "Host": deployment.host(tenant),
            "Authorization": f"Bearer {deployment.token(tenant)}",
        }
        builder = EnvironBuilder(
            path=path,
            method=method,
            headers=headers,
            data=json.dumps(NOTE) if method == "POST" else None,
            content_type="application/json" if method == "POST" else None,
        )
        made.append(builder.get_environ())
    return made


def call(app: WsgiApp, environ: dict) -> tuple[str, bytes]:
    """Call ``app`` once; return its status line and body."""
    status: list[str] = []

    def start_response(line: str, headers: list, exc_info: Any = None) -> None:
        status.append(line)

    result = app(environ, start_response)
    try:
        body = b"".join(result)
    finally:
        close = getattr(result, "close", None)
        if close is not None:
            close()
    return status[0], body


def drive(app: WsgiApp, requests: list[dict]) -> tuple[float, float]:
    """Serve every environ; return (wall, CPU) microseconds per request."""
    wall, cpu = time.perf_counter(), time.process_time()
    for environ in requests:
        status, body = call(app, environ)
        if not status.startswith("20"):
            raise RuntimeError(
                f"{environ['PATH_INFO']} answered {status}: {body[:300]!r}"
            )
    count = len(requests)
    return (
        (time.perf_counter() - wall) * 1e6 / count,
        (time.process_time() - cpu) * 1e6 / count,
    )


def same_json(stamped: WsgiApp, hand: WsgiApp, deployment: Deployment) -> None:
    """Refuse to compare apps that do not return the same note."""
    method, ours, theirs = SCENARIOS["read"]
    answers = [
        json.loads(call(app, environs(deployment, method, path, 1)[0])[1])
        for app, path in ((stamped, ours), (hand, theirs))
    ]
    if answers[0] != answers[1]:
        raise RuntimeError(f"the apps answer differently: {answers}")


def new_workdir() -> tempfile.TemporaryDirectory:
    """Return a temporary folder for the access log and the metrics files."""
    return tempfile.TemporaryDirectory(prefix="perf-inprocess-")
