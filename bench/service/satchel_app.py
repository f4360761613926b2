"""Server (2): the satchel-routed service: logs, errors, metrics, health, auth, spec router."""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from satchel import api, auth, errors, health, logs, metrics

SPEC = Path(__file__).parent / "bench_items" / "openapi.yaml"


def create_app() -> Flask:
    """Build the service the way a generated service's create_app does (tenancy not wired)."""
    app = Flask(__name__)
    # Access lines are rendered in full but written to /dev/null, so the cost is measured
    # without the terminal or a pipe becoming the bottleneck.
    logs.init_app(
        app, service="bench-items", stream=open(os.devnull, "w"), env="production"
    )
    errors.init_app(app)
    metrics.init_app(app)
    health.init_app(app)
    auth.init_app(
        app,
        issuer="https://auth.bench.test",
        audience="bench-items",
        key=os.environ["BENCH_JWT_KEY"],
    )
    api.init_app(app, spec_path=SPEC, handlers="bench_items.api")
    health.mark_ready(app)
    return app


app = create_app()
