"""Helpers for the tenancy tests: the test app, a real HTTP server and a cuttable TCP proxy."""

from __future__ import annotations

import socket
import threading
from pathlib import Path

import requests
import sqlalchemy as sa
import structlog
from flask import Flask, request
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from werkzeug.serving import make_server

from satchel import metrics, tenancy
from satchel.problems import PROBLEM_MEDIA_TYPE, Problem

PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
BASE_DOMAIN = "students.test"
MIGRATIONS = str(Path(__file__).parents[1] / "resources" / "tenancy" / "migrations")


class Base(DeclarativeBase):
    pass


class Note(Base):
    __tablename__ = "notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    body: Mapped[str]


def host(tenant: str) -> str:
    """Return the host a tenant is served at in the tests."""
    return f"{tenant}.{BASE_DOMAIN}"


def make_app(registry, *, with_metrics: bool = False, **options) -> Flask:
    """Build the minimal multi-tenant app the tests talk to."""
    app = Flask("tenancy_test")
    if with_metrics:
        metrics.init_app(app)
    app.register_error_handler(
        Problem,
        lambda p: (
            p.to_dict(),
            p.status,
            {"Content-Type": PROBLEM_MEDIA_TYPE, **p.headers},
        ),
    )
    options.setdefault("script_location", MIGRATIONS)
    tenancy.init_app(app, registry=registry, base_domain=BASE_DOMAIN, **options)
    app.cli.add_command(tenancy.cli)

    @app.get("/notes")
    def list_notes():
        notes = tenancy.session().scalars(sa.select(Note).order_by(Note.id)).all()
        return {"tenant": tenancy.current_tenant(), "notes": [n.body for n in notes]}

    @app.post("/notes")
    def add_note():
        tenancy.session().add(Note(body=request.get_json()["body"]))
        if request.args.get("fail"):
            raise Problem(status=422, detail="asked to fail after writing")
        return {"ok": True}, 201

    @app.get("/whoami")
    def whoami():
        return {
            "tenant": tenancy.current_tenant(),
            "key": tenancy.cache_key("students", 42),
            "log_tenant": structlog.contextvars.get_contextvars().get("tenant"),
        }

    @app.get("/livez")
    def livez():
        return {"status": "pass"}

    def public():
        return {"public": True}

    public.satchel_public = True
    app.add_url_rule("/public", view_func=public)
    return app


class Server:
    """Serve a WSGI app on a free port from a thread (werkzeug's threaded server)."""

    def __init__(self, app: Flask) -> None:
        self._server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._http = threading.local()

    def __enter__(self) -> Server:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._server.shutdown()
        self._thread.join()

    def get(self, tenant_host: str, path: str = "/notes") -> requests.Response:
        """GET ``path`` with the given Host header (one keep-alive session per thread)."""
        if not hasattr(self._http, "session"):
            self._http.session = requests.Session()
        return self._http.session.get(
            self.url + path, headers={"Host": tenant_host}, timeout=30
        )


class TcpProxy:
    """Forward a local port to PostgreSQL; ``cut()`` drops every connection and refuses more."""

    def __init__(self, target: tuple[str, int] = ("127.0.0.1", 5432)) -> None:
        self.target = target
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self.port = 0
        self.resume()

    def resume(self) -> None:
        """Listen (again, on the same port) and forward new connections."""
        self._listener = socket.create_server(("127.0.0.1", self.port))
        self.port = self._listener.getsockname()[1]
        threading.Thread(
            target=self._accept, args=(self._listener,), daemon=True
        ).start()

    def url(self, database: str) -> str:
        """Return a database URL that goes through this proxy."""
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def cut(self) -> None:
        """Close the listener and every forwarded connection."""
        try:
            self._listener.shutdown(
                socket.SHUT_RDWR
            )  # wakes the thread blocked in accept()
        except OSError:
            pass
        self._listener.close()
        with self._lock:
            for sock in self._sockets:
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                sock.close()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(self.target)
            with self._lock:
                self._sockets += [client, upstream]
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(a, b), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while data := source.recv(65536):
                sink.sendall(data)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                try:
                    sock.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
