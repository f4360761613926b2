"""Server-side prepared statements: on for direct connections, off behind PgBouncer."""

from __future__ import annotations

import dataclasses

import pytest
import sqlalchemy as sa

from satchel.tenancy import EngineOptions, run_in_tenant, session
from satchel.tenancy.runtime import Tenancy

TENANT = "school-03"
QUERY = "SELECT count(*) FROM pg_class WHERE relname = :name"


def prepared_after_repeats(estate, options: EngineOptions) -> list[str]:
    """Run one query ten times in a unit; return the statements the server holds prepared."""
    settings = dataclasses.replace(estate.tenancy.settings, engine_options=options)
    tenancy = Tenancy(estate.registry, settings)

    def work() -> list[str]:
        for _ in range(10):
            session().execute(sa.text(QUERY), {"name": "notes"}).scalar_one()
        listed = session().execute(
            sa.text("SELECT statement FROM pg_prepared_statements")
        )
        return list(listed.scalars())

    try:
        return run_in_tenant(TENANT, work, tenancy=tenancy)
    finally:
        tenancy.close()


def test_direct_connections_prepare_a_repeated_query(estate):
    """The direct preset lets psycopg prepare a query the server has seen five times."""
    statements = prepared_after_repeats(estate, EngineOptions.for_pooler("direct"))
    assert any("pg_class" in statement for statement in statements), statements


@pytest.mark.parametrize(
    "options",
    [EngineOptions.for_pooler("pgbouncer"), EngineOptions()],
    ids=["pgbouncer preset", "plain options"],
)
def test_pgbouncer_and_plain_options_never_prepare(estate, options):
    """Behind PgBouncer (and unless asked) nothing is prepared: any backend may serve next."""
    assert prepared_after_repeats(estate, options) == []
