"""Benchmark the satchel-routed service against bare Flask and Connexion 3 (one run, ratios).

Usage: ``.venv/bin/python bench/service/run.py [--duration 10] [--connections 16]``

Creates a throwaway PostgreSQL database with a small ``items`` table, starts three servers on
free ports (one worker each) and measures ``GET /v1/items/<id>`` with wrk:

1. bare Flask + SQLAlchemy Core under granian (WSGI): the baseline;
2. the satchel service (spec routing, validation, JWT identity, JSON logs to /dev/null,
   Prometheus metrics, problem+json) under granian (WSGI);
3. the same spec and handler on Connexion 3's FlaskApp under uvicorn.

The three are measured in turn, ``--rounds`` times, and the median of each is reported, so a
burst of load from elsewhere on the machine hits all three alike. Prints req/s, p50 and p99
latency for each, then (2)/(1) and (2)/(3). Tenancy is not wired in this benchmark (no
sub-domain resolution or per-tenant engine lookup).
"""

from __future__ import annotations

import argparse
import os
import statistics
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

import jwt
import requests
import sqlalchemy as sa

HERE = Path(__file__).parent
ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
ITEM_ID = 42


def free_port() -> int:
    """Return a TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def temporary_database():
    """Create a uniquely named database with 1,000 items; drop it afterwards."""
    name = f"satchel_bench_{uuid.uuid4().hex[:10]}"
    admin = sa.create_engine(ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
    url = ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    try:
        from bench_items.db import items

        engine = sa.create_engine(url)
        items.metadata.create_all(engine)
        with engine.begin() as connection:
            connection.execute(
                items.insert(),
                [
                    {"id": n, "name": f"item {n}", "price_pence": n * 10}
                    for n in range(1, 1001)
                ],
            )
        engine.dispose()
        yield url
    finally:
        with admin.connect() as connection:
            connection.execute(
                sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            )
        admin.dispose()


@contextmanager
def server(command: list[str], port: int, env: dict[str, str]):
    """Run a server subprocess until its probe URL answers; stop it afterwards."""
    process = subprocess.Popen(
        command, cwd=HERE, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"http://127.0.0.1:{port}/v1/items/1", timeout=2)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{command} did not start: {process.stderr.read().decode()[-2000:]}"
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


def wrk(
    url: str,
    headers: dict[str, str],
    duration: int,
    connections: int,
    script: Path | None = None,
) -> dict[str, float]:
    """Warm up, then measure; return req/s and p50/p99 latency in milliseconds.

    ``script`` is a wrk Lua script that builds the requests (methods, bodies, hosts).
    """
    header_args = [arg for k, v in headers.items() for arg in ("-H", f"{k}: {v}")]
    base = ["wrk", "-t2", f"-c{connections}", "--latency", *header_args]
    if script is not None:
        base += ["-s", str(script)]
    subprocess.run([*base, "-d2s", url], check=True, capture_output=True)
    output = subprocess.run(
        [*base, f"-d{duration}s", url], check=True, capture_output=True, text=True
    ).stdout
    if "Non-2xx" in output:
        raise RuntimeError(f"{url} answered errors under load:\n{output}")
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _latency_ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
        "p99": _latency_ms(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
    }


def _latency_ms(text: str) -> float:
    """Convert wrk's ``812.00us`` / ``1.20ms`` / ``2.00s`` to milliseconds."""
    value, unit = re.fullmatch(r"([\d.]+)(us|ms|s)", text).groups()
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main(argv: list[str] | None = None) -> int:
    """Start the three servers, measure them in interleaved rounds, print the comparison."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds per measurement"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument(
        "--rounds", type=int, default=3, help="interleaved measurements per server"
    )
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    key = uuid.uuid4().hex * 2
    token = jwt.encode(
        {"iss": "https://auth.bench.test", "aud": "bench-items", "sub": "bench-user",
         "exp": int(time.time()) + 3600},
        key,
        algorithm="HS256",
    )  # fmt: skip
    headers = {"Authorization": f"Bearer {token}"}
    granian = [sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", "1"]
    granian += ["--host", "127.0.0.1", "--no-log"]
    uvicorn = [sys.executable, "-m", "uvicorn", "--workers", "1", "--host", "127.0.0.1"]
    uvicorn += ["--log-level", "warning", "--no-access-log"]
    servers = {
        "bare Flask / granian": (granian, "bare_app:app"),
        "satchel / granian": (granian, "satchel_app:app"),
        "Connexion 3 / uvicorn": (uvicorn, "connexion_app:app"),
    }
    samples: dict[str, list[dict[str, float]]] = {label: [] for label in servers}
    with temporary_database() as database, ExitStack() as running:
        env = {
            **os.environ,
            "BENCH_DATABASE_URL": database,
            "BENCH_JWT_KEY": key,
            "PYTHONPATH": os.pathsep.join([str(HERE), str(HERE.parent.parent)]),
        }
        urls = {}
        for label, (command, target) in servers.items():
            port = free_port()
            running.enter_context(
                server([*command, "--port", str(port), target], port, env)
            )
            urls[label] = f"http://127.0.0.1:{port}/v1/items/{ITEM_ID}"
        for _ in range(args.rounds):
            for label, url in urls.items():
                samples[label].append(
                    wrk(url, headers, args.duration, args.connections)
                )
    results = {
        label: {key: statistics.median(s[key] for s in runs) for key in runs[0]}
        for label, runs in samples.items()
    }
    print(
        f"GET /v1/items/{ITEM_ID}, one worker each, wrk -t2 -c{args.connections} "
        f"-d{args.duration}s, median of {args.rounds} interleaved rounds"
    )
    print(f"{'server':<24}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for label, result in results.items():
        print(
            f"{label:<24}{result['rps']:>10.0f}{result['p50']:>10.2f}{result['p99']:>10.2f}"
        )
    bare, ours, connexion = (results[label]["rps"] for label in servers)
    print(f"satchel / bare Flask:  {ours / bare:.2f}x  (goal >= 0.80)")
    print(f"satchel / Connexion 3: {ours / connexion:.2f}x  (goal >= 2.50)")
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"Load average at the end (1/5/15 min): {load} on {os.cpu_count()} CPUs;")
    print(
        "other work on the machine skews all three alike only roughly: rerun when idle."
    )
    print("Tenancy is not wired in this benchmark.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
