"""The tenancy runtime of one application: registry cache, engines and admission rules."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from satchel.tenancy.cache import CachedRegistry
from satchel.tenancy.engines import EngineOptions, TenantEngines
from satchel.tenancy.errors import (
    TenancyError,
    TenantBelowMinimumRevision,
    TenantMoving,
    TenantSuspended,
)
from satchel.tenancy.hosts import tenant_from_host
from satchel.tenancy.notify import ChangeFeed
from satchel.tenancy.records import ACTIVE, MOVING, TenantRecord, validate_tenant_id
from satchel.tenancy.registry import Registry, registry_from_url
from satchel.tenancy.revisions import accepted_revisions
from satchel.tenancy.roles import login_of

EXTENSION_KEY = "satchel.tenancy"
DEFAULT_DATABASE_URL = "sqlite:///instance/tenants/{tenant}.db"
#: Host headers whose tenant id is remembered; beyond this the memory starts afresh.
MAX_REMEMBERED_HOSTS = 10_000


@dataclass(frozen=True)
class TenancySettings:
    """Everything tenancy is configured with; defaults suit the embedded SQLite demo."""

    base_domain: str | None = None
    host_map: Mapping[str, str] = field(default_factory=dict)
    min_revision: str | None = None
    script_location: str = "migrations"
    database_url_template: str = DEFAULT_DATABASE_URL
    cache_ttl: float = 60.0
    negative_ttl: float = 5.0
    # A registry that failed a read is tried again after this many seconds, not per request.
    registry_retry_interval: float = 5.0
    engine_options: EngineOptions = field(default_factory=EngineOptions)
    # PostgreSQL: the role the service runs as, granted data rights only; provisioning and
    # migrations run as this process's own login (satchel.tenancy.roles). None: one role.
    runtime_role: str | None = None
    # redis://HOST:PORT/DB?prefix=SERVICE: registry writes reach every process within
    # milliseconds over pub/sub (satchel.tenancy.notify); None: within cache_ttl.
    change_feed_url: str | None = None
    # Where `flask tenants create` puts a tenant when servers are registered (servers.py).
    placement: str = "fewest-tenants"


class Tenancy:
    """Resolve and admit tenants, and hand out their engines, for one application."""

    def __init__(self, registry: Registry | str, settings: TenancySettings) -> None:
        self.registry = (
            registry_from_url(registry) if isinstance(registry, str) else registry
        )
        self.settings = settings
        self.cache = CachedRegistry(
            self.registry,
            ttl=settings.cache_ttl,
            negative_ttl=settings.negative_ttl,
            retry_interval=settings.registry_retry_interval,
        )
        # With two roles, every tenant connection of this process uses its own login.
        self.login = (
            login_of(settings.database_url_template) if settings.runtime_role else None
        )
        options = settings.engine_options
        if self.login is not None:
            options = replace(options, login=self.login)
        self.engines = TenantEngines(options)
        self._hosts: dict[str, str] = {}
        self.feed = (
            ChangeFeed(settings.change_feed_url, self.cache)
            if settings.change_feed_url
            else None
        )
        self._accepted = (
            accepted_revisions(settings.script_location, settings.min_revision)
            if settings.min_revision
            else None
        )

    def resolve_host(self, raw_host: str | None) -> TenantRecord:
        """Return the admitted tenant served at a raw Host header value."""
        # Parsing a host is pure, so its answer is remembered (hosts that fail are not).
        tenant_id = self._hosts.get(raw_host)  # type: ignore[arg-type]
        if tenant_id is None:
            tenant_id = tenant_from_host(
                raw_host, self.settings.base_domain, self.settings.host_map
            )
            if len(self._hosts) >= MAX_REMEMBERED_HOSTS:
                self._hosts = {}
            self._hosts[raw_host] = tenant_id  # type: ignore[index]
        return self.admit(tenant_id)

    def admit(self, tenant_id: str) -> TenantRecord:
        """Return the tenant's record if it may be served now; raise the reason if not."""
        record = self.cache.lookup(validate_tenant_id(tenant_id))
        if record.status == MOVING:
            raise TenantMoving(
                f"tenant {tenant_id!r} is being moved to another database server;"
                " 'flask tenants moves' shows the move",
                detail=f"Tenant {tenant_id!r} is being moved; try again shortly.",
            )
        if record.status != ACTIVE:
            raise TenantSuspended(
                f"tenant {tenant_id!r} is {record.status}; resume it to serve it again",
                detail=f"Tenant {tenant_id!r} is suspended.",
            )
        if self._accepted is not None and record.revision not in self._accepted:
            raise TenantBelowMinimumRevision(
                f"tenant {tenant_id!r} is at schema revision {record.revision!r}; this"
                f" application needs {self.settings.min_revision!r} or later: run"
                " 'flask tenants migrate'",
                detail=f"Tenant {tenant_id!r} is being migrated; try again shortly.",
            )
        return record

    def database_url(self, tenant_id: str) -> str:
        """Return the database URL a new tenant gets from the configured template."""
        return self.settings.database_url_template.format(
            tenant=validate_tenant_id(tenant_id)
        )

    def announce(self, tenant_id: str) -> None:
        """Apply a registry write here at once, and tell every other process (change feed)."""
        self.cache.invalidate()
        if self.feed is not None:
            self.feed.publish(tenant_id)

    def close(self) -> None:
        """Stop the change feed and dispose every tenant engine (shutdown, end of a test)."""
        if self.feed is not None:
            self.feed.stop()
        self.engines.close()


def current_tenancy() -> Tenancy:
    """Return the tenancy runtime of the current Flask application."""
    from flask import current_app, has_app_context

    if has_app_context() and EXTENSION_KEY in current_app.extensions:
        return current_app.extensions[EXTENSION_KEY]
    raise TenancyError(
        "no tenancy runtime here: call satchel.tenancy.init_app(app, ...) and run inside the"
        " app context, or pass tenancy=<Tenancy> explicitly"
    )
