"""``satchel-serve``: run a service under granian as a supervisor that drains and leaves nothing.

The production entry point (the image's ``CMD``): ``satchel-serve students.wsgi:app``. It
starts granian with the service's workers and threads (from its settings), and owns what no
single worker can:

- **Metrics across workers.** A fresh ``PROMETHEUS_MULTIPROC_DIR`` per run, so ``/metrics``
  sums every worker's samples; removed on exit, and left-overs of a killed run are removed
  at the next start.
- **Drain, then stop.** On SIGTERM (or SIGINT) every worker's ``/readyz`` turns 503 at once
  (through a marker file), the server keeps serving for ``drain_seconds`` while the load
  balancer takes it out, then granian stops its workers gracefully, each given
  ``shutdown_timeout`` seconds for requests in flight before it is killed. A second signal
  skips the rest of the drain.
- **Nothing left running.** granian runs in a process group of its own, which is emptied
  when it exits (a worker that missed its stop signal included); granian is told to stop
  if this supervisor dies (Linux parent-death signal); the supervisor reaps orphans, so it
  can be a container's PID 1.
"""

from __future__ import annotations

import argparse
import importlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from satchel import _processes as linux
from satchel.config import ConfigError, load_config

__all__ = ["DRAIN_FILE_ENV", "Plan", "ServeError", "main", "plan_from"]

#: Set for the workers: the file whose existence means "draining" to ``/readyz``.
DRAIN_FILE_ENV = "SATCHEL_DRAIN_FILE"
RUNTIME_PREFIX = "satchel-serve-"
DEFAULTS = {"workers": 2, "threads": 1, "drain_seconds": 5.0, "shutdown_timeout": 20.0}


class ServeError(Exception):
    """The server cannot be started as asked; the message says what to fix."""


@dataclass(frozen=True)
class Plan:
    """What to run: the app, where it listens, and its process model."""

    target: str
    host: str
    port: int
    workers: int
    threads: int
    drain_seconds: float
    shutdown_timeout: float

    def command(self) -> list[str]:
        """Return the granian command line that serves this plan."""
        return [
            sys.executable,
            "-m",
            "granian",
            "--interface",
            "wsgi",
            "--host",
            self.host,
            "--port",
            str(self.port),
            "--workers",
            str(self.workers),
            "--blocking-threads",
            str(self.threads),
            # A worker that missed its stop signal is killed instead of holding the exit.
            "--workers-kill-timeout",
            str(max(1, round(self.shutdown_timeout))),
            self.target,
        ]


def settings_values(target: str, module_name: str | None) -> dict[str, object]:
    """Read workers, threads and drain times from the service's settings, where it has them.

    The settings module defaults to ``<package>.settings`` beside the WSGI module; it must
    define ``Settings`` and ``ENV_PREFIX`` (a generated service does).
    """
    module_name = module_name or target.split(":")[0].rsplit(".", 1)[0] + ".settings"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        raise ServeError(
            f"cannot import the settings module {module_name!r} ({error}); run from the "
            "service's checkout, or name it with --settings."
        ) from None
    if not hasattr(module, "Settings") or not hasattr(module, "ENV_PREFIX"):
        raise ServeError(
            f"{module_name} defines no Settings dataclass and ENV_PREFIX; "
            "point --settings at the service's settings module."
        )
    settings = load_config(module.Settings, prefix=module.ENV_PREFIX)
    return {key: getattr(settings, key) for key in DEFAULTS if hasattr(settings, key)}


def plan_from(options: argparse.Namespace) -> Plan:
    """Merge defaults, the service's settings and the command line into a plan."""
    values = dict(DEFAULTS)
    if not options.no_settings:
        values.update(settings_values(options.target, options.settings))
    for key in DEFAULTS:
        given = getattr(options, key)
        if given is not None:
            values[key] = given
    if int(values["workers"]) < 1 or int(values["threads"]) < 1:
        raise ServeError(
            f"workers ({values['workers']}) and threads ({values['threads']}) must be at "
            "least 1; fix the settings or the command line."
        )
    if float(values["drain_seconds"]) < 0 or float(values["shutdown_timeout"]) <= 0:
        raise ServeError(
            "drain_seconds must be 0 or more and shutdown_timeout more than 0."
        )
    return Plan(
        target=options.target,
        host=options.host,
        port=options.port,
        workers=int(values["workers"]),
        threads=int(values["threads"]),
        drain_seconds=float(values["drain_seconds"]),
        shutdown_timeout=float(values["shutdown_timeout"]),
    )


def runtime_dir(base: Path) -> Path:
    """Make this run's private directory under ``base``; remove those of dead runs."""
    base.mkdir(parents=True, exist_ok=True)
    for old in base.glob(f"{RUNTIME_PREFIX}*"):
        pid = old.name.removeprefix(RUNTIME_PREFIX).split("-", 1)[0]
        if pid.isdigit() and not linux.alive(int(pid)):
            shutil.rmtree(old, ignore_errors=True)
    made = Path(tempfile.mkdtemp(prefix=f"{RUNTIME_PREFIX}{os.getpid()}-", dir=base))
    (made / "metrics").mkdir()
    return made


class Supervisor:
    """Run granian for a plan until it exits or is told to stop; then clean up everything."""

    def __init__(self, plan: Plan, workdir: Path):
        self.plan = plan
        self.workdir = workdir
        self.drain_file = workdir / "draining"
        self.stop_requested_at: float | None = None
        self.signals = 0
        self.forwarded = False
        self.process: subprocess.Popen | None = None

    def on_signal(self, _signum: int, _frame: object) -> None:
        """Start draining on the first signal; stop at once on the second."""
        self.signals += 1
        if self.stop_requested_at is None:
            self.drain_file.touch()
            self.stop_requested_at = time.monotonic()

    def run(self) -> int:
        """Serve until stopped; return granian's exit status (0 after a requested stop)."""
        env = dict(os.environ)
        env["PROMETHEUS_MULTIPROC_DIR"] = str(self.workdir / "metrics")
        env[DRAIN_FILE_ENV] = str(self.drain_file)
        for sig in (signal.SIGTERM, signal.SIGINT):
            signal.signal(sig, self.on_signal)
        linux.become_subreaper()
        self.process = subprocess.Popen(
            self.plan.command(),
            env=env,
            start_new_session=True,  # its own group: emptied whatever its workers do
            preexec_fn=linux.die_with_parent,
        )
        try:
            return self._supervise()
        finally:
            self._empty_group()

    def _supervise(self) -> int:
        assert self.process is not None
        while True:
            linux.reap_orphans(keep=self.process.pid)
            try:
                code = self.process.wait(timeout=0.1)
            except subprocess.TimeoutExpired:
                self._maybe_forward()
                continue
            if self.stop_requested_at is not None:
                return 0 if code in (0, -signal.SIGTERM) else code
            print(f"satchel-serve: granian exited with {code}", file=sys.stderr)
            return code or 1

    def _maybe_forward(self) -> None:
        """Tell granian to stop once the drain is over (at once on a second signal)."""
        if self.stop_requested_at is None:
            return
        elapsed = time.monotonic() - self.stop_requested_at
        if not self.forwarded and (
            elapsed >= self.plan.drain_seconds or self.signals > 1
        ):
            self.forwarded = True
            self.process.send_signal(signal.SIGTERM)
        if elapsed > self.plan.drain_seconds + self.plan.shutdown_timeout + 5:
            linux.kill_group(self.process.pid, signal.SIGKILL)

    def _empty_group(self) -> None:
        """Stop whatever is left in granian's process group, then remove the run's files."""
        assert self.process is not None
        pgid = self.process.pid
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        linux.kill_group(pgid, signal.SIGTERM)
        deadline = time.monotonic() + self.plan.shutdown_timeout
        while linux.group_alive(pgid) and time.monotonic() < deadline:
            linux.reap_orphans(keep=None)
            time.sleep(0.05)
        linux.kill_group(pgid, signal.SIGKILL)
        linux.reap_orphans(keep=None)
        shutil.rmtree(self.workdir, ignore_errors=True)


def parser() -> argparse.ArgumentParser:
    """Return the command line parser."""
    p = argparse.ArgumentParser(
        prog="satchel-serve", description=__doc__.splitlines()[0]
    )
    p.add_argument("target", help="the WSGI app, module:attribute (students.wsgi:app)")
    p.add_argument("--host", default="0.0.0.0")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, help="worker processes (settings: workers)")
    p.add_argument("--threads", type=int, help="threads per worker (settings: threads)")
    p.add_argument("--drain-seconds", dest="drain_seconds", type=float)
    p.add_argument("--shutdown-timeout", dest="shutdown_timeout", type=float)
    p.add_argument("--settings", help="settings module (default: <package>.settings)")
    p.add_argument(
        "--no-settings", action="store_true", help="use defaults and the command line"
    )
    p.add_argument(
        "--runtime-dir",
        type=Path,
        default=Path(tempfile.gettempdir()),
        help="where the run's private files go (default: the temp directory)",
    )
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Serve; exit 0 after a requested stop, 2 on a usage or set-up error."""
    options = parser().parse_args(argv)
    if ":" not in options.target:
        print(
            f"satchel-serve: {options.target!r} is not module:attribute "
            "(e.g. students.wsgi:app)",
            file=sys.stderr,
        )
        return 2
    sys.path.insert(0, os.getcwd())
    try:
        plan = plan_from(options)
    except (ServeError, ConfigError) as error:
        print(f"satchel-serve: cannot start: {error}", file=sys.stderr)
        return 2
    return Supervisor(plan, runtime_dir(options.runtime_dir)).run()


if __name__ == "__main__":
    sys.exit(main())
