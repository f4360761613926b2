"""Audit a tenant database that predates the audit: the platform migration ``audit-existing``.

A service stamped before satchel had an audit created its tables without ``audit.track``, and
its deployed migrations must never be edited. This step, applied once per tenant database by
``flask tenants migrate`` (:mod:`satchel.tenancy.platform_migrations`), installs the audit and
tracks every table that has a primary key. A database that already has the audit table made
its own choices in its migrations (including tables it deliberately left untracked), so it is
left as it is.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
import structlog

from satchel.audit.migration import AUDIT_TABLE, install, track

log = structlog.get_logger("satchel.audit")

# The platform's own bookkeeping (revisions, identity row, this ledger) is never audited.
_PLATFORM_PREFIXES = ("alembic_", "satchel_")


def audit_existing_tables(op: Any) -> list[str]:
    """Install the audit and track every table with a primary key; return what was tracked."""
    inspector = sa.inspect(op.get_bind())
    if inspector.has_table(AUDIT_TABLE):
        return []
    install(op)
    tracked = []
    for table in sorted(inspector.get_table_names()):
        if table.startswith(_PLATFORM_PREFIXES):
            continue
        if not inspector.get_pk_constraint(table)["constrained_columns"]:
            log.warning(
                "table not audited",
                table=table,
                reason="no primary key to name its rows by; add one, then audit.track it",
            )
            continue
        track(op, table)
        tracked.append(table)
    return tracked
