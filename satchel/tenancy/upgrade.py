"""Upgrade one tenant database: one connection, one transaction, one advisory lock.

This is what each migration worker runs per tenant. A database already at the target is
skipped after one query. A database with a revision gets its pending revision scripts run
directly under Alembic's :class:`~alembic.operations.Operations` (the scripts' ``upgrade()``
with ``op``), without re-reading ``env.py`` or Alembic's version-table checks: those cost
several catalog queries per database, which dominate at 1,500 databases. A fresh database
(no revision yet) or a history with merges goes through the service's ``env.py``. Then the
platform migrations the service declares and the database has not had run in the same
transaction (:mod:`satchel.tenancy.platform_migrations`).
"""

from __future__ import annotations

import time

import sqlalchemy as sa
from alembic.config import Config
from alembic.operations import Operations
from alembic.runtime.environment import EnvironmentContext
from alembic.runtime.migration import MigrationContext

from satchel.tenancy.direct import connect
from satchel.tenancy.errors import MigrationError
from satchel.tenancy.platform_migrations import apply_pending
from satchel.tenancy.report import FAILED, SKIPPED, UPGRADED, TenantOutcome
from satchel.tenancy.revisions import read_revision, script_directory

# One fixed key: any two migration runs on the same database exclude each other.
ADVISORY_LOCK_KEY = 0x5A7C4E1


def upgrade_database(
    tenant_id: str,
    url: str,
    target: str,
    script_location: str,
    lock_timeout: str = "5s",
    statement_timeout: str = "15min",
) -> TenantOutcome:
    """Upgrade one tenant database to ``target``; every failure becomes its outcome."""
    started = time.perf_counter()
    before: str | None = None
    try:
        with connect(url) as conn, conn.begin():
            before = _lock_and_read(conn, lock_timeout, statement_timeout)
            if before != target and not _run_steps(
                conn, script_location, before, target
            ):
                _run_env(conn, script_location, target)
            # After the service's own revisions: a step may need the tables they create.
            platform = apply_pending(conn, script_location)
            if before == target and not platform:
                return _outcome(tenant_id, SKIPPED, before, before, started)
        # Both paths raise unless the target was reached, so no second read is needed.
        return _outcome(tenant_id, UPGRADED, before, target, started)
    except Exception as exc:  # noqa: BLE001 - a tenant's failure is data, not a crash
        error = f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        return _outcome(tenant_id, FAILED, before, before, started, error)


def _lock_and_read(
    conn: sa.Connection, lock_timeout: str, statement_timeout: str
) -> str | None:
    """Take the advisory lock, set local timeouts and read the revision.

    On PostgreSQL the lock, both timeouts and the version-table probe share one round trip:
    a fresh backend's first statements are the expensive ones at 1,500 databases.
    ``set_config(..., true)`` is ``SET LOCAL``: it ends with the transaction (pooler-safe).
    """
    if conn.dialect.name != "postgresql":
        return read_revision(conn)
    locked, has_versions = conn.execute(
        sa.text(
            "SELECT pg_try_advisory_xact_lock(:key),"
            " to_regclass('alembic_version') IS NOT NULL,"
            " set_config('lock_timeout', :lock, true),"
            " set_config('statement_timeout', :stmt, true)"
        ),
        {"key": ADVISORY_LOCK_KEY, "lock": lock_timeout, "stmt": statement_timeout},
    ).one()[:2]
    if not locked:
        raise MigrationError(
            "another migration run holds this database's advisory lock"
        )
    return read_revision(conn, has_table=has_versions)


def _run_steps(
    conn: sa.Connection, script_location: str, before: str | None, target: str
) -> bool:
    """Run the pending scripts of a linear history directly; False if this does not apply."""
    if before is None:
        return False
    script = script_directory(script_location)
    steps = script._upgrade_revs(target, before)
    if any(not step._has_scalar_down_revision for step in steps):
        return False  # merges and branch points: let Alembic's head bookkeeping do it
    with Operations.context(MigrationContext.configure(connection=conn)):
        for step in steps:
            step.migration_fn()
    updated = conn.execute(
        sa.text(
            "UPDATE alembic_version SET version_num = :target WHERE version_num = :before"
        ),
        {"target": target, "before": before},
    ).rowcount
    if updated != 1:
        raise MigrationError(f"alembic_version did not hold {before!r} while upgrading")
    return True


def _run_env(conn: sa.Connection, script_location: str, target: str) -> None:
    script = script_directory(script_location)
    config = Config()
    config.set_main_option("script_location", script_location)
    config.attributes["connection"] = conn

    def upgrade(revision, _context):  # noqa: ANN001 - Alembic's callback signature
        return script._upgrade_revs(target, revision)

    with EnvironmentContext(config, script, fn=upgrade, destination_rev=target):
        script.run_env()


def _outcome(
    tenant: str,
    status: str,
    before: str | None,
    after: str | None,
    started: float,
    error: str | None = None,
) -> TenantOutcome:
    duration = round((time.perf_counter() - started) * 1000, 2)
    return TenantOutcome(tenant, status, before, after, duration, error=error)
