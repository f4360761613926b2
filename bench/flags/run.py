"""Benchmark satchel.flags: evaluation cost inside a request, Redis commands per 1,000 requests.

Run: ``.venv/bin/python bench/flags/run.py`` (needs ``redis-server`` on PATH). Prints
nanoseconds per call and two ratios measured in the same run: to a plain dict lookup (the
issue's baseline) and to an empty Python function call, the floor of any API call. For scale,
``current_app.config[...]``, what a config switch costs in a handler, is also measured.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from pathlib import Path

import redis
from flask import Flask, current_app
from openfeature import api

from satchel import flags
from satchel.context import tenant_id
from satchel.flags import Flag, FlagKind, declare_flags
from satchel.flags.evaluation import RequestFlags, _request_flags

NUMBER = 200_000
FLAGS = declare_flags(
    Flag("notes-search", type=bool, default=False, owner="bench", kind=FlagKind.OPS),
    Flag("page-size", type=int, default=20, owner="bench", kind=FlagKind.OPS),
)
RULES = (
    "notes-search: {percentage: 50, tenants_off: [school-x]}\npage-size: {value: 50}\n"
)


def per_call_ns(
    statement: str | Callable[[], object], number: int = NUMBER, **names
) -> float:
    """Return the best of five runs of ``statement``, in nanoseconds per run."""
    runs = timeit.repeat(statement, number=number, repeat=5, globals=names)
    return min(runs) / number * 1e9


def noop(key: str) -> None:
    """Do nothing: the floor cost of calling any Python function with one argument."""


def build_app(instance: Path, store_url: str | None = None) -> Flask:
    app = Flask("benchsvc", root_path=str(instance), instance_path=str(instance))
    app.config["X"] = True

    @app.before_request
    def set_tenant() -> None:
        tenant_id.set("school-a")

    flags.init_app(app, FLAGS, store_url=store_url, poll_interval=3600)

    @app.get("/notes")
    def notes() -> dict:
        return {
            "search": flags.is_enabled("notes-search"),
            "size": flags.value("page-size"),
        }

    return app


def evaluation_costs(app: Flask) -> list[tuple[str, float]]:
    plain = {"notes-search": True}
    client = api.get_client()
    with app.test_request_context():
        app.preprocess_request()
        engine = app.extensions["satchel.flags"]
        flags.is_enabled("notes-search")  # memoise

        def first() -> bool:
            _request_flags.set(RequestFlags(engine.compiled))
            return flags.is_enabled("notes-search")

        def new_scope_only() -> None:
            _request_flags.set(RequestFlags(engine.compiled))

        names = dict(plain=plain, noop=noop, current_app=current_app, flags=flags)
        rows = [
            ("plain dict lookup", per_call_ns("plain['notes-search']", **names)),
            (
                "empty function call (floor)",
                per_call_ns("noop('notes-search')", **names),
            ),
            (
                "current_app.config lookup",
                per_call_ns("current_app.config['X']", **names),
            ),
            (
                "is_enabled, memoised",
                per_call_ns("flags.is_enabled('notes-search')", **names),
            ),
            ("value, memoised", per_call_ns("flags.value('page-size')", **names)),
        ]
        _request_flags.set(RequestFlags(engine.compiled))
        rows.append(
            (
                "is_enabled, first in request (sha256 rollout)",
                per_call_ns(first) - per_call_ns(new_scope_only),
            )
        )
        rows.append(
            (
                "OpenFeature get_boolean_value",
                per_call_ns(
                    lambda: client.get_boolean_value("notes-search", False), 20_000
                ),
            )
        )
        return rows


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_commands_per_1000_requests(instance: Path) -> int:
    port = free_port()
    server = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--daemonize", "no"],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        observer = redis.Redis(port=port)
        for _ in range(500):
            try:
                observer.ping()
                break
            except redis.ConnectionError:
                time.sleep(0.02)
        app = build_app(instance / "redis", f"redis://127.0.0.1:{port}/0?prefix=bench")
        engine = app.extensions["satchel.flags"]
        engine.change("notes-search", lambda old: {"percentage": 50}, "bench", "bench")
        client = app.test_client()
        client.get("/notes")  # first request starts the poller (interval: one hour)
        observer.config_resetstat()
        for _ in range(1000):
            client.get("/notes")
        stats = observer.info("commandstats")
        own = {"cmdstat_info", "cmdstat_config|resetstat"}
        return sum(s["calls"] for name, s in stats.items() if name not in own)
    finally:
        server.terminate()
        server.wait()


def main() -> int:
    if shutil.which("redis-server") is None:
        print("redis-server is not on PATH", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as directory:
        instance = Path(directory)
        (instance / "flags.yaml").write_text(RULES)
        rows = evaluation_costs(build_app(instance))
        commands = redis_commands_per_1000_requests(instance)
    plain_ns, call_ns = rows[0][1], rows[1][1]
    print(f"{'measurement':48} {'ns/call':>9} {'x dict':>7} {'x call':>7}")
    for name, ns in rows:
        print(f"{name:48} {ns:9.0f} {ns / plain_ns:7.1f} {ns / call_ns:7.1f}")
    print(f"{'Redis commands per 1,000 requests':48} {commands:9d}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
