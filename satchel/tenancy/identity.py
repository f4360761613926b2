"""The identity row: each tenant database names the tenant it belongs to.

Written once at provisioning; read on the first use of every new connection, so a registry
entry or engine pointing at the wrong database is refused instead of serving another
school's rows with a 200.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

IDENTITY_TABLE = "satchel_tenant"


def write_identity(conn: sa.Connection, tenant_id: str) -> None:
    """Create the identity table in a fresh tenant database and store ``tenant_id`` in it."""
    conn.exec_driver_sql(
        f"CREATE TABLE {IDENTITY_TABLE} (tenant_id VARCHAR(63) PRIMARY KEY,"
        " one_row INTEGER NOT NULL DEFAULT 1 UNIQUE CHECK (one_row = 1))"
    )
    conn.execute(
        sa.text(f"INSERT INTO {IDENTITY_TABLE} (tenant_id) VALUES (:tenant)"),
        {"tenant": tenant_id},
    )


def read_identity(dbapi_connection: Any) -> str | None:
    """Return the tenant id stored in a raw DBAPI connection's database, or None."""
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"SELECT tenant_id FROM {IDENTITY_TABLE}")
        rows = cursor.fetchall()
    finally:
        cursor.close()
        # End the implicit transaction so the connection goes to the pool clean.
        dbapi_connection.rollback()
    return rows[0][0] if len(rows) == 1 else None
