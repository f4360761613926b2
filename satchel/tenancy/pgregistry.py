"""A tenant registry kept in a control-plane PostgreSQL database (the production backend)."""

from __future__ import annotations

from collections.abc import Mapping

import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.exc import DBAPIError, IntegrityError, SQLAlchemyError

from satchel.tenancy.errors import ProvisioningError, RegistryUnavailable
from satchel.tenancy.journal import ControlEvent
from satchel.tenancy.records import TenantRecord, redact_url
from satchel.tenancy.servers import ServerRecord

metadata = sa.MetaData()
tenants_table = sa.Table(
    "satchel_tenants",
    metadata,
    sa.Column("id", sa.Text, primary_key=True),
    sa.Column("database_url", sa.Text, nullable=False),
    sa.Column("status", sa.Text, nullable=False),
    sa.Column("revision", sa.Text),
    sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.func.now()),
    sa.Column("server", sa.Text),
)
servers_table = sa.Table(
    "satchel_servers",
    metadata,
    sa.Column("name", sa.Text, primary_key=True),
    sa.Column("url", sa.Text, nullable=False),
    sa.Column("pool_url", sa.Text),
    sa.Column("capacity", sa.Integer, nullable=False),
    sa.Column("state", sa.Text, nullable=False),
)
# Append-only: rows are inserted, never updated (satchel.tenancy.journal).
events_table = sa.Table(
    "satchel_control_audit",
    metadata,
    sa.Column("id", sa.BigInteger, sa.Identity(), primary_key=True),
    sa.Column("at", sa.Text, nullable=False),
    sa.Column("actor", sa.Text, nullable=False),
    sa.Column("action", sa.Text, nullable=False),
    sa.Column("subject", sa.Text, nullable=False, index=True),
    sa.Column("details", sa.JSON, nullable=False),
)


class PostgresRegistry:
    """Tenants as rows of ``satchel_tenants`` in a control-plane database.

    The table is created on first write. Connections come from a small pool of its own,
    with short connect and statement timeouts so a sick control plane answers 503 fast.
    A read is one transaction: no pre-ping (it costs a transaction of its own); a pooled
    connection the server closed is retried once on a new one instead.
    """

    def __init__(self, url: str, *, timeout_seconds: int = 3) -> None:
        self.url = url
        self._engine = sa.create_engine(
            url.replace("postgresql://", "postgresql+psycopg://", 1),
            pool_size=2,
            max_overflow=2,
            pool_timeout=timeout_seconds,
            pool_recycle=300,
            hide_parameters=True,  # registry rows hold database URLs
            connect_args={
                "connect_timeout": timeout_seconds,
                "options": f"-c statement_timeout={timeout_seconds * 1000}",
                "prepare_threshold": None,
            },
        )
        self._table_ready = False

    def get(self, tenant_id: str) -> TenantRecord | None:
        """Return the tenant's record, or None if there is no such tenant."""
        rows = self._read(
            sa.select(tenants_table).where(tenants_table.c.id == tenant_id)
        )
        return rows[0] if rows else None

    def all(self) -> list[TenantRecord]:
        """Return every tenant's record, ordered by id."""
        return self._read(sa.select(tenants_table).order_by(tenants_table.c.id))

    def add(self, record: TenantRecord) -> None:
        """Add a new tenant; raise ProvisioningError if the id is taken."""
        try:
            self._write(sa.insert(tenants_table).values(**_row(record)))
        except IntegrityError as exc:
            raise ProvisioningError(
                f"tenant {record.id!r} already exists in the control-plane registry;"
                " pick another id or drop the existing tenant first"
            ) from exc

    def put(self, record: TenantRecord) -> None:
        """Replace an existing tenant's record."""
        self._write(
            sa.update(tenants_table)
            .where(tenants_table.c.id == record.id)
            .values(**_row(record), updated_at=sa.func.now())
        )

    def remove(self, tenant_id: str) -> None:
        """Forget a tenant (no error if it is already gone)."""
        self._write(sa.delete(tenants_table).where(tenants_table.c.id == tenant_id))

    def record_revisions(self, revisions: Mapping[str, str | None]) -> None:
        """Store the schema revision of several tenants at once."""
        if not revisions:
            return
        statement = (
            sa.update(tenants_table)
            .where(tenants_table.c.id == sa.bindparam("tenant"))
            .values(revision=sa.bindparam("rev"), updated_at=sa.func.now())
        )
        params = [{"tenant": tenant, "rev": rev} for tenant, rev in revisions.items()]
        self._write(statement, params)

    def ping(self) -> None:
        """Raise RegistryUnavailable unless the control-plane database answers."""
        self._read(sa.select(tenants_table).limit(1))

    def servers(self) -> list[ServerRecord]:
        """Return every database server of the estate, ordered by name."""
        rows = self._rows(sa.select(servers_table).order_by(servers_table.c.name))
        return [
            ServerRecord(r.name, r.url, r.pool_url, r.capacity, r.state) for r in rows
        ]

    def put_server(self, server: ServerRecord) -> None:
        """Add a database server, or replace the entry of the same name."""
        values = {"name": server.name, **server.as_dict()}
        statement = pg_insert(servers_table).values(**values)
        self._write(
            statement.on_conflict_do_update(
                index_elements=["name"], set_=server.as_dict()
            )
        )

    def record_event(self, event: ControlEvent) -> None:
        """Append one row to ``satchel_control_audit``."""
        self._write(sa.insert(events_table).values(**event.as_dict()))

    def events(self, subject: str | None = None) -> list[ControlEvent]:
        """Return the control plane's audit, oldest first (only ``subject``'s if given)."""
        statement = sa.select(events_table).order_by(events_table.c.id)
        if subject is not None:
            statement = statement.where(events_table.c.subject == subject)
        return [
            ControlEvent(r.action, r.subject, r.actor, r.details, r.at)
            for r in self._rows(statement)
        ]

    def dispose(self) -> None:
        """Close the registry's pooled connections."""
        self._engine.dispose()

    def _read(self, statement: sa.Select) -> list[TenantRecord]:
        return [
            TenantRecord(
                id=row.id,
                database_url=row.database_url,
                status=row.status,
                revision=row.revision,
                server=row.server,
            )
            for row in self._rows(statement)
        ]

    def _rows(self, statement: sa.Select) -> list[sa.Row]:
        try:
            self._ensure_table()
            try:
                return self._select(statement)
            except DBAPIError as exc:
                if not exc.connection_invalidated:
                    raise
                return self._select(statement)  # the pool was stale: once more, afresh
        except SQLAlchemyError as exc:
            raise self._unavailable(exc) from exc

    def _select(self, statement: sa.Select) -> list[sa.Row]:
        with self._engine.connect() as conn:
            return list(conn.execute(statement))

    def _write(self, statement: sa.Executable, params: list | None = None) -> None:
        try:
            self._ensure_table()
            with self._engine.begin() as conn:
                conn.execute(statement, params)
        except IntegrityError:
            raise
        except SQLAlchemyError as exc:
            raise self._unavailable(exc) from exc

    def _ensure_table(self) -> None:
        if self._table_ready:
            return
        with self._engine.begin() as conn:
            metadata.create_all(conn, checkfirst=True)
            # Registries made before servers existed gain the column in place (checked
            # first: ALTER takes an exclusive lock even when there is nothing to add).
            columns = sa.inspect(conn).get_columns("satchel_tenants")
            if "server" not in {column["name"] for column in columns}:
                conn.exec_driver_sql(
                    "ALTER TABLE satchel_tenants ADD COLUMN server text"
                )
        self._table_ready = True

    def _unavailable(self, exc: SQLAlchemyError) -> RegistryUnavailable:
        reason = type(getattr(exc, "orig", None) or exc).__name__
        return RegistryUnavailable(
            f"control-plane registry at {redact_url(self.url)} cannot be reached ({reason});"
            " check the database is up and the URL is right",
            detail="The tenant registry is unavailable; try again shortly.",
        )


def _row(record: TenantRecord) -> dict[str, str | None]:
    return {
        "id": record.id,
        "database_url": record.database_url,
        "status": record.status,
        "revision": record.revision,
        "server": record.server,
    }
