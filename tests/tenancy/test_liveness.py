"""Idle pooled connections are pinged before use; busy ones are not (one round trip saved)."""

from __future__ import annotations

import dataclasses
import time

import psycopg
import pytest
import sqlalchemy as sa

from satchel.tenancy import EngineOptions, run_in_tenant, session
from satchel.tenancy.runtime import Tenancy

TENANT = "school-03"


@pytest.fixture
def pinging(estate):
    """Return a factory of tenancy runtimes on the estate that ping after ``idle`` seconds."""
    made: list[Tenancy] = []

    def make(idle: float) -> Tenancy:
        options = EngineOptions(ping_after_idle=idle)
        settings = dataclasses.replace(estate.tenancy.settings, engine_options=options)
        made.append(Tenancy(estate.registry, settings))
        return made[-1]

    yield make
    for tenancy in made:
        tenancy.close()


def backend_pid(tenancy: Tenancy) -> int:
    """Run a query for the tenant; return the server process of the connection it used."""
    return run_in_tenant(
        TENANT,
        lambda: session().execute(sa.text("SELECT pg_backend_pid()")).scalar_one(),
        tenancy=tenancy,
    )


def terminate(pid: int) -> None:
    """Kill one server connection, as a restart or an idle timeout would."""
    with psycopg.connect(
        "host=127.0.0.1 user=postgres dbname=postgres", autocommit=True
    ) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]


def test_a_connection_that_died_while_idle_is_replaced_before_use(pinging):
    """After the idle time a dead pooled connection is pinged, replaced, and the work runs."""
    tenancy = pinging(idle=0.2)
    dead = backend_pid(tenancy)
    terminate(dead)
    time.sleep(0.3)
    assert backend_pid(tenancy) != dead


def test_a_connection_used_a_moment_ago_is_not_pinged(pinging):
    """Within the idle time no ping runs: a connection killed meanwhile fails one unit."""
    tenancy = pinging(idle=60)
    dead = backend_pid(tenancy)
    terminate(dead)
    # A ping would have found the dead connection and replaced it: none ran.
    with pytest.raises(sa.exc.OperationalError) as failed:
        backend_pid(tenancy)
    assert failed.value.connection_invalidated
    # That failure renewed the pool: the next unit runs on a new connection.
    assert backend_pid(tenancy) != dead


def test_a_zero_idle_time_pings_every_checkout(pinging):
    """``ping_after_idle=0`` is the old behaviour: even a just-used dead connection is caught."""
    tenancy = pinging(idle=0)
    dead = backend_pid(tenancy)
    terminate(dead)
    assert backend_pid(tenancy) != dead
