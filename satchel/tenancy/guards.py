"""The guards every tenant engine's connections pass: budget, identity, no session SET.

Attached once per engine with SQLAlchemy events. A new DBAPI connection takes a budget
slot and proves through the identity row that its database belongs to the tenant being
served; every checkout compares that proven identity with the tenant in context (no
query); a session-level ``SET`` is refused; closing a connection frees its slot.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa
import structlog
from sqlalchemy import event

from satchel import context
from satchel.tenancy.budget import ConnectionBudget
from satchel.tenancy.errors import (
    SessionSetForbidden,
    TenantDatabaseUnavailable,
    TenantIdentityMismatch,
)
from satchel.tenancy.identity import read_identity

log = structlog.get_logger("satchel.tenancy")


def guard_connections(
    engine: sa.Engine,
    *,
    owner: str,
    location: str,
    budget: ConnectionBudget,
    identity_check: bool,
    on_pressure: Callable[[], None],
    on_connect: Callable[[str | None], None] | None = None,
) -> None:
    """Attach the connection guards to ``engine``, whose database belongs to ``owner``.

    ``on_connect`` learns whether each new connection reached the server (None) or not
    (the error's name), for the readiness check's view of the servers.
    """
    report = on_connect or (lambda error: None)

    @event.listens_for(engine, "do_connect")
    def connect(dialect: Any, conn_rec: Any, cargs: Any, cparams: Any) -> Any:
        expected = context.tenant_id.get() or owner
        budget.acquire(on_pressure=on_pressure)
        try:
            dbapi_connection = dialect.connect(*cargs, **cparams)
        except BaseException as exc:
            budget.release()
            if isinstance(exc, dialect.loaded_dbapi.Error):
                report(type(exc).__name__ if _server_unreachable(exc) else None)
                raise _unavailable(expected, location, exc) from exc
            raise
        report(None)
        try:
            found = read_identity(dbapi_connection) if identity_check else expected
        except dialect.loaded_dbapi.Error as exc:
            dbapi_connection.close()
            budget.release()
            raise _unavailable(expected, location, exc) from exc
        if found != expected:
            dbapi_connection.close()
            budget.release()
            raise _mismatch(expected, found, location)
        conn_rec.info["satchel_tenant"] = found
        return dbapi_connection

    @event.listens_for(engine, "checkout")
    def checkout(dbapi_connection: Any, conn_rec: Any, proxy: Any) -> None:
        current = context.tenant_id.get()
        found = conn_rec.info.get("satchel_tenant")
        if identity_check and current is not None and found != current:
            raise _mismatch(current, found, location)

    @event.listens_for(engine, "before_cursor_execute")
    def no_session_set(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        # A session-level SET outlives the transaction and leaks to whoever gets this
        # server connection next behind PgBouncer (transaction mode): refuse it.
        head = statement.lstrip()[:10].upper()
        if head.startswith("SET ") and not head.startswith("SET LOCAL"):
            raise SessionSetForbidden(
                f"session-level {statement.strip()[:60]!r} refused: it would outlive the"
                " transaction behind PgBouncer; use SET LOCAL or set_config(name, value,"
                " true)"
            )

    @event.listens_for(engine, "close")
    def closed(dbapi_connection: Any, conn_rec: Any) -> None:
        budget.release()

    @event.listens_for(engine, "close_detached")
    def closed_detached(dbapi_connection: Any) -> None:
        budget.release()


def _server_unreachable(exc: BaseException) -> bool:
    """Tell a server that did not answer from one that answered with a refusal.

    A refusal with a SQLSTATE (no such database, no CONNECT right while a move fences the
    database) comes from a server that is up; none, connection failures (08) and a server
    starting or stopping (57P) mean it is not serving.
    """
    state = getattr(exc, "sqlstate", None)
    return state is None or state.startswith(("08", "57P"))


def _unavailable(
    tenant: str, location: str, exc: BaseException
) -> TenantDatabaseUnavailable:
    log.warning(
        "tenant database unavailable",
        tenant=tenant,
        database=location,
        error=type(exc).__name__,
    )
    return TenantDatabaseUnavailable(
        f"database of tenant {tenant!r} at {location} refused the connection"
        f" ({type(exc).__name__}); check the server and the registry entry",
        detail="This tenant's database is unavailable; try again shortly.",
    )


def _mismatch(
    expected: str, found: str | None, location: str
) -> TenantIdentityMismatch:
    # Loud on purpose: this is a routing bug or a mis-registered database, never normal.
    log.error(
        "tenant database identity mismatch: refusing connection",
        tenant=expected,
        expected_tenant=expected,
        found_tenant=found,
        database=location,
    )
    return TenantIdentityMismatch(
        f"database at {location} belongs to tenant {found!r}, not {expected!r};"
        " correct the registry entry of this tenant",
        detail="This tenant's database is misconfigured; the operators have been alerted.",
    )
