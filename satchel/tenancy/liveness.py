"""Ping a pooled connection before use only when it sat idle long enough to have died.

SQLAlchemy's ``pool_pre_ping`` pings on every checkout: one extra round trip per request,
about a fifth of a read's time (bench/stamped). A connection used a moment ago is as
alive as a ping would show; the ones that die quietly are the idle ones (a firewall or
proxy idle timeout, a server restarted overnight). So only a connection idle for at least
``after`` seconds is pinged; a dead one is replaced, and every connection older than it
too, before the request sees it. A server that dies while a connection is busy or just
used still fails the request that meets it (503 ``tenant-database-unavailable``), after
which the pool is renewed, as it was with ``pool_pre_ping``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

_IDLE_SINCE = "satchel_idle_since"


def ping_idle_connections(
    engine: sa.Engine,
    after: float,
    on_lost: Callable[[str], None] | None = None,
) -> None:
    """Make ``engine``'s pool ping connections idle for ``after`` seconds (0: every checkout).

    ``on_lost`` hears the error's name when a connection in use is found dead: what a
    failed ping used to report through the reconnection that followed it.
    """
    monotonic = time.monotonic
    dialect = engine.dialect

    if on_lost is not None:

        @event.listens_for(engine, "handle_error")
        def lost(context: Any) -> None:
            if context.is_disconnect:
                on_lost(type(context.original_exception).__name__)

    @event.listens_for(engine, "checkin")
    def idle_from_now(dbapi_connection: Any, conn_rec: Any) -> None:
        conn_rec.info[_IDLE_SINCE] = monotonic()

    @event.listens_for(engine, "checkout")
    def ping_if_idle(dbapi_connection: Any, conn_rec: Any, proxy: Any) -> None:
        since = conn_rec.info.pop(_IDLE_SINCE, None)
        if since is None or monotonic() - since < after:
            return  # just connected (and identity-checked), or in use a moment ago
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as exc:
            # The pool replaces this connection, and the older ones, then retries.
            raise sa.exc.InvalidatePoolError(f"idle connection failed its ping: {exc}")
