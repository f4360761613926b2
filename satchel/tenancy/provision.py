"""Create, suspend, resume and drop tenants: database, identity row, migrations, registry.

The registry entry is written last on create and removed first on drop, so the request
path never sees a tenant whose database is half-made or half-gone. With a runtime role
(PostgreSQL) the database belongs to this process's login, the owner, and the runtime role
gets data rights only (:mod:`satchel.tenancy.roles`); the registry names the runtime role.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from satchel.tenancy.engines import engine_url
from satchel.tenancy.errors import ProvisioningError
from satchel.tenancy.identity import write_identity
from satchel.tenancy.journal import ControlEvent, current_actor
from satchel.tenancy.upgrade import upgrade_database
from satchel.tenancy.records import ACTIVE, TenantRecord, redact_url, validate_tenant_id
from satchel.tenancy.report import FAILED
from satchel.tenancy.revisions import head_revision
from satchel.tenancy.roles import (
    grant_database,
    grant_schema,
    is_postgres,
    prepare_runtime_role,
    registry_url,
    seal_bookkeeping,
    with_login,
)
from satchel.tenancy.runtime import Tenancy
from satchel.tenancy.servers import place, server_of, tenant_counts

MAINTENANCE_DATABASE = "postgres"


def create_tenant(
    tenancy: Tenancy,
    tenant_id: str,
    *,
    database_url: str | None = None,
    template: str | None = None,
    server: str | None = None,
) -> TenantRecord:
    """Provision a tenant and register it; ``template`` copies a migrated template database.

    With database servers registered, the database goes to ``server`` or to the one the
    placement policy picks (:func:`satchel.tenancy.servers.place`), unless ``database_url``
    names it outright.
    """
    validate_tenant_id(tenant_id)
    if tenancy.registry.get(tenant_id) is not None:
        raise ProvisioningError(
            f"tenant {tenant_id!r} already exists; pick another id or drop it first"
        )
    direct, serving, placed = _placement(tenancy, tenant_id, database_url, server)
    url = with_login(direct, tenancy.login)
    role = tenancy.settings.runtime_role if is_postgres(url) else None
    create_database(url, template=template, runtime_role=role)
    try:
        _write_identity(url, tenant_id, role)
        revision = migrate_one(tenancy, tenant_id, url)
        if role:
            _seal(url, role)
        record = TenantRecord(
            tenant_id, registry_url(serving, role), ACTIVE, revision, placed
        )
        tenancy.registry.add(record)
    except BaseException:
        drop_database(url)  # leave nothing half-made behind
        raise
    if placed:
        how = "--database-url" if database_url else "--server" if server else None
        detail = {"server": placed, "policy": how or tenancy.settings.placement}
        event = ControlEvent("tenant-placed", tenant_id, current_actor(), detail)
        tenancy.registry.record_event(event)
    tenancy.announce(tenant_id)
    return record


def _placement(
    tenancy: Tenancy, tenant_id: str, database_url: str | None, server: str | None
) -> tuple[str, str, str | None]:
    """Return the direct URL to create at, the URL to register and the server's name."""
    if database_url:
        if server:
            raise ProvisioningError(
                "give either --database-url or --server, not both: the URL already says"
                " where the database is"
            )
        found = server_of(
            TenantRecord(tenant_id, database_url), tenancy.registry.servers()
        )
        return database_url, database_url, found
    servers = tenancy.registry.servers()
    template = tenancy.database_url(tenant_id)
    if not servers:
        if server:
            raise ProvisioningError(
                f"no database servers are registered, so none is named {server!r}; add one"
                " with 'flask tenants servers add' or leave --server out"
            )
        return template, template, None
    counts = tenant_counts(tenancy.registry.all(), servers)
    chosen = place(servers, counts, policy=tenancy.settings.placement, named=server)
    return (
        chosen.tenant_url(template, direct=True),
        chosen.tenant_url(template),
        chosen.name,
    )


def migrate_one(tenancy: Tenancy, tenant_id: str, url: str) -> str | None:
    """Upgrade one tenant database to head and return its revision."""
    location = tenancy.settings.script_location
    outcome = upgrade_database(tenant_id, url, head_revision(location), location)
    if outcome.status == FAILED:
        raise ProvisioningError(
            f"migrating new tenant {tenant_id!r} failed: {outcome.error}; fix the migration"
            " and create the tenant again"
        )
    return outcome.to_revision


def set_status(tenancy: Tenancy, tenant_id: str, status: str) -> TenantRecord:
    """Suspend or resume a tenant."""
    record = existing_tenant(tenancy, tenant_id).with_status(status)
    tenancy.registry.put(record)
    tenancy.announce(tenant_id)
    return record


def drop_tenant(tenancy: Tenancy, tenant_id: str) -> TenantRecord:
    """Unregister a tenant, close its connections and drop its database."""
    record = existing_tenant(tenancy, tenant_id)
    tenancy.registry.remove(tenant_id)
    tenancy.announce(tenant_id)
    tenancy.engines.discard(tenant_id)
    drop_database(with_login(record.database_url, tenancy.login))
    return record


def create_database(
    url: str, *, template: str | None = None, runtime_role: str | None = None
) -> None:
    """Create an empty database (or copy ``template``); refuse if it already exists.

    With ``runtime_role`` (PostgreSQL), the role is created if missing and is the only one
    besides the owner (the login of ``url``) that may connect.
    """
    parsed = make_url(engine_url(url))
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_path(parsed)
        if path.exists():
            raise ProvisioningError(
                f"database file {path} already exists; remove it or pick another"
            )
        path.parent.mkdir(parents=True, exist_ok=True)
        return
    copy = f" TEMPLATE {_quote(template)}" if template else ""
    with _maintenance(parsed) as conn:
        if runtime_role:
            prepare_runtime_role(conn, runtime_role)
        try:
            conn.exec_driver_sql(f"CREATE DATABASE {_quote(parsed.database)}{copy}")
        except sa.exc.DBAPIError as exc:
            raise ProvisioningError(
                f"cannot create database {redact_url(url)}: {exc.orig}; check it does not"
                " exist already and the role may CREATE DATABASE"
            ) from exc
        if runtime_role:
            grant_database(conn, parsed.database, runtime_role)


def drop_database(url: str) -> None:
    """Drop a tenant database, disconnecting anyone still connected."""
    parsed = make_url(engine_url(url))
    if parsed.get_backend_name() == "sqlite":
        path = _sqlite_path(parsed)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    with _maintenance(parsed) as conn:
        conn.exec_driver_sql(
            f"DROP DATABASE IF EXISTS {_quote(parsed.database)} WITH (FORCE)"
        )


def _write_identity(url: str, tenant_id: str, runtime_role: str | None) -> None:
    engine = sa.create_engine(engine_url(url), poolclass=NullPool, hide_parameters=True)
    try:
        with engine.begin() as conn:
            write_identity(conn, tenant_id)
            if runtime_role:
                grant_schema(conn, runtime_role)
    finally:
        engine.dispose()


def _seal(url: str, runtime_role: str) -> None:
    engine = sa.create_engine(engine_url(url), poolclass=NullPool)
    try:
        with engine.begin() as conn:
            seal_bookkeeping(conn, runtime_role)
    finally:
        engine.dispose()


def existing_tenant(tenancy: Tenancy, tenant_id: str) -> TenantRecord:
    """Return the tenant's registry entry, or say it does not exist and where to look."""
    record = tenancy.registry.get(validate_tenant_id(tenant_id))
    if record is None:
        raise ProvisioningError(
            f"tenant {tenant_id!r} does not exist; 'flask tenants list' shows the tenants"
        )
    return record


@contextmanager
def _maintenance(url: URL) -> Iterator[sa.Connection]:
    """Yield an autocommit connection to the server's maintenance database (CREATE/DROP)."""
    engine = sa.create_engine(
        url.set(database=MAINTENANCE_DATABASE),
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
    )
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def _quote(name: str | None) -> str:
    if not name:
        raise ProvisioningError(
            "the database URL names no database; expected '.../<dbname>'"
        )
    return '"' + name.replace('"', '""') + '"'


def _sqlite_path(url: URL) -> Path:
    if not url.database or url.database == ":memory:":
        raise ProvisioningError(
            f"SQLite tenant URL {url} names no file; expected sqlite:///instance/tenants/x.db"
        )
    return Path(url.database)
