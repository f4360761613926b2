"""Stamp each writing transaction on a tenant engine with who is acting, for the triggers.

PostgreSQL: before the first data-changing statement of a transaction, one
``SELECT set_config(..., true)`` on the same connection. Transaction-local, so nothing
outlives the transaction behind PgBouncer in transaction mode; read-only transactions pay
nothing. With psycopg's pipeline mode (libpq 14+) the stamp and the write travel together:
one round trip, not two (the stamp is sent on the DBAPI connection, below SQLAlchemy's
statement events; errors of either surface as the write's, through SQLAlchemy). The marker
lives on the connection and is dropped at commit, rollback, rollback to a savepoint (which
undoes the settings) and check-in, so the next transaction stamps again.
SQLite: the triggers call functions registered on each connection that read the context.
"""

from __future__ import annotations

import re
from typing import Any

import sqlalchemy as sa
from sqlalchemy import event

from satchel.audit.stamp import Stamp, current_stamp

_MARKER = "satchel_audit_stamp"
_PIPELINE = "satchel_audit_pipeline"
_WRITES = ("INSERT", "UPDATE", "DELETE", "MERGE")
_WRITE_KEYWORD = re.compile(r"\b(INSERT|UPDATE|DELETE|MERGE)\b", re.IGNORECASE)
_SET_STAMP = (
    "SELECT set_config('satchel.actor_id', %s, true),"
    " set_config('satchel.actor_type', %s, true),"
    " set_config('satchel.request_id', %s, true)"
)
#: The SQL functions SQLite triggers call, by name.
SQLITE_FUNCTIONS = {
    "satchel_audit_actor_id": lambda: current_stamp().actor_id,
    "satchel_audit_actor_type": lambda: current_stamp().actor_type,
    "satchel_audit_request_id": lambda: current_stamp().request_id,
}


def is_write(statement: str) -> bool:
    """Return whether ``statement`` may change rows (a ``WITH`` that names a write counts)."""
    head = statement.lstrip()[:6].upper()
    if head.startswith(_WRITES):
        return True
    # Cheap and conservative: a false positive costs one round trip, never a missed row.
    return head.startswith("WITH") and _WRITE_KEYWORD.search(statement) is not None


def stamp_transactions(engine: sa.Engine) -> None:
    """Make ``engine``'s writes carry the current stamp into the audit triggers."""
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", register_sqlite_functions)
    elif engine.dialect.name == "postgresql":
        if engine.dialect.driver == "psycopg" and _pipelines_supported():
            event.listen(engine, "before_cursor_execute", _stamp_in_pipeline)
            event.listen(engine, "after_cursor_execute", _end_pipeline)
            event.listen(engine, "handle_error", _abandon_pipeline)
        else:
            event.listen(engine, "before_cursor_execute", _stamp_before_write)
        for name in ("commit", "rollback", "rollback_savepoint"):
            event.listen(engine, name, _forget)
        event.listen(engine, "checkin", _forget_on_checkin)


def register_sqlite_functions(dbapi_connection: Any, *_: Any) -> None:
    """Register the functions the SQLite audit triggers call on one DBAPI connection."""
    for name, function in SQLITE_FUNCTIONS.items():
        dbapi_connection.create_function(name, 0, function)


def _unsent_stamp(conn: sa.Connection, statement: str) -> Stamp | None:
    """Return the stamp a write must carry, marked as sent; None if none is due.

    Marked first: the statement sending the stamp passes through the same listener.
    """
    if not is_write(statement):
        return None
    stamp = current_stamp()
    if conn.info.get(_MARKER) == stamp:
        return None
    conn.info[_MARKER] = stamp
    return stamp


def _stamp_before_write(
    conn: sa.Connection, cursor: Any, statement: str, *_: Any
) -> None:
    stamp = _unsent_stamp(conn, statement)
    if stamp is None:
        return
    # Empty string stands for "none": a custom setting, once defined, reads back as ''.
    conn.exec_driver_sql(_SET_STAMP, tuple(value or "" for value in stamp))


def _stamp_in_pipeline(
    conn: sa.Connection, cursor: Any, statement: str, *_: Any
) -> None:
    stamp = _unsent_stamp(conn, statement)
    if stamp is None:
        return
    dbapi_connection = cursor.connection
    # Queued, not awaited: SQLAlchemy then queues the write; _end_pipeline sends both.
    pipeline = dbapi_connection.pipeline()
    pipeline.__enter__()
    conn.info[_PIPELINE] = pipeline
    dbapi_connection.cursor().execute(_SET_STAMP, tuple(value or "" for value in stamp))


def _end_pipeline(conn: sa.Connection, *_: Any) -> None:
    pipeline = conn.info.pop(_PIPELINE, None)
    if pipeline is not None:
        # Sync: both results arrive (the cursor's rows included), or the first error is
        # raised here, inside SQLAlchemy's handling (IntegrityError and the like).
        pipeline.__exit__(None, None, None)


def _abandon_pipeline(context: Any) -> None:
    """Leave pipeline mode when the write itself failed before it was sent."""
    conn = context.connection
    if conn is None or conn.invalidated:
        return
    pipeline = conn.info.pop(_PIPELINE, None)
    if pipeline is not None:
        error = context.original_exception
        pipeline.__exit__(type(error), error, error.__traceback__)


def _pipelines_supported() -> bool:
    from psycopg import Pipeline

    return Pipeline.is_supported()


def _forget(conn: sa.Connection, *_: Any) -> None:
    # An invalidated connection (the server went away) refuses .info; its record's info
    # is cleared when it reconnects, so there is nothing to forget.
    if not conn.invalidated:
        conn.info.pop(_MARKER, None)


def _forget_on_checkin(dbapi_connection: Any, connection_record: Any) -> None:
    connection_record.info.pop(_MARKER, None)
