"""The helpers revision scripts call: ``install``, ``track`` and ``untrack`` (with ``op``).

Each is idempotent, so a migration may re-run ``track`` after changing a table (SQLite
needs it for new columns, both dialects for a new primary key).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import structlog

from satchel.audit import postgres, sqlite
from satchel.audit.errors import AuditError
from satchel.audit.stamping import register_sqlite_functions

log = structlog.get_logger("satchel.audit")

AUDIT_TABLE = "satchel_audit"


def install(op: Any) -> None:
    """Create the audit table (and, on PostgreSQL, the trigger function) if missing."""
    dialect = _dialect(op)
    for statement in postgres.INSTALL if dialect == "postgresql" else sqlite.INSTALL:
        op.execute(statement)
    if dialect == "sqlite":
        # So that data written later in this migration run is audited, not refused.
        register_sqlite_functions(op.get_bind().connection.driver_connection)


def uninstall(op: Any) -> None:
    """Drop the audit table and trigger function (and with them every table's trigger)."""
    if _dialect(op) == "postgresql":
        for statement in postgres.UNINSTALL:
            op.execute(statement)
    else:
        for table in sa.inspect(op.get_bind()).get_table_names():
            if table != AUDIT_TABLE:
                untrack(op, table)
        for statement in sqlite.UNINSTALL:
            op.execute(statement)


def track(op: Any, table: str) -> None:
    """Audit every row inserted, updated or deleted in ``table`` from now on."""
    bind = op.get_bind()
    dialect, quote = _dialect(op), bind.dialect.identifier_preparer.quote
    inspector = sa.inspect(bind)
    if table == AUDIT_TABLE:
        raise AuditError("satchel_audit cannot audit itself; track application tables")
    if not inspector.has_table(table):
        raise AuditError(
            f"cannot track table {table!r}: it does not exist in this database; create it"
            f" first (op.create_table) or correct the name"
        )
    if not inspector.has_table(AUDIT_TABLE):
        raise AuditError(
            f"cannot track table {table!r}: the audit table is missing; call"
            f" audit.install(op) first"
        )
    keys = inspector.get_pk_constraint(table)["constrained_columns"]
    if not keys:
        raise AuditError(
            f"cannot track table {table!r}: it has no primary key to name its rows by;"
            f" add one first"
        )
    if dialect == "postgresql":
        statements = postgres.track(quote(table), keys)
    else:
        columns = [column["name"] for column in inspector.get_columns(table)]
        statements = sqlite.track(table, quote, columns, keys)
    for statement in statements:
        op.execute(statement)


def untrack(op: Any, table: str) -> None:
    """Stop auditing ``table`` (its past audit rows stay)."""
    quote = op.get_bind().dialect.identifier_preparer.quote
    if _dialect(op) == "postgresql":
        statements = postgres.untrack(quote(table))
    else:
        statements = sqlite.untrack(table, quote)
    for statement in statements:
        op.execute(statement)


def _dialect(op: Any) -> str:
    name = op.get_bind().dialect.name
    if name not in ("postgresql", "sqlite"):
        raise AuditError(
            f"database audit supports PostgreSQL and SQLite, not {name}; remove the"
            f" audit calls from this migration"
        )
    return name
