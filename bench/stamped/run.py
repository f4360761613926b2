"""Benchmark a whole stamped service against the same work hand-written in Flask (issue 18).

Usage: ``.venv/bin/python bench/stamped/run.py [--duration 10] [--rounds 3] [--scaling]``

Stamps the template with its default answers, provisions two PostgreSQL tenants as an owner
login and serves them as production does (``satchel-serve``, ``ENV=production``, the runtime
role, strong secrets, JSON access log to a file, multi-process metrics, flags from a file,
audited writes). The baseline (``hand_app.py``) does the same tenant lookup from the Host,
the same ORM read or insert and returns the same JSON, under granian. One worker each, with
the stamp's threads per worker (``--threads``, default 1 as the template sets), ``wrk -t2``,
requests alternating between the two tenants with tenant-bound tokens:

- read: ``GET /v1/notes/42``, stamped vs hand-written;
- write: ``POST /v1/notes``, stamped (stamped with the actor, audited) vs the hand-written
  insert into a table without the audit trigger, and vs the hand-written insert into the
  audited table (so the trigger's own cost is visible apart from the platform's);
- ``--scaling``: the stamped read with 2 workers as well, for its speed-up over 1.

Rounds are interleaved (every server and scenario once per round) and the median of each is
reported with ratios and the load average, since other work on the machine skews them.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from deployment import TENANTS, Deployment, deployed, served_command  # noqa: E402

_spec = importlib.util.spec_from_file_location(
    "service_bench", HERE.parent / "service" / "run.py"
)
service_bench = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(service_bench)
free_port, wrk = service_bench.free_port, service_bench.wrk

NOTE_ID = 42
SCRIPT = HERE / "requests.lua"


@contextmanager
def serving(
    command: list[str], env: dict[str, str], url: str, log: Path, cwd: Path
) -> Iterator[None]:
    """Run a server (its output to ``log``) until ``url`` answers; stop its group after."""
    with open(log, "wb") as output:
        process = subprocess.Popen(
            command,
            cwd=cwd,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    requests.get(
                        url, timeout=2, headers={"Host": "school-a.notebook.localhost"}
                    )
                    break
                except requests.ConnectionError:
                    if process.poll() is not None or time.monotonic() > deadline:
                        raise RuntimeError(
                            f"{command} did not start:\n{log.read_text()[-3000:]}"
                        ) from None
                    time.sleep(0.2)
            yield
        finally:
            os.killpg(process.pid, 15)
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, 9)
                process.wait()


def measure(
    base: str, method: str, path: str, deployment: Deployment, args
) -> dict[str, float]:
    """Run wrk against ``base + path`` with requests alternating between the tenants."""
    os.environ.update(
        BENCH_METHOD=method,
        BENCH_PATH=path,
        BENCH_HOST_A=deployment.host(TENANTS[0]),
        BENCH_TOKEN_A=deployment.token(TENANTS[0]),
        BENCH_HOST_B=deployment.host(TENANTS[1]),
        BENCH_TOKEN_B=deployment.token(TENANTS[1]),
    )
    return wrk(base + path, {}, args.duration, args.connections, script=SCRIPT)


def main(argv: list[str] | None = None) -> int:
    """Provision, start the servers, measure in interleaved rounds, print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds per measurement"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument(
        "--scaling", action="store_true", help="also serve the stamp with 2 workers"
    )
    parser.add_argument(
        "--only", choices=("read", "write"), help="measure one scenario only"
    )
    parser.add_argument(
        "--threads",
        type=int,
        default=1,
        help="threads per worker for both servers (default: the template's setting, 1)",
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    load_before = os.getloadavg()
    read_path, write_path = f"/v1/notes/{NOTE_ID}", "/v1/notes"
    with deployed() as deployment, ExitStack() as running:
        logs = Path(running.enter_context(tempfile.TemporaryDirectory()))
        bases: dict[str, str] = {}
        workers = {"stamped": 1, **({"stamped x2": 2} if args.scaling else {})}
        for label, count in workers.items():
            port = free_port()
            bases[label] = f"http://127.0.0.1:{port}"
            running.enter_context(
                serving(
                    served_command(count, port),
                    deployment.env(THREADS=str(args.threads)),
                    f"{bases[label]}/livez",
                    logs / f"{label}.log",
                    deployment.root,
                )
            )
        port = free_port()
        bases["hand-written"] = f"http://127.0.0.1:{port}"
        granian = [sys.executable, "-m", "granian", "--interface", "wsgi"]
        granian += ["--workers", "1", "--host", "127.0.0.1", "--port", str(port)]
        # The same process model as the stamp: granian's default would be 512 threads.
        granian += ["--blocking-threads", str(args.threads)]
        running.enter_context(
            serving(
                [*granian, "--no-log", "hand_app:app"],
                {
                    **deployment.env(),
                    "PYTHONPATH": f"{deployment.root}{os.pathsep}{HERE}",
                },
                f"{bases['hand-written']}{read_path}",
                logs / "hand.log",
                HERE,
            )
        )
        cases = {}
        if args.only != "write":
            cases["read: stamped"] = ("stamped", "GET", read_path)
            cases["read: hand-written"] = ("hand-written", "GET", read_path)
            if args.scaling:
                cases["read: stamped x2"] = ("stamped x2", "GET", read_path)
        if args.only != "read":
            cases["write: stamped (audited)"] = ("stamped", "POST", write_path)
            cases["write: hand, no audit"] = (
                "hand-written",
                "POST",
                "/v1/unaudited-notes",
            )
            cases["write: hand, trigger"] = ("hand-written", "POST", write_path)
        samples: dict[str, list[dict[str, float]]] = {label: [] for label in cases}
        for _ in range(args.rounds):
            for label, (server, method, path) in cases.items():
                samples[label].append(
                    measure(bases[server], method, path, deployment, args)
                )
        access_lines = sum(1 for _ in open(logs / "stamped.log", "rb"))
    report(samples, args, load_before, access_lines)
    return 0


def report(samples, args, load_before, access_lines: int) -> None:
    """Print medians, ratios and the load average."""
    results = {
        label: {key: statistics.median(s[key] for s in runs) for key in runs[0]}
        for label, runs in samples.items()
    }
    print(
        f"One worker each (unless x2), {args.threads} thread(s) per worker,"
        f" wrk -t2 -c{args.connections} -d{args.duration}s,"
        f" two tenants alternating, median of {args.rounds} interleaved rounds"
    )
    print(f"{'case':<28}{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}")
    for label, result in results.items():
        print(
            f"{label:<28}{result['rps']:>9.0f}{result['p50']:>9.2f}{result['p99']:>9.2f}"
        )

    def ratio(a: str, b: str, goal: str = "") -> None:
        if a in results and b in results:
            rps = results[a]["rps"] / results[b]["rps"]
            p99 = results[a]["p99"] / results[b]["p99"]
            print(f"{a} / {b}: {rps:.2f}x req/s, p99 {p99:.2f}x {goal}")

    ratio("read: stamped", "read: hand-written", "(goal >= 0.85x, p99 <= 1.2x)")
    ratio("write: stamped (audited)", "write: hand, no audit", "(goal >= 0.80x)")
    ratio("write: hand, trigger", "write: hand, no audit", "(the trigger's own cost)")
    ratio("write: stamped (audited)", "write: hand, trigger", "(the platform's cost)")
    ratio("read: stamped x2", "read: stamped", "(2 workers over 1)")
    before = ", ".join(f"{value:.1f}" for value in load_before)
    after = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"Load average (1/5/15 min) before: {before}; after: {after};"
        f" {os.cpu_count()} CPUs shared with wrk and PostgreSQL"
    )
    print(f"The stamped service wrote {access_lines} access log lines to its log file.")


if __name__ == "__main__":
    sys.exit(main())
