"""Tenant engines behind a real PgBouncer in transaction mode, in front of the real PostgreSQL.

The estate's 20 databases are registered a second time with URLs naming PgBouncer. The
``pgbouncer`` preset keeps one client connection per tenant (they cost PgBouncer no server
backend), so a round-robin reuses them; the ``direct`` defaults, with a budget smaller than
the tenants, reconnect for nearly every request. Both are measured the same way here.
"""

from __future__ import annotations

import dataclasses

import pytest

from satchel.tenancy import EngineOptions, FileRegistry
from satchel.tenancy.testing import assert_no_leak, probe_for_leaks
from tests.tenancy.pgbouncer import running_pgbouncer
from tests.tenancy.support import Server, host, make_app


@pytest.fixture(scope="module")
def bouncer():
    with running_pgbouncer(pool_size=4, max_server=30) as running:
        yield running


@pytest.fixture(scope="module")
def bounced_registry(estate, bouncer, tmp_path_factory) -> FileRegistry:
    """Return a registry of the estate's tenants whose URLs go through PgBouncer."""
    registry = FileRegistry(tmp_path_factory.mktemp("bounced") / "tenants.yaml")
    for tenant in estate.tenants:
        record = estate.registry.get(tenant)
        url = record.database_url.replace(":5432/", f":{bouncer.port}/")
        assert url != record.database_url
        registry.add(dataclasses.replace(record, database_url=url))
    return registry


def _rounds(server: Server, tenants, rounds: int) -> None:
    for _ in range(rounds):
        for tenant in tenants:
            response = server.get(host(tenant))
            assert response.status_code == 200, response.text
            assert response.json()["notes"][0] == tenant


@pytest.mark.parametrize(
    ("pooler", "overrides", "reconnects"),
    [
        ("pgbouncer", {}, 0),
        # The direct preset aimed at PgBouncer, to count its reconnects: without the
        # prepared statements a real direct deployment uses (PgBouncer would lose them).
        ("direct", {"connection_budget": 5, "prepared_statements": False}, 40),
    ],
)
def test_round_robin_reuses_client_connections_only_with_the_pgbouncer_preset(
    estate, bounced_registry, pooler, overrides, reconnects
):
    """After one pass over 20 tenants, two more passes open no connection (preset) or 40."""
    options = EngineOptions.for_pooler(pooler, **overrides)
    app = make_app(bounced_registry, engine_options=options)
    tenancy = app.extensions["satchel.tenancy"]
    with Server(app) as server:
        _rounds(server, estate.tenants, 1)
        opened = tenancy.engines.stats()["connections_opened"]
        _rounds(server, estate.tenants, 2)
        stats = tenancy.engines.stats()
    tenancy.close()
    assert opened >= len(estate.tenants)
    assert stats["connections_opened"] - opened == reconnects
    assert stats["connections_peak"] <= options.connection_budget


def test_concurrent_tenants_through_pgbouncer_never_see_each_other(
    estate, bounced_registry
):
    """400 interleaved requests from 16 threads through PgBouncer see only their own rows.

    PgBouncer lends server connections per transaction, so this is the topology where a
    connection reused across tenants would show first.
    """
    app = make_app(
        bounced_registry, engine_options=EngineOptions.for_pooler("pgbouncer")
    )

    def fetch(tenant: str) -> tuple[int, set[str]]:
        response = server.get(host(tenant))
        if response.status_code != 200:
            return response.status_code, set()
        return 200, set(response.json()["notes"])

    with Server(app) as server:
        result = probe_for_leaks(fetch, estate.tenants, rounds=20, threads=16)
    app.extensions["satchel.tenancy"].close()
    assert_no_leak(result)
    assert result.requests == 400


def test_unknown_pooler_is_refused_with_the_choices():
    """A misspelt pooler names both valid values and what each means."""
    with pytest.raises(ValueError) as caught:
        EngineOptions.for_pooler("pgbouncr")
    assert str(caught.value) == (
        "unknown pooler 'pgbouncr': use 'direct' when tenant URLs name the PostgreSQL"
        " server, 'pgbouncer' when they name PgBouncer in transaction mode"
    )


def test_preset_values_can_be_overridden():
    """The preset is a starting point: any option given explicitly wins."""
    options = EngineOptions.for_pooler("pgbouncer", connection_budget=300)
    assert (options.connection_budget, options.pool_size) == (300, 10)
    assert EngineOptions.for_pooler() == EngineOptions(prepared_statements=True)
    assert not EngineOptions.for_pooler("pgbouncer").prepared_statements
