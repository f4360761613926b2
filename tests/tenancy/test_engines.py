"""Engines and units of work: budget, LRU, reaper, identity, and no switching tenants."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from satchel import context
from satchel.tenancy import (
    ConnectionBudgetExhausted,
    NoTenantError,
    SessionSetForbidden,
    TenantDatabaseUnavailable,
    TenantIdentityMismatch,
    TenantSwitchError,
    health_check,
    run_in_tenant,
    session,
    tenant_scope,
)
from satchel.tenancy.records import TenantRecord
from tests.tenancy.sqlite_estate import sqlite_tenancy

SELECT_1 = sa.text("SELECT 1")


def _touch(tenancy, tenant: str) -> None:
    with tenant_scope(tenant, tenancy=tenancy):
        session().execute(SELECT_1)


def test_budget_caps_open_connections_and_a_full_budget_times_out(tmp_path):
    """Two held connections fill a budget of two; a third tenant gets a bounded 503 error."""
    tenancy = sqlite_tenancy(tmp_path, connection_budget=2, acquire_timeout=0.2)
    holding, release = threading.Barrier(3), threading.Event()

    def hold(tenant: str) -> None:
        with tenant_scope(tenant, tenancy=tenancy):
            session().execute(SELECT_1)
            holding.wait()
            release.wait()

    with ThreadPoolExecutor(max_workers=2) as pool:
        held = [pool.submit(hold, t) for t in ("a", "b")]
        holding.wait()
        with pytest.raises(ConnectionBudgetExhausted) as caught:
            _touch(tenancy, "c")
        release.set()
        [f.result() for f in held]
    assert str(caught.value) == (
        "all 2 connections of this process's budget stayed in use for 0.2s;"
        " raise connection_budget or lower per-request connection use"
    )
    assert caught.value.problem().status == 503
    _touch(tenancy, "c")  # the held units ended: their idle connections make room
    stats = tenancy.engines.stats()
    assert (stats["connections_peak"], stats["connections_open"]) == (2, 2)
    tenancy.close()
    assert tenancy.engines.stats()["connections_open"] == 0


def test_idle_pools_are_closed_to_make_room(tmp_path):
    """With a budget of one, each tenant in turn gets the single connection."""
    tenancy = sqlite_tenancy(tmp_path, connection_budget=1, acquire_timeout=0.2)
    for tenant in ("a", "b", "c", "a"):
        _touch(tenancy, tenant)
    assert tenancy.engines.stats()["connections_peak"] == 1
    tenancy.close()


def test_lru_cap_evicts_the_least_recently_used_engine(tmp_path):
    """max_engines bounds the engines a process keeps; the oldest idle one goes first."""
    tenancy = sqlite_tenancy(tmp_path, max_engines=2)
    for tenant in ("a", "b", "a", "c"):
        _touch(tenancy, tenant)
    stats = tenancy.engines.stats()
    assert (stats["engines"], stats["evictions"]) == (2, 1)
    assert tenancy.engines.tenants() == ["a", "c"]
    tenancy.close()


def test_reaper_closes_idle_connections(tmp_path):
    """reap() closes pooled connections of engines idle longer than the timeout."""
    tenancy = sqlite_tenancy(tmp_path)
    for tenant in ("a", "b"):
        _touch(tenancy, tenant)
    assert tenancy.engines.stats()["connections_open"] == 2
    assert tenancy.engines.reap(idle_for=3600) == 0
    assert tenancy.engines.reap(idle_for=0) == 2
    assert tenancy.engines.stats()["connections_open"] == 0
    tenancy.close()


def test_session_refuses_to_run_after_the_tenant_in_context_changes(tmp_path):
    """Changing the context's tenant under an open session makes its next query raise."""
    tenancy = sqlite_tenancy(tmp_path)
    with tenant_scope("a", tenancy=tenancy):
        current = session()
        token = context.tenant_id.set("b")
        try:
            with pytest.raises(TenantSwitchError) as caught:
                current.execute(SELECT_1)
        finally:
            context.tenant_id.reset(token)
    assert str(caught.value) == (
        "session of tenant 'a' used while the tenant in context is 'b';"
        " open a new tenant_scope() for the other tenant instead"
    )
    tenancy.close()


def test_entering_another_tenant_inside_a_unit_raises_and_the_same_one_is_reused(
    tmp_path,
):
    """Nested scopes: same tenant reuses the unit; another tenant is refused."""
    tenancy = sqlite_tenancy(tmp_path)
    with tenant_scope("a", tenancy=tenancy) as outer:
        with tenant_scope("a", tenancy=tenancy) as inner:
            assert inner is outer
        with pytest.raises(TenantSwitchError) as caught:
            with tenant_scope("b", tenancy=tenancy):
                pass
    assert str(caught.value) == (
        "cannot enter tenant 'b' inside the unit of work of tenant 'a';"
        " run it as a separate job (run_in_tenant) instead"
    )
    tenancy.close()


def test_session_outside_any_tenant_raises():
    """No tenant in scope: asking for a session fails loudly with the fix."""
    with pytest.raises(NoTenantError) as caught:
        session()
    assert str(caught.value) == (
        "no tenant in scope: this code needs a tenant; it runs inside a request on a"
        " tenant host, or wrap it in tenancy.tenant_scope('<tenant>')"
    )


def test_a_database_of_another_tenant_is_refused_on_first_connect(tmp_path):
    """A registry entry pointing at another tenant's database fails the identity check."""
    tenancy = sqlite_tenancy(tmp_path)
    wrong = TenantRecord("a", f"sqlite:///{tmp_path}/b.db")
    tenancy.registry.put(wrong)
    tenancy.cache.invalidate()
    with pytest.raises(TenantIdentityMismatch) as caught:
        _touch(tenancy, "a")
    assert str(caught.value) == (
        f"database at sqlite:///{tmp_path}/b.db belongs to tenant 'b', not 'a';"
        " correct the registry entry of this tenant"
    )
    assert tenancy.engines.stats()["connections_open"] == 0
    tenancy.close()


def test_a_database_without_identity_row_is_unavailable(tmp_path):
    """A database that was never provisioned (no identity table) is not served."""
    tenancy = sqlite_tenancy(tmp_path, tenants=("a",))
    sa.create_engine(f"sqlite:///{tmp_path}/blank.db").connect().close()
    tenancy.registry.put(TenantRecord("a", f"sqlite:///{tmp_path}/blank.db"))
    tenancy.cache.invalidate()
    with pytest.raises(TenantDatabaseUnavailable):
        _touch(tenancy, "a")
    assert tenancy.engines.stats()["connections_open"] == 0
    tenancy.close()


@pytest.mark.parametrize(
    ("statement", "refused"),
    [
        ("SET statement_timeout = 0", True),
        ("  set search_path TO other", True),
        ("SET LOCAL statement_timeout = 0", False),
        ("SELECT set_config('statement_timeout', '0', true)", False),
    ],
    ids=["session SET", "lower-case SET", "SET LOCAL", "set_config local"],
)
def test_session_level_set_is_refused_on_postgresql(estate, statement, refused):
    """Only transaction-scoped settings reach the server (PgBouncer transaction mode)."""

    def run() -> None:
        session().execute(sa.text(statement))

    if not refused:
        run_in_tenant("school-01", run, tenancy=estate.tenancy)
        return
    with pytest.raises(SessionSetForbidden) as caught:
        run_in_tenant("school-01", run, tenancy=estate.tenancy)
    assert str(caught.value).endswith(
        "refused: it would outlive the transaction behind PgBouncer; use SET LOCAL or"
        " set_config(name, value, true)"
    )


def test_health_check_warns_when_the_budget_is_full(tmp_path):
    """Readiness degrades to warn (not fail) while every budgeted connection is open."""
    tenancy = sqlite_tenancy(tmp_path, tenants=("a",), connection_budget=1)
    assert health_check(tenancy) == (
        "pass",
        "registry reachable; 0 tenant engines open",
    )
    with tenant_scope("a", tenancy=tenancy):
        session().execute(SELECT_1)
        assert health_check(tenancy) == (
            "warn",
            "connection budget of server local full (1 open)",
        )
    tenancy.close()
