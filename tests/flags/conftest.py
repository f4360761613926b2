"""Fixtures for satchel.flags: a Flask test service, a private redis-server, flag stores."""

from __future__ import annotations

import shutil
import socket
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
from flask import Flask, render_template_string, request

from satchel import errors as satchel_errors
from satchel import flags as satchel_flags
from satchel.context import tenant_id
from satchel.flags import Flag, FlagKind, declare_flags

RESOURCES = Path(__file__).parents[1] / "resources" / "flags"
SERVICE_ROOT = RESOURCES / "service" / "flagsvc"

FLAGS = declare_flags(
    Flag(
        "notes-search",
        type=bool,
        default=False,
        owner="team-classroom",
        kind=FlagKind.RELEASE,
        expires="2099-12-31",
        description="Full-text search over notes.",
    ),
    Flag("page-size", type=int, default=20, owner="team-classroom", kind=FlagKind.OPS),
    Flag("banner", type=str, default="", owner="team-platform", kind=FlagKind.OPS),
    Flag("ratio", type=float, default=0.5, owner="team-platform", kind=FlagKind.OPS),
    Flag(
        "reports",
        type=bool,
        default=True,
        owner="team-reports",
        kind=FlagKind.KILL_SWITCH,
    ),
)


def build_app(instance: Path, store_url: str | None = None, **options) -> Flask:
    """Build the test service: tenant from X-Tenant, problem+json errors, flagged routes."""
    app = Flask("flagsvc", root_path=str(SERVICE_ROOT), instance_path=str(instance))

    @app.before_request
    def resolve_tenant() -> None:  # stands in for satchel.tenancy
        tenant_id.set(request.headers.get("X-Tenant"))

    @app.teardown_request
    def clear_tenant(error: BaseException | None) -> None:
        tenant_id.set(None)

    satchel_errors.init_app(app)  # the runtime's problem+json rendering
    options.setdefault(
        "poll_interval", 3600
    )  # tests poll explicitly with engine.refresh()
    satchel_flags.init_app(app, FLAGS, store_url=store_url, **options)

    @app.get("/notes/search")
    @satchel_flags.flag_required("notes-search")
    def search_notes():
        return {"results": []}

    @app.get("/notes")
    def list_notes():
        return {
            "search": satchel_flags.is_enabled("notes-search"),
            "page_size": satchel_flags.value("page-size"),
            "banner": satchel_flags.value("banner"),
        }

    @app.get("/page")
    def page():
        return render_template_string(
            "{% if flag('notes-search') %}search{% else %}plain{% endif %}"
        )

    return app


@pytest.fixture
def make_app(tmp_path: Path) -> Iterator[Callable[..., Flask]]:
    """Return a factory of test services sharing one instance folder; stop their pollers."""
    built: list[Flask] = []

    def make(store_url: str | None = None, **options) -> Flask:
        app = build_app(tmp_path / "instance", store_url, **options)
        built.append(app)
        return app

    yield make
    for app in built:
        app.extensions["satchel.flags"].stop()


@pytest.fixture
def flag_file(tmp_path: Path) -> Path:
    """Return where the file store of ``make_app()`` lives (instance/flags.yaml)."""
    return tmp_path / "instance" / "flags.yaml"


def free_port() -> int:
    """Return a TCP port nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A private redis-server that a test can stop and start again on the same port."""

    def __init__(self) -> None:
        self.port = free_port()
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(port=self.port, decode_responses=True)

    def start(self) -> None:
        self.process = subprocess.Popen(
            [shutil.which("redis-server") or "redis-server", "--port", str(self.port),
             "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--daemonize", "no"],
            stdout=subprocess.DEVNULL,
        )  # fmt: skip
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client().ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.02)

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)
            self.process = None


@pytest.fixture
def redis_server() -> Iterator[RedisServer]:
    """Start a private redis-server on a free port; stop it after the test."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    server = RedisServer()
    server.start()
    yield server
    server.stop()
