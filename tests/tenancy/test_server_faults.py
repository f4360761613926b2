"""One database server down: only its tenants get 503, /readyz names it, budgets are per server."""

from __future__ import annotations

import threading

import pytest
import sqlalchemy as sa

from satchel import health
from satchel.tenancy import (
    ConnectionBudgetExhausted,
    EngineOptions,
    create_tenant,
    run_in_tenant,
    session,
)
from satchel.tenancy.health import health_check as tenancy_health
from satchel.tenancy.registry import FileRegistry
from satchel.tenancy.servers import ServerRecord
from tests.tenancy.support import host, make_app

P = "https://satchel.dev/problems/"


@pytest.fixture(scope="module")
def two_server_app(tmp_path_factory, prefix, second_server):
    """Return an app with /readyz over two tenants on db-1 and two on db-2."""
    registry = FileRegistry(tmp_path_factory.mktemp("faults") / "tenants.yaml")
    registry.put_server(ServerRecord("db-1", "postgresql://127.0.0.1:5432"))
    registry.put_server(
        ServerRecord("db-2", f"postgresql://127.0.0.1:{second_server.port}")
    )
    app = make_app(
        registry,
        database_url_template=f"postgresql://postgres@x/{prefix}_sf_{{tenant}}",
        engine_options=EngineOptions(connection_budget=1, acquire_timeout=0.3),
    )
    health.init_app(app, cache_seconds=0, install_signal_handler=False)
    tenancy = app.extensions["satchel.tenancy"]
    health.register_check(app, "tenant-registry", lambda: tenancy_health(tenancy))
    health.mark_ready(app)
    for tenant, server in (("f1-a", "db-1"), ("f1-b", "db-1"), ("f2-a", "db-2")):
        create_tenant(tenancy, tenant, server=server)
    yield app
    tenancy.close()


def _get(app, tenant: str):
    answer = app.test_client().get(
        "/notes", environ_overrides={"HTTP_HOST": host(tenant)}
    )
    return answer.status_code, (answer.json or {}).get("type")


def test_a_stopped_server_fails_only_its_tenants_and_readyz_names_it(
    two_server_app, second_server
):
    """db-2 down: its tenant gets 503, db-1's get 200, /readyz warns naming db-2 (to insiders)."""
    app = two_server_app
    assert [_get(app, t) for t in ("f1-a", "f2-a")] == [(200, None)] * 2
    second_server.stop()
    try:
        assert _get(app, "f2-a") == (503, P + "tenant-database-unavailable")
        assert [_get(app, t) for t in ("f1-a", "f1-b")] == [(200, None)] * 2
        ready = app.test_client().get("/readyz")
        assert ready.status_code == 200
        check = ready.json["checks"]["tenant-registry"]
        assert check["status"] == "warn"
        assert check["output"].startswith("database server db-2 unreachable (")
        outside = app.test_client().get(
            "/readyz", environ_overrides={"REMOTE_ADDR": "203.0.113.9"}
        )
        assert outside.json["checks"]["tenant-registry"] == {"status": "warn"}
    finally:
        second_server.start()
    assert _get(app, "f2-a") == (200, None)
    ready = app.test_client().get("/readyz").json["checks"]["tenant-registry"]
    assert "unreachable" not in ready.get("output", "")  # a budget of 1 is always full


def test_the_connection_budget_is_per_server(two_server_app):
    """With a budget of 1, a connection held on db-1 blocks db-1 only, never db-2."""
    tenancy = two_server_app.extensions["satchel.tenancy"]
    holding, release = threading.Event(), threading.Event()

    def hold_db1():
        def work():
            session().execute(sa.text("SELECT 1"))
            holding.set()
            release.wait(10)

        run_in_tenant("f1-a", work, tenancy=tenancy)

    holder = threading.Thread(target=hold_db1)
    holder.start()
    try:
        assert holding.wait(10)
        assert (
            run_in_tenant(
                "f2-a",
                lambda: session().execute(sa.text("SELECT 2")).scalar(),
                tenancy=tenancy,
            )
            == 2
        )
        with pytest.raises(ConnectionBudgetExhausted):
            run_in_tenant(
                "f1-b", lambda: session().execute(sa.text("SELECT 3")), tenancy=tenancy
            )
    finally:
        release.set()
        holder.join()
    assert tenancy.engines.servers()["db-1"]["limit"] == 1
