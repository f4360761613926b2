"""Flask integration: resolve the tenant from the host before each request, finish after."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import sqlalchemy.exc
from flask import Flask, current_app, g, request
from flask.typing import ResponseReturnValue

from satchel.errors import unexpected_response
from satchel.problems import Problem
from satchel.tenancy.engines import EngineOptions
from satchel.tenancy.errors import (
    ConnectionBudgetExhausted,
    TenancyError,
    TenantDatabaseUnavailable,
)
from satchel.tenancy.metrics import instrument
from satchel.tenancy.registry import Registry
from satchel.tenancy.runtime import (
    DEFAULT_DATABASE_URL,
    EXTENSION_KEY,
    Tenancy,
    TenancySettings,
)
from satchel.tenancy.unit import _Entered, enter_unit, exit_unit

#: Endpoints served without a tenant: health, metrics and the API description.
EXEMPT_ENDPOINTS = frozenset({"livez", "readyz", "metrics", "openapi", "docs"})
_G_KEY = "_satchel_tenancy_unit"


def init_app(
    app: Flask,
    *,
    registry: Registry | str,
    base_domain: str | None = None,
    host_map: Mapping[str, str] | None = None,
    min_revision: str | None = None,
    engine_options: EngineOptions | None = None,
    script_location: str = "migrations",
    database_url_template: str = DEFAULT_DATABASE_URL,
    cache_ttl: float = 60.0,
    negative_ttl: float = 5.0,
    registry_retry_interval: float = 5.0,
    exempt_endpoints: frozenset[str] = EXEMPT_ENDPOINTS,
    runtime_role: str | None = None,
    change_feed_url: str | None = None,
    placement: str = "fewest-tenants",
) -> Tenancy:
    """Make ``app`` multi-tenant: every non-exempt request runs in its host's tenant.

    Relative ``file://`` registries and ``sqlite:///`` databases are taken from the
    application's root (the parent of its instance folder), like the flag store, so the
    service behaves the same whichever directory a command is run from. ``runtime_role``
    (PostgreSQL) splits the owner migrations run as from the role the service runs as:
    see :mod:`satchel.tenancy.roles`. ``change_feed_url`` (``redis://...?prefix=SERVICE``)
    brings suspensions and new tenants to every process within milliseconds; each process
    subscribes on its first request: see :mod:`satchel.tenancy.notify`.
    """
    root = Path(app.instance_path).parent
    if isinstance(registry, str):
        registry = anchor_url(registry, root)
    settings = TenancySettings(
        base_domain=base_domain,
        host_map=dict(host_map or {}),
        min_revision=min_revision,
        script_location=script_location,
        database_url_template=anchor_url(database_url_template, root),
        cache_ttl=cache_ttl,
        negative_ttl=negative_ttl,
        registry_retry_interval=registry_retry_interval,
        engine_options=engine_options or EngineOptions(),
        runtime_role=runtime_role or None,
        change_feed_url=change_feed_url or None,
        placement=placement,
    )
    tenancy = Tenancy(registry, settings)
    app.extensions[EXTENSION_KEY] = tenancy
    instrument(
        app, tenancy.engines
    )  # after satchel.metrics.init_app, if the app has it
    app.config.setdefault("SATCHEL_TENANCY_EXEMPT_ENDPOINTS", exempt_endpoints)
    if tenancy.feed is not None:
        # Starts this process's listener; afterwards one int comparison per request.
        app.before_request(tenancy.feed.ensure_listening)
    app.before_request(_enter_tenant)
    app.after_request(_commit)
    app.teardown_request(_leave_tenant)
    app.register_error_handler(TenancyError, _render_tenancy_error)
    app.register_error_handler(sqlalchemy.exc.TimeoutError, _render_pool_timeout)
    app.register_error_handler(sqlalchemy.exc.DBAPIError, _render_lost_connection)
    return tenancy


def anchor_url(url: str, root: Path) -> str:
    """Return ``url`` with a relative file or SQLite path made absolute under ``root``."""
    for scheme in ("file://", "sqlite:///"):
        if url.startswith(scheme) and not url[len(scheme) :].startswith("/"):
            return f"{scheme}{root / url[len(scheme):]}"
    return url


def _enter_tenant() -> None:
    view = current_app.view_functions.get(request.endpoint or "")
    exempt = current_app.config["SATCHEL_TENANCY_EXEMPT_ENDPOINTS"]
    if request.endpoint in exempt or getattr(view, "satchel_public", False):
        return
    tenancy: Tenancy = current_app.extensions[EXTENSION_KEY]
    # The raw Host header only: never a header or parameter the client picks otherwise.
    record = tenancy.resolve_host(request.environ.get("HTTP_HOST"))
    setattr(g, _G_KEY, enter_unit(tenancy, record))


def _commit(response: Any) -> Any:
    entered: _Entered | None = g.get(_G_KEY)
    if entered is not None and response.status_code < 400:
        try:
            entered.unit.commit()
        except Exception as exc:  # noqa: BLE001 - after the view no error handler runs
            # A constraint checked at commit (a race on a unique name) is the client's 409,
            # anything else a logged 500: never the success response of a rolled-back unit.
            return unexpected_response(exc)
    return response


def _leave_tenant(exc: BaseException | None) -> None:
    entered: _Entered | None = g.pop(_G_KEY, None)
    if entered is not None:
        exit_unit(entered)


def _render_tenancy_error(exc: TenancyError) -> ResponseReturnValue:
    return _render(exc.problem())


def _render_pool_timeout(exc: sqlalchemy.exc.TimeoutError) -> ResponseReturnValue:
    return _render(
        ConnectionBudgetExhausted(
            str(exc),
            detail="The service is at its database connection limit; retry shortly.",
        ).problem()
    )


def _render_lost_connection(exc: sqlalchemy.exc.DBAPIError) -> ResponseReturnValue:
    if not exc.connection_invalidated:
        # An ordinary database error: the client's 409/422, or a logged 500 (never re-raised:
        # an error leaving a handler reaches the client as Werkzeug's bare 500).
        return unexpected_response(exc)
    return _render(
        TenantDatabaseUnavailable(
            str(exc), detail="This tenant's database is unavailable; try again shortly."
        ).problem()
    )


def _render(problem: Problem) -> ResponseReturnValue:
    """Hand the problem to the app's Problem handler; render it here if none is installed."""
    try:
        return current_app.handle_user_exception(problem)
    except Problem:
        headers = {"Content-Type": "application/problem+json", **problem.headers}
        return problem.to_json(), problem.status, headers
