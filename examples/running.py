"""Start the example services and their mocks as real processes, and always stop them.

Shared by ``demo.py`` and the kit's tests in ``tests/examples/``: each process runs in its own
process group, so stopping it stops its workers too, and a ``with`` block guarantees that
nothing is left running whatever happens inside it.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import requests

EXAMPLES = Path(__file__).resolve().parent
BIN = Path(sys.executable).parent
TENANT_DOMAINS = {
    "students": "students.localhost",
    "attendance": "attendance.localhost",
}


class StartError(RuntimeError):
    """A process exited or never answered while starting; the message carries its output."""


def free_port() -> int:
    """Return a TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def service_env(
    service: str, instance: Path, root: Path | None = None, **settings: str
) -> dict[str, str]:
    """Return the environment that runs ``service`` on embedded defaults under ``instance``.

    ``root`` is the service's checkout (default: the example of that name).
    """
    prefix = service.upper()
    env = dict(os.environ)
    env.update(
        {
            "PYTHONPATH": str(root or EXAMPLES / service),
            f"{prefix}_TENANT_REGISTRY": f"file://{instance}/tenants.yaml",
            f"{prefix}_TENANT_DATABASE_URL": f"sqlite:///{instance}/{{tenant}}.sqlite3",
            f"{prefix}_FLAGS_STORE": f"file://{instance}/flags.yaml",
        }
    )
    env.update({f"{prefix}_{name.upper()}": value for name, value in settings.items()})
    return env


def provision(
    service: str,
    env: Mapping[str, str],
    tenants: tuple[str, ...],
    root: Path | None = None,
) -> None:
    """Create each tenant's database through ``flask tenants create`` (migrations included)."""
    for tenant in tenants:
        command = [sys.executable, "-m", "flask", "--app", f"{service}.app"]
        done = subprocess.run(
            command + ["tenants", "create", tenant],
            cwd=root or EXAMPLES / service,
            env=dict(env),
            capture_output=True,
            text=True,
            timeout=120,
        )
        if done.returncode != 0:
            raise StartError(
                f"`flask tenants create {tenant}` failed:\n{done.stderr[-2000:]}"
            )


@contextmanager
def started(
    command: list[str],
    *,
    cwd: Path,
    env: Mapping[str, str],
    ready_url: str,
    timeout: float = 30,
) -> Iterator[subprocess.Popen]:
    """Run ``command`` until the block ends; wait until ``ready_url`` answers first."""
    # A file, not a pipe: a chatty process can never block on a full pipe nobody reads.
    with tempfile.TemporaryFile() as output:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=dict(env),
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            _wait_until_ready(process, output, ready_url, timeout)
            yield process
        finally:
            stop(process)


def stop(process: subprocess.Popen) -> None:
    """Stop the process and its whole group: SIGTERM, then SIGKILL after five seconds."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=5)


@contextmanager
def service(
    name: str, env: Mapping[str, str], port: int, root: Path | None = None
) -> Iterator[str]:
    """Serve a service with granian (its production server); yield its base URL."""
    command = [str(BIN / "granian"), "--interface", "wsgi", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--workers", "1", f"{name}.wsgi:app"]
    url = f"http://127.0.0.1:{port}"
    cwd = root or EXAMPLES / name
    with started(command, cwd=cwd, env=env, ready_url=f"{url}/livez"):
        yield url


@contextmanager
def mocked_students(port: int) -> Iterator[str]:
    """Serve the students mock from attendance's vendored spec and overlay; yield its URL."""
    mocks = EXAMPLES / "attendance" / "mocks" / "students"
    command = [str(BIN / "satchel-mock"), "serve", str(mocks / "openapi.yaml")]
    command += ["--port", str(port), "--overlay", str(mocks / "overlay.yaml")]
    command += ["--quiet", "--no-reload"]
    url = f"http://127.0.0.1:{port}"
    with started(
        command, cwd=EXAMPLES, env=os.environ, ready_url=f"{url}/__satchel/health"
    ):
        yield url


def shape(value):
    """Return the structure of a JSON value: keys and types, not the data."""
    if isinstance(value, dict):
        return {key: shape(item) for key, item in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    return type(value).__name__


def _wait_until_ready(
    process: subprocess.Popen, output: IO[bytes], url: str, timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            output.seek(0)
            said = output.read().decode(errors="replace")[-3000:]
            raise StartError(
                f"{process.args[0]} exited with {process.returncode}:\n{said}"
            )
        try:
            requests.get(url, timeout=1)
            return
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise StartError(
                    f"{url} did not answer within {timeout:.0f}s"
                ) from None
            time.sleep(0.1)
