"""Isolation on the real PostgreSQL: 20 tenant databases, many threads, one real HTTP server."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
import structlog

from satchel.tenancy import EngineOptions
from satchel.tenancy.testing import assert_no_leak, probe_for_leaks
from tests.tenancy.support import Server, host, make_app

BUDGET = 6


def _fetch(server: Server):
    def fetch(tenant: str) -> tuple[int, set[str]]:
        response = server.get(host(tenant))
        if response.status_code != 200:
            return response.status_code, set()
        return 200, set(response.json()["notes"])

    return fetch


def test_concurrent_requests_never_see_another_tenants_rows(estate):
    """400 interleaved requests from 16 threads each see exactly their own sentinel."""
    app = make_app(
        estate.registry, engine_options=EngineOptions(connection_budget=BUDGET)
    )
    tenancy = app.extensions["satchel.tenancy"]
    with Server(app) as server:
        result = probe_for_leaks(_fetch(server), estate.tenants, rounds=20, threads=16)
    stats = tenancy.engines.stats()
    tenancy.close()
    assert_no_leak(result)
    assert result.requests == 400
    assert 1 <= stats["connections_peak"] <= BUDGET
    assert stats["engines"] == len(estate.tenants)


def _one_engine_for_everyone(estate):
    """Return an engine factory with the classic bug: the cache ignores which tenant asks."""
    first = estate.registry.get(estate.tenants[0])
    shared = sa.create_engine(first.database_url, pool_size=2, max_overflow=8)

    def factory(record, kwargs):
        return shared

    return factory, shared


def test_leak_probe_fails_when_isolation_is_broken(estate):
    """With the identity check off and a wrongly keyed engine, the probe reports leaks."""
    factory, shared = _one_engine_for_everyone(estate)
    options = EngineOptions(engine_factory=factory, identity_check=False)
    app = make_app(estate.registry, engine_options=options)
    with Server(app) as server:
        result = probe_for_leaks(
            _fetch(server), estate.tenants[:4], rounds=3, threads=4
        )
    app.extensions["satchel.tenancy"].close()
    shared.dispose()
    assert sorted(set(result.leaks)) == [
        f"{tenant}: saw ['{estate.tenants[0]}']" for tenant in estate.tenants[1:4]
    ]
    with pytest.raises(AssertionError, match=r"^leak probe: 9 leaks, 0 errors"):
        assert_no_leak(result)


def test_identity_check_refuses_a_wrongly_keyed_engine(estate):
    """The same bug with the identity check on: 503 for the others, logged with both ids."""
    factory, shared = _one_engine_for_everyone(estate)
    app = make_app(
        estate.registry, engine_options=EngineOptions(engine_factory=factory)
    )
    owner, other = estate.tenants[0], estate.tenants[1]
    with Server(app) as server, structlog.testing.capture_logs() as logs:
        assert server.get(host(owner)).status_code == 200
        refused = server.get(host(other))
    app.extensions["satchel.tenancy"].close()
    shared.dispose()
    assert refused.status_code == 503
    assert (
        refused.json()["type"]
        == "https://satchel.dev/problems/tenant-database-mismatch"
    )
    assert (
        owner not in refused.text
    )  # the client never learns whose database it reached
    mismatches = [
        e for e in logs if e["event"].startswith("tenant database identity mismatch")
    ]
    assert mismatches and mismatches[0]["log_level"] == "error"
    assert (mismatches[0]["expected_tenant"], mismatches[0]["found_tenant"]) == (
        other,
        owner,
    )
