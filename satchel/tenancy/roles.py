"""Two PostgreSQL roles per service: the owner migrations run as, the runtime role it serves as.

The owner creates each tenant database and every object in it (tables, the audit table and
its trigger function), so only the owner can alter them, drop their triggers or disable them.
The runtime role the service logs in as gets data rights only: ``SELECT, INSERT, UPDATE,
DELETE`` on the tables migrations create (through default privileges, so later migrations
need nothing), ``SELECT`` on the identity row and on the audit, and nothing more; the audit
table refuses it every write (:mod:`satchel.audit.privileges`), its rows arrive only through
the ``SECURITY DEFINER`` trigger. No TRUNCATE: TRUNCATE fires no row trigger.

Which login a process uses is its own: each process connects to every tenant database as the
user of *its* ``database_url_template`` (the migration task: the owner; the service: the
runtime role), so no password is ever stored in the registry, whose entries name the runtime
role only. Nothing here applies to SQLite, which has no roles.
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy.engine import make_url

from satchel.tenancy.errors import ProvisioningError
from satchel.tenancy.identity import IDENTITY_TABLE

__all__ = [
    "Login",
    "grant_database",
    "grant_schema",
    "login_of",
    "prepare_runtime_role",
    "registry_url",
    "seal_bookkeeping",
    "with_login",
]

#: What the runtime role may do to the tables migrations create.
TABLE_RIGHTS = "SELECT, INSERT, UPDATE, DELETE"


@dataclass(frozen=True)
class Login:
    """A PostgreSQL user and its password (None: from PGPASSWORD, a pgpass file or trust)."""

    user: str
    password: str | None = None

    def __repr__(self) -> str:
        return f"Login(user={self.user!r}, password={'***' if self.password else None})"


def is_postgres(url: str) -> bool:
    """Tell whether ``url`` names a PostgreSQL database (roles apply only there)."""
    try:
        return make_url(url).get_backend_name() in ("postgresql", "postgres")
    except sa.exc.ArgumentError:
        return False


def login_of(url: str) -> Login | None:
    """Return the login a PostgreSQL URL names, or None (no user, or not PostgreSQL)."""
    if not is_postgres(url):
        return None
    parsed = make_url(url)
    return Login(parsed.username, parsed.password) if parsed.username else None


def with_login(url: str, login: Login | None) -> str:
    """Return ``url`` connecting as ``login`` (unchanged without one, or off PostgreSQL)."""
    if login is None or not is_postgres(url):
        return url
    parsed = make_url(url).set(username=login.user, password=login.password)
    return parsed.render_as_string(hide_password=False)


def registry_url(url: str, runtime_role: str | None) -> str:
    """Return what the registry stores for a tenant: the runtime role named, no password."""
    if not is_postgres(url):
        return url
    parsed = make_url(url).set(password=None)
    if runtime_role:
        parsed = parsed.set(username=runtime_role)
    return parsed.render_as_string(hide_password=False)


def prepare_runtime_role(conn: sa.Connection, role: str) -> None:
    """Create the runtime role if missing; refuse one that could undo the audit's guarantees.

    ``conn`` is the provisioning (owner) login's autocommit connection to the server. The
    role must not be that login,
    nor a member of it (``SET ROLE`` would make it the owner), nor a superuser.
    """
    found = conn.execute(
        sa.text(
            "SELECT rolsuper, rolname = current_user,"
            " pg_has_role(rolname, current_user, 'MEMBER')"
            " FROM pg_roles WHERE rolname = :role"
        ),
        {"role": role},
    ).first()
    if found is None:
        _create_role(conn, role)
        return
    superuser, is_owner, member = found
    problem = (
        "is the login provisioning runs as (the owner)"
        if is_owner
        else (
            "is a superuser"
            if superuser
            else "is a member of the owner role" if member else None
        )
    )
    if problem:
        raise ProvisioningError(
            f"the runtime role {role!r} {problem}: it could then alter the tables and"
            " rewrite their audit. Give the service a role of its own with no other"
            f" rights (CREATE ROLE {_quote(role)} LOGIN), or fix the tenant_db_runtime_role"
            " setting"
        )


def grant_database(conn: sa.Connection, database: str, role: str) -> None:
    """Let ``role`` (and no other role but the owner) connect to a new tenant database."""
    name = _quote(database)
    conn.exec_driver_sql(f"REVOKE ALL ON DATABASE {name} FROM PUBLIC")
    conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {name} TO {_quote(role)}")


def grant_schema(conn: sa.Connection, role: str) -> None:
    """Inside a new tenant database (as the owner): data rights on what migrations create."""
    grantee = _quote(role)
    for statement in (
        "REVOKE CREATE ON SCHEMA public FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA public TO {grantee}",
        f"GRANT SELECT ON {IDENTITY_TABLE} TO {grantee}",
        f"ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT {TABLE_RIGHTS} ON TABLES"
        f" TO {grantee}",
        "ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES"
        f" TO {grantee}",
    ):
        conn.exec_driver_sql(statement)


def seal_bookkeeping(conn: sa.Connection, role: str) -> None:
    """After the first migration: the runtime role reads Alembic's version, never writes it."""
    if conn.execute(sa.text("SELECT to_regclass('alembic_version')")).scalar():
        conn.exec_driver_sql(
            f"REVOKE INSERT, UPDATE, DELETE ON alembic_version FROM {_quote(role)}"
        )


def _create_role(conn: sa.Connection, role: str) -> None:
    """Create the role on an autocommit connection; another process may have just done so."""
    try:
        conn.exec_driver_sql(f"CREATE ROLE {_quote(role)} LOGIN")
    except sa.exc.DBAPIError as exc:
        # duplicate_object, or unique_violation when two creations race in pg_authid
        if getattr(exc.orig, "sqlstate", None) in ("42710", "23505"):
            return
        raise ProvisioningError(
            f"the runtime role {role!r} does not exist and this login may not create it"
            f" ({exc.orig}); have an administrator run: CREATE ROLE {_quote(role)} LOGIN"
            " PASSWORD '...'"
        ) from None


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'
