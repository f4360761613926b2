"""Platform migrations: schema changes satchel provides, applied once per tenant database.

A service's own migrations (``migrations/versions``) are its own: ``cruft update`` never
touches them, and a migration already run on a tenant is never edited. A schema change the
platform needs (the first: auditing a database that predates the audit) therefore comes from
satchel itself. The service declares which it takes in ``migrations/platform.yaml`` (the
template ships it, so ``cruft update`` brings it in a reviewable change)::

    apply:
      - audit-existing

:func:`apply_pending` runs, after the service's revisions and in the same transaction and
advisory lock (:mod:`satchel.tenancy.upgrade`), each declared step the database has not had,
and records it in ``satchel_platform_migrations``. A service with no ``platform.yaml`` pays
no query. Platform steps are not undone by ``alembic downgrade``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import sqlalchemy as sa
import yaml
from alembic.migration import MigrationContext
from alembic.operations import Operations

from satchel.audit.retrofit import audit_existing_tables
from satchel.tenancy.errors import MigrationError

DECLARATION = "platform.yaml"
LEDGER = "satchel_platform_migrations"


@dataclass(frozen=True)
class PlatformMigration:
    """One step satchel provides: its id, what it does, and its ``upgrade(op)``."""

    id: str
    summary: str
    upgrade: Callable[[Any], Any]


CATALOG = {
    step.id: step
    for step in (
        PlatformMigration(
            "audit-existing",
            "install the audit and track every table of a database that predates it",
            audit_existing_tables,
        ),
    )
}

_LEDGER_DDL = (
    f"CREATE TABLE IF NOT EXISTS {LEDGER}"
    " (id varchar(100) PRIMARY KEY, applied_at varchar(40) NOT NULL)"
)
# Only the owner (the role migrations run as) may write the ledger: default privileges give
# the runtime role data rights on every new table, and a row there would skip a step.
_SEAL_LEDGER = f"""
DO $$
DECLARE
    grantee text;
BEGIN
    REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {LEDGER} FROM PUBLIC;
    FOR grantee IN
        SELECT DISTINCT acl.grantee::regrole::text
          FROM pg_class AS ledger, aclexplode(ledger.relacl) AS acl
         WHERE ledger.oid = '{LEDGER}'::regclass
           AND acl.grantee <> 0 AND acl.grantee <> ledger.relowner
    LOOP
        EXECUTE format('REVOKE INSERT, UPDATE, DELETE, TRUNCATE ON {LEDGER} FROM %s', grantee);
    END LOOP;
END
$$
"""


def declared(script_location: str) -> tuple[PlatformMigration, ...]:
    """Return the steps ``<script_location>/platform.yaml`` asks for, in catalog order."""
    path = Path(script_location, DECLARATION)
    try:
        modified = path.stat().st_mtime_ns
    except FileNotFoundError:
        return ()
    # Read once per process and version of the file, not once per tenant database.
    return _read(path, modified)


@functools.lru_cache(maxsize=8)
def _read(path: Path, modified: int) -> tuple[PlatformMigration, ...]:
    try:
        data = yaml.safe_load(path.read_text())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = f":{mark.line + 1}" if mark else ""
        raise MigrationError(
            f"{path}{line}: not valid YAML ({exc.problem}); expected 'apply:' and a list of"
            f" platform migration ids, e.g. 'apply: [audit-existing]'"
        ) from exc
    if data is None:
        return ()
    if not isinstance(data, dict) or set(data) - {"apply"}:
        unknown = sorted(set(data) - {"apply"}) if isinstance(data, dict) else []
        raise MigrationError(
            f"{path}: {'unknown keys ' + str(unknown) if unknown else 'not a mapping'};"
            " expected only 'apply:' with a list of platform migration ids"
        )
    ids = data.get("apply") or []
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        raise MigrationError(
            f"{path}: 'apply' must be a list of platform migration ids, not {ids!r}"
        )
    unknown = [i for i in ids if i not in CATALOG]
    if unknown:
        raise MigrationError(
            f"{path}: unknown platform migrations {unknown}; satchel provides"
            f" {sorted(CATALOG)} (a newer satchel may provide more: check the pin)"
        )
    return tuple(step for step in CATALOG.values() if step.id in ids)


def apply_pending(conn: sa.Connection, script_location: str) -> list[str]:
    """Run the declared steps this database has not had; return their ids."""
    steps = declared(script_location)
    if not steps:
        return []
    done = _applied(conn)
    pending = [step for step in steps if step.id not in done]
    if not pending:
        return []
    conn.exec_driver_sql(_LEDGER_DDL)
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text(_SEAL_LEDGER))
    with Operations.context(MigrationContext.configure(connection=conn)) as op:
        for step in pending:
            step.upgrade(op)
            conn.execute(
                sa.text(f"INSERT INTO {LEDGER} (id, applied_at) VALUES (:id, :at)"),
                {"id": step.id, "at": _now()},
            )
    return [step.id for step in pending]


def _applied(conn: sa.Connection) -> set[str]:
    if not sa.inspect(conn).has_table(LEDGER):
        return set()
    return set(conn.exec_driver_sql(f"SELECT id FROM {LEDGER}").scalars())


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
