"""Build the {{ cookiecutter.service_name }} application.

Read this factory as the service's table of contents: each line plugs in one concern, in the
order a request meets them. The platform code lives in ``satchel``; what is this service's own
is in this package.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from satchel import api, auth, errors, flags, health, logs, metrics, sessions, tenancy
from satchel.config import load_config
from satchel.dev_token import dev_token_command

from .flags import FLAGS
from .settings import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parent.parent
SPEC = ROOT / "spec" / "openapi.yaml"


def create_app(overrides: dict | None = None) -> Flask:
    """Return the configured application; ``overrides`` replace settings (tests)."""
    settings = load_config(Settings, prefix=ENV_PREFIX, overrides=overrides)
    app = Flask(__name__, instance_path=str(ROOT / "instance"))
    app.config.update(SECRET_KEY=settings.secret_key, SETTINGS=settings)
    sessions.init_app(app)

    logs.init_app(app, service="{{ cookiecutter.service_slug }}", env=settings.env)
    errors.init_app(app)
    metrics.init_app(app)
    # In production a SIGTERM fails readiness first, so the load balancer drains the task
    # (under satchel-serve the supervisor does this for every worker at once).
    drain = settings.drain_seconds if settings.env == "production" else 0
    health.init_app(app, drain_seconds=drain)
    tenancy.init_app(
        app,
        registry=settings.tenant_registry,
        base_domain=settings.base_domain,
        database_url_template=settings.tenant_database_url,
        script_location=str(ROOT / "migrations"),
        engine_options=tenancy.EngineOptions.for_pooler(
            settings.tenant_db_pooler,
            connection_budget=settings.tenant_db_connection_budget or None,
        ),
        runtime_role=settings.tenant_db_runtime_role,
        # The flags' Redis also carries registry changes: a suspension applies at once.
        change_feed_url=(
            settings.flags_store if settings.flags_store.startswith("redis") else None
        ),
    )
    health.register_check(app, "tenant-registry", tenancy.health_check)
    auth.init_app(
        app,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        key=settings.jwt_key,
        algorithms=settings.jwt_algorithms.split(","),
        tenant_claim=settings.jwt_tenant_claim,
    )
    flags.init_app(app, FLAGS, store_url=settings.flags_store, env_prefix=ENV_PREFIX)
    # Outside production every response is checked against the spec too.
    checks = "off" if settings.env == "production" else "raise"
    handlers = f"{__package__}.api"
    api.init_app(
        app,
        spec_path=SPEC,
        handlers=handlers,
        validate_responses=checks,
        max_body_bytes=settings.max_request_bytes,
    )

    app.cli.add_command(tenancy.cli)
    if settings.env != "production":
        app.cli.add_command(dev_token_command)
    health.mark_ready(app)
    return app
