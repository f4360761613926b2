"""Connection gauges on /metrics follow the budget's own counts, on the real PostgreSQL."""

from __future__ import annotations

from prometheus_client.parser import text_string_to_metric_families

from satchel.tenancy import EngineOptions
from tests.tenancy.support import host, make_app


def _scrape(client) -> dict[str, float]:
    text = client.get("/metrics").get_data(as_text=True)
    return {
        sample.name: sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
        if sample.name.startswith("satchel_tenancy_")
        and not sample.name.endswith("_created")
    }


def test_gauges_show_budget_use_and_churn(estate):
    """20 tenants through a budget of 5: 5 open, 20 opened, budget 5, as the engines count."""
    app = make_app(
        estate.registry,
        with_metrics=True,
        engine_options=EngineOptions(connection_budget=5),
    )
    client = app.test_client()
    for tenant in estate.tenants:
        assert client.get("/notes", headers={"Host": host(tenant)}).status_code == 200
    scraped = _scrape(client)
    stats = app.extensions["satchel.tenancy"].engines.stats()
    app.extensions["satchel.tenancy"].close()
    assert (stats["connections_open"], stats["connections_opened"]) == (5, 20)
    assert scraped == {
        "satchel_tenancy_connections_open": 5.0,
        "satchel_tenancy_connections_opened_total": 20.0,
        "satchel_tenancy_connection_budget": 5.0,
    }
    closed = _scrape(client)["satchel_tenancy_connections_open"]
    assert closed == 0.0  # close() returned every connection, and the gauge saw it
