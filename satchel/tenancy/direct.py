"""Direct, unpooled connections to tenant databases for maintenance work.

Migrations and ``status`` touch every tenant database once. A new Engine per database would
re-run SQLAlchemy's dialect initialisation (several queries) 1,500 times; instead one
unpooled engine per PostgreSQL server is kept per process and the database name is swapped
in as each connection opens. Thread-safe: the name travels in a context variable.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from satchel.tenancy.engines import engine_url

MAINTENANCE_DATABASE = "postgres"
_database: ContextVar[str | None] = ContextVar("satchel_direct_database", default=None)
_server_engines: dict[str, sa.Engine] = {}
_lock = threading.Lock()


@contextmanager
def connect(url: str) -> Iterator[sa.Connection]:
    """Yield a connection to the database at ``url`` (closed afterwards)."""
    parsed = make_url(engine_url(url))
    if parsed.get_backend_name() != "postgresql":
        engine = sa.create_engine(parsed, poolclass=NullPool, hide_parameters=True)
        try:
            with engine.connect() as conn:
                yield conn
        finally:
            engine.dispose()
        return
    token = _database.set(parsed.database)
    try:
        with _server_engine(
            parsed.set(database=MAINTENANCE_DATABASE)
        ).connect() as conn:
            yield conn
    finally:
        _database.reset(token)


def _server_engine(server: URL) -> sa.Engine:
    key = server.render_as_string(hide_password=False)
    with _lock:
        return _server_engines.get(key) or _new_server_engine(key, server)


def _new_server_engine(key: str, server: URL) -> sa.Engine:
    engine = sa.create_engine(
        server,
        poolclass=NullPool,
        hide_parameters=True,
        connect_args={"prepare_threshold": None, "connect_timeout": 10},
    )

    @event.listens_for(engine, "do_connect")
    def choose_database(dialect: Any, conn_rec: Any, cargs: Any, cparams: Any) -> None:
        cparams["dbname"] = _database.get()

    _server_engines[key] = engine
    return engine
