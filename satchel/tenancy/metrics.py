"""Connection gauges on the service's ``/metrics``: how full the budget is, how fast it churns.

``satchel_tenancy_connections_opened_total`` rising with the request rate means connections
are being reopened for nearly every request (more active tenants than the budget holds):
the signal to put PgBouncer in front and choose the ``pgbouncer`` preset. Updated when a
connection opens or closes, never per request, so they hold across worker processes too.
"""

from __future__ import annotations

from flask import Flask
from prometheus_client import Counter, Gauge

from satchel.tenancy.engines import TenantEngines

_METRICS_EXTENSION = "satchel.metrics"


def instrument(app: Flask, engines: TenantEngines) -> bool:
    """Publish ``engines``' connection counts in the app's metrics; False without metrics."""
    registry = app.extensions.get(_METRICS_EXTENSION)
    if registry is None:
        return False
    open_now = Gauge(
        "satchel_tenancy_connections_open",
        "Tenant database connections open now, idle pooled ones included.",
        registry=registry,
        multiprocess_mode="livesum",
    )
    opened = Counter(
        "satchel_tenancy_connections_opened",
        "Tenant database connections opened since start.",
        registry=registry,
    )
    budget = Gauge(
        "satchel_tenancy_connection_budget",
        "Connections each process may hold open to one database server (its budget).",
        registry=registry,
        multiprocess_mode="liveall",
    )
    budget.set(engines.options.connection_budget)
    open_now.set(engines.stats()["connections_open"])

    def on_open() -> None:
        open_now.inc()
        opened.inc()

    engines.watch(on_open=on_open, on_close=open_now.dec)
    return True
