"""The database work of a move: fence off the source, copy it, prove the copy is the same.

All of it runs as this process's login (the owner) on direct server URLs, never through
PgBouncer: ``pg_dump`` and ``CREATE DATABASE ... TEMPLATE`` need a real session.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from satchel.tenancy.engines import engine_url
from satchel.tenancy.errors import MoveError
from satchel.tenancy.identity import IDENTITY_TABLE
from satchel.tenancy.roles import grant_database

#: What the runtime role must never be able to do to the audit, checked after every copy.
AUDIT_TABLE = "satchel_audit"
FORBIDDEN_ON_AUDIT = ("INSERT", "UPDATE", "DELETE", "TRUNCATE")
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE")


def database_of(url: str) -> str:
    """Return the database name a URL names."""
    return make_url(url).database or ""


@contextmanager
def server_connection(url: str) -> Iterator[sa.Connection]:
    """Yield an autocommit connection to the maintenance database of ``url``'s server."""
    engine = sa.create_engine(
        make_url(engine_url(url)).set(database="postgres"),
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 5},
    )
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


@contextmanager
def database_connection(url: str) -> Iterator[sa.Connection]:
    """Yield a connection to the database at ``url``."""
    engine = sa.create_engine(
        engine_url(url), poolclass=NullPool, connect_args={"connect_timeout": 5}
    )
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def fence(url: str, runtime_role: str | None, grace: float) -> None:
    """Shut the service out of the source: no new connections, the open ones closed.

    The runtime role loses CONNECT (the owner keeps it, to copy); transactions in flight
    get ``grace`` seconds to finish before every other session is terminated.
    """
    name = _quote(database_of(url))
    with server_connection(url) as conn:
        if runtime_role:
            conn.exec_driver_sql(
                f"REVOKE CONNECT ON DATABASE {name} FROM {_quote(runtime_role)}"
            )
        deadline = time.monotonic() + grace
        while time.monotonic() < deadline and _sessions(conn, url, active_only=True):
            time.sleep(0.05)
        conn.execute(
            sa.text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = :db AND pid <> pg_backend_pid()"
            ),
            {"db": database_of(url)},
        )
        deadline = time.monotonic() + 5
        while _sessions(conn, url, active_only=False):
            if time.monotonic() > deadline:
                raise MoveError(
                    f"sessions on {database_of(url)!r} survived termination; this login"
                    " needs pg_signal_backend (GRANT pg_signal_backend TO <owner>)"
                )
            time.sleep(0.05)


def unfence(url: str, runtime_role: str | None) -> None:
    """Give the runtime role its CONNECT back on the source (after a rollback)."""
    if runtime_role:
        with server_connection(url) as conn:
            grant_database(conn, database_of(url), runtime_role)


def _sessions(conn: sa.Connection, url: str, *, active_only: bool) -> int:
    busy = " AND state NOT IN ('idle')" if active_only else ""
    return conn.execute(
        sa.text(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = :db"
            f" AND pid <> pg_backend_pid(){busy}"
        ),
        {"db": database_of(url)},
    ).scalar_one()


def copy_by_template(source: str, target: str, runtime_role: str | None) -> None:
    """Copy within one server: ``CREATE DATABASE target TEMPLATE source``."""
    with server_connection(source) as conn:
        conn.exec_driver_sql(
            f"CREATE DATABASE {_quote(database_of(target))}"
            f" TEMPLATE {_quote(database_of(source))}"
        )
        if runtime_role:
            grant_database(conn, database_of(target), runtime_role)


def copy_by_dump(source: str, target: str, password: str | None) -> None:
    """Copy across servers: ``pg_dump -Fc source | pg_restore --no-owner`` into ``target``.

    ``target`` exists already (empty, roles prepared); restored objects belong to this
    login, grants to the runtime role come along from the dump.
    """
    env = {**os.environ, **({"PGPASSWORD": password} if password else {})}
    with subprocess.Popen(
        [_binary("pg_dump"), "--format=custom", "--dbname", _libpq(source)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=env,
    ) as dump:
        restore = subprocess.run(
            [_binary("pg_restore"), "--no-owner", "--exit-on-error"]
            + ["--single-transaction", "--dbname", _libpq(target)],
            stdin=dump.stdout,
            capture_output=True,
            env=env,
            check=False,
        )
        dump.stdout.close()
        dump_error = dump.stderr.read().decode(errors="replace").strip()
        dump.wait()
    if dump.returncode or restore.returncode:
        reason = dump_error or restore.stderr.decode(errors="replace").strip()
        raise MoveError(
            f"copying the database failed: {reason.splitlines()[-1] if reason else '?'}"
        )


def fingerprint(url: str, runtime_role: str | None) -> dict[str, object]:
    """Return what must be equal on both copies: identity, revision, rows and rights per table."""
    with database_connection(url) as conn:
        tables = (
            conn.execute(
                sa.text(
                    "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
                )
            )
            .scalars()
            .all()
        )
        rows = {
            table: conn.exec_driver_sql(
                f"SELECT count(*) FROM {_quote(table)}"
            ).scalar_one()
            for table in tables
        }
        found = conn.exec_driver_sql(f"SELECT tenant_id FROM {IDENTITY_TABLE}")
        identity = found.scalars().all()
        rights = _rights(conn, tables, runtime_role) if runtime_role else {}
    return {"identity": identity, "rows": rows, "rights": rights}


def check_audit_sealed(
    fingerprint_: dict[str, object], runtime_role: str | None
) -> None:
    """Raise MoveError if the runtime role could rewrite the audit in the copy."""
    rights = fingerprint_["rights"]
    if not runtime_role or AUDIT_TABLE not in rights:
        return
    allowed = [p for p in FORBIDDEN_ON_AUDIT if p in rights[AUDIT_TABLE]]
    if allowed:
        raise MoveError(
            f"in the copy the runtime role {runtime_role!r} may {', '.join(allowed)} on"
            f" {AUDIT_TABLE}: the audit would not be append-only; the move was rolled back"
        )


def _rights(conn: sa.Connection, tables: list[str], role: str) -> dict[str, list[str]]:
    return {
        table: [
            privilege
            for privilege in TABLE_PRIVILEGES
            if conn.execute(
                sa.text("SELECT has_table_privilege(:role, :table, :privilege)"),
                {
                    "role": role,
                    "table": f"public.{_quote(table)}",
                    "privilege": privilege,
                },
            ).scalar_one()
        ]
        for table in tables
    }


def _libpq(url: str) -> str:
    parsed = make_url(url).set(drivername="postgresql", password=None)
    return parsed.render_as_string(hide_password=False)


def _binary(name: str) -> str:
    folder = os.environ.get("SATCHEL_PG_BINDIR")
    found = os.path.join(folder, name) if folder else shutil.which(name)
    if not found or not os.path.exists(found):
        raise MoveError(
            f"{name} is not installed (or not on PATH); install the PostgreSQL client tools"
            " of the servers' major version, or set SATCHEL_PG_BINDIR to their folder"
        )
    return found


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
