"""The test service's factory: reads like a generated service's table of contents."""

from __future__ import annotations

from pathlib import Path
from typing import Any, TextIO

from flask import Flask, request

from runtime_notes import db
from runtime_notes.settings import Settings
from satchel import api, auth, context, errors, health, logs, metrics
from satchel.config import load_config

SPEC = Path(__file__).parent / "spec" / "openapi.yaml"


def create_app(
    overrides: dict[str, Any] | None = None,
    *,
    environ: dict[str, str] | None = None,
    log_stream: TextIO | None = None,
    spec_path: Path = SPEC,
) -> Flask:
    """Build the app: config, logging, errors, metrics, health, tenancy, auth, database, API."""
    settings = load_config(
        Settings,
        prefix="RUNTIME_NOTES",
        environ=environ,
        overrides=overrides,
    )
    app = Flask(__name__)
    app.config["SETTINGS"] = settings
    logs.init_app(
        app,
        service="runtime-notes",
        stream=log_stream,
        level=settings.log_level,
        env=settings.env,
    )
    errors.init_app(app)
    metrics.init_app(app)
    health.init_app(
        app,
        drain_seconds=settings.drain_seconds,
        install_signal_handler=settings.handle_sigterm,
    )
    _tenant_from_host(app)
    auth.init_app(
        app,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        key=settings.jwt_key,
        algorithms=["HS256"],
    )
    db.init_app(app, settings.database_url)
    api.init_app(
        app,
        spec_path=spec_path,
        handlers="runtime_notes.api",
        validate_responses=settings.validate_responses,
    )
    health.register_check(app, "database", db.check)
    health.mark_ready(app)
    return app


def _tenant_from_host(app: Flask) -> None:
    """Stand in for satchel.tenancy: the first label of Host is the tenant, public URLs skipped."""
    public = api.public_endpoints(app)

    def resolve_tenant() -> None:
        if request.endpoint in public:
            return
        host = request.host.split(":")[0]
        if host.count(".") >= 2:
            context.tenant_id.set(host.split(".")[0])

    app.before_request(resolve_tenant)
