"""The body of a service's ``migrations/env.py``: one tenant database per Alembic run.

The tenant orchestrator passes an open connection (already in its transaction, holding the
advisory lock) as ``config.attributes["connection"]``. A developer running ``alembic``
directly names one database with ``alembic -x url=postgresql://.../db upgrade head`` (or
``sqlalchemy.url`` in alembic.ini); migrating every tenant is ``flask tenants migrate``.
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa
from alembic import context
from sqlalchemy.pool import NullPool

from satchel.tenancy.engines import engine_url
from satchel.tenancy.errors import MigrationError


def run_migrations(target_metadata: Any) -> None:
    """Run the pending migrations for the connection or URL this Alembic run was given."""
    connection = context.config.attributes.get("connection")
    if connection is not None:
        _run(connection, target_metadata)
        return
    url = context.get_x_argument(as_dictionary=True).get(
        "url"
    ) or context.config.get_main_option("sqlalchemy.url")
    if not url:
        raise MigrationError(
            "no database to migrate: run 'flask tenants migrate' for every tenant, or name one"
            " database with 'alembic -x url=postgresql://host/db upgrade head'"
        )
    if context.is_offline_mode():
        context.configure(
            url=engine_url(url), target_metadata=target_metadata, literal_binds=True
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = sa.create_engine(engine_url(url), poolclass=NullPool, hide_parameters=True)
    try:
        with engine.connect() as conn:
            _run(conn, target_metadata)
            conn.commit()
    finally:
        engine.dispose()


def _run(connection: sa.Connection, target_metadata: Any) -> None:
    # Alembic's begin_transaction() is a no-op when the caller's transaction is open.
    context.configure(connection=connection, target_metadata=target_metadata)
    with context.begin_transaction():
        context.run_migrations()
