"""Prometheus RED metrics labelled by route template and status class, plus ``GET /metrics``.

Labels are bounded on purpose: the route is the URL rule (``/notes/<note_id>``), never the
raw path, and the tenant is never a label (1,500 tenants x routes x statuses would explode a
time-series database; the tenant belongs in logs). Under ``satchel-serve`` (the image's entry
point) every worker's samples are aggregated at scrape time: it gives each run a fresh
``PROMETHEUS_MULTIPROC_DIR`` before granian starts, and removes it at exit.
"""

from __future__ import annotations

import atexit
import os
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask, Response, request
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Gauge,
    Histogram,
    generate_latest,
    multiprocess,
)
from prometheus_client.gc_collector import GCCollector
from prometheus_client.platform_collector import PlatformCollector
from prometheus_client.process_collector import ProcessCollector

from satchel import request_id
from satchel.api.markers import mark_public, quiet_endpoints

__all__ = ["DEFAULT_BUCKETS", "UNMATCHED_ROUTE", "init_app", "registry"]

UNMATCHED_ROUTE = "<unmatched>"
DEFAULT_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
_KNOWN_METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
_EXTENSION = "satchel.metrics"


def registry(app: Flask) -> CollectorRegistry:
    """Return the registry this app's metrics live in (add your own metrics to it)."""
    return app.extensions[_EXTENSION]


def init_app(app: Flask, *, path: str = "/metrics", buckets=DEFAULT_BUCKETS) -> None:
    """Time every request, count requests in flight, and serve ``path`` for scrapes."""
    multiproc_dir = os.environ.get("PROMETHEUS_MULTIPROC_DIR")
    # A registry per app: tests build many apps, and the global one refuses duplicates.
    own = CollectorRegistry()
    if not multiproc_dir:
        ProcessCollector(registry=own)
        PlatformCollector(registry=own)
        GCCollector(registry=own)
    else:
        pid = os.getpid()
        atexit.register(multiprocess.mark_process_dead, pid)
    app.extensions[_EXTENSION] = own
    duration = Histogram(
        "http_request_duration_seconds",
        "Time to serve an HTTP request, by method, route template and status class.",
        ["method", "route", "status_class"],
        registry=own,
        buckets=buckets,
    )
    in_flight = Gauge(
        "http_requests_in_flight",
        "HTTP requests being served right now.",
        registry=own,
        multiprocess_mode="livesum",
    )
    children: dict[tuple[str, str, int], Any] = {}
    quiet = quiet_endpoints(app)
    perf_counter = time.perf_counter
    current = request._get_current_object  # one proxy lookup, not one per attribute
    request_id.init_app(app)  # starts the clock for every request
    inner = app.wsgi_app

    def count_in_flight(
        environ: dict[str, Any], start_response: Callable
    ) -> Iterable[bytes]:
        in_flight.inc()
        try:
            return inner(environ, start_response)
        finally:
            in_flight.dec()

    def observe(response: Response) -> Response:
        req = current()
        if req.endpoint in quiet:
            return response
        method = req.method
        if method not in _KNOWN_METHODS:
            method = "OTHER"
        rule = req.url_rule
        status = response.status_code
        key = (method, rule.rule if rule is not None else UNMATCHED_ROUTE, status)
        child = children.get(key)
        if child is None:
            child = children[key] = duration.labels(
                key[0], key[1], f"{status // 100}xx"
            )
        child.observe(perf_counter() - req.environ[request_id.STARTED_KEY])
        return response

    def scrape() -> Response:
        if multiproc_dir:
            target = CollectorRegistry()
            multiprocess.MultiProcessCollector(target, path=multiproc_dir)
        else:
            target = own
        return Response(generate_latest(target), content_type=CONTENT_TYPE_LATEST)

    app.wsgi_app = count_in_flight
    app.after_request(observe)
    app.add_url_rule(path, "satchel_metrics", scrape, methods=["GET"])
    mark_public(app, "satchel_metrics", scrape, quiet=True)
