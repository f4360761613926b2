"""A private Docker engine for the image tests and benchmarks: Debian's docker.io, own socket.

``dockerd --iptables=false --bridge=none`` on a socket, data root and exec root of its own
under a temporary directory, so it neither needs nor touches the machine's networking or any
other engine; containers use the host's network. :func:`engine_or_skip` says why when no
engine can run here (and fails instead of skipping in CI, where it must run).
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

#: The CLI that comes with Debian's engine: it builds with BuildKit without the buildx plugin.
CLI_CANDIDATES = ("/usr/bin/docker",)
INSTALL_HINT = (
    "install Debian's engine: apt-get install docker.io (bash .ci/docker-packages)"
)


class EngineError(RuntimeError):
    """The engine cannot be started here; the message says why."""


class Engine:
    """A running private dockerd and the CLI that talks to it."""

    def __init__(self, cli: str, socket: Path, root: Path):
        self.cli = cli
        self.socket = socket
        self.root = root

    def env(self) -> dict[str, str]:
        """Return the environment that points the CLI at this engine, with BuildKit on."""
        return dict(
            os.environ, DOCKER_HOST=f"unix://{self.socket}", DOCKER_BUILDKIT="1"
        )

    def run(
        self, *args: str, check: bool = True, timeout: float = 900, **kwargs
    ) -> subprocess.CompletedProcess:
        """Run ``docker ARGS`` against this engine; raise with its output when it fails."""
        done = subprocess.run(
            [self.cli, *args],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            **kwargs,
        )
        if check and done.returncode != 0:
            raise EngineError(
                f"docker {' '.join(args[:3])} ... exited {done.returncode}:\n"
                f"{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
            )
        return done


def _cli() -> str:
    for candidate in CLI_CANDIDATES:
        if os.access(candidate, os.X_OK):
            return candidate
    raise EngineError(
        f"no docker CLI from Debian's docker.io at /usr/bin/docker; {INSTALL_HINT}"
    )


@contextmanager
def private_engine(timeout: float = 60) -> Iterator[Engine]:
    """Start dockerd on a private socket; stop it and remove its files on the way out."""
    dockerd = shutil.which("dockerd") or "/usr/sbin/dockerd"
    if not os.access(dockerd, os.X_OK):
        raise EngineError(f"dockerd is not installed; {INSTALL_HINT}")
    if os.geteuid() != 0:
        raise EngineError("dockerd needs root on this machine (no rootless set-up)")
    cli = _cli()
    root = Path(tempfile.mkdtemp(prefix="sd-", dir="/tmp"))  # short: socket paths
    socket = root / "docker.sock"
    log = open(root / "dockerd.log", "w")
    command = [dockerd, "--iptables=false", "--bridge=none", "--ip-masq=false"]
    command += ["--host", f"unix://{socket}", "--data-root", str(root / "data")]
    command += ["--exec-root", str(root / "x"), "--pidfile", str(root / "docker.pid")]
    process = subprocess.Popen(
        command, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
    )
    engine = Engine(cli, socket, root)
    try:
        _wait_until_up(engine, process, timeout)
        yield engine
    finally:
        _stop(process)
        log.close()
        shutil.rmtree(root, ignore_errors=True)


def _wait_until_up(engine: Engine, process: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while True:
        if process.poll() is not None:
            said = (engine.root / "dockerd.log").read_text()[-2000:]
            raise EngineError(f"dockerd exited with {process.returncode}:\n{said}")
        if engine.run("info", check=False, timeout=30).returncode == 0:
            return
        if time.monotonic() > deadline:
            raise EngineError(f"dockerd did not answer within {timeout:.0f}s")
        time.sleep(0.5)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def engine_or_skip(error: EngineError) -> None:
    """Skip with the reason on a machine that cannot run an engine; fail in CI."""
    if os.environ.get("CI"):
        pytest.fail(f"CI must run the image tests, but: {error}")
    pytest.skip(f"no Docker engine here: {error}")
