"""Fault isolation: a dead tenant database or registry costs exactly what it must, no more."""

from __future__ import annotations

import pytest

from satchel.tenancy import create_tenant, health_check
from satchel.tenancy.pgregistry import PostgresRegistry
from satchel.tenancy.provision import drop_database
from tests.tenancy.support import PG, Server, TcpProxy, host, make_app

P = "https://satchel.dev/problems/"


@pytest.fixture
def proxy():
    proxy = TcpProxy()
    yield proxy
    proxy.cut()


def test_one_unreachable_tenant_database_gets_503_while_others_work(
    estate, template_db, proxy, new_db
):
    """Cutting one tenant's database answers 503 for it and 200 for everyone else."""
    name = new_db("faulty")
    create_tenant(
        estate.tenancy, "faulty", database_url=proxy.url(name), template=template_db
    )
    app = make_app(estate.registry)
    try:
        with Server(app) as server:
            assert server.get(host("faulty")).status_code == 200
            proxy.cut()
            refused = server.get(host("faulty"))
            others = [server.get(host(t)).status_code for t in estate.tenants[:5]]
            assert server.get(host("faulty")).status_code == 503
        assert refused.status_code == 503
        assert refused.json()["type"] == P + "tenant-database-unavailable"
        assert refused.headers["Retry-After"] == "5"
        assert others == [200] * 5
    finally:
        app.extensions["satchel.tenancy"].close()
        estate.registry.remove("faulty")
        drop_database(f"{PG}/{name}")


def test_registry_outage_serves_known_tenants_and_caches_nothing_wrong(
    estate, control_url, proxy
):
    """Registry down past the TTL: known hosts 200 from the snapshot, unknown 503; back: right."""
    registry = PostgresRegistry(proxy.url(control_url.rsplit("/", 1)[1]))
    app = make_app(registry, cache_ttl=0, negative_ttl=60, registry_retry_interval=0)
    client = app.test_client()

    def status(tenant: str) -> tuple[int, str | None]:
        response = client.get("/notes", environ_overrides={"HTTP_HOST": host(tenant)})
        return response.status_code, (response.json or {}).get("type")

    try:
        assert status("school-01") == (200, None)
        proxy.cut()
        down = P + "tenant-registry-unavailable"
        assert status("school-01") == (200, None)
        assert status("nobody") == (503, down)
        with app.app_context():
            assert health_check()[0] == "warn"
        proxy.resume()
        assert status("school-01") == (200, None)
        assert status("nobody") == (404, P + "tenant-not-found")
        with app.app_context():
            assert health_check() == (
                "pass",
                "registry reachable; 1 tenant engines open",
            )
    finally:
        app.extensions["satchel.tenancy"].close()
        registry.dispose()


def test_warm_cache_keeps_serving_through_a_short_registry_outage(
    estate, control_url, proxy
):
    """Within the cache TTL a registry outage is invisible to known tenants."""
    registry = PostgresRegistry(proxy.url(control_url.rsplit("/", 1)[1]))
    app = make_app(registry, cache_ttl=300)
    client = app.test_client()
    env = {"HTTP_HOST": host("school-02")}
    try:
        assert client.get("/notes", environ_overrides=env).status_code == 200
        proxy.cut()
        assert client.get("/notes", environ_overrides=env).status_code == 200
    finally:
        app.extensions["satchel.tenancy"].close()
        registry.dispose()
