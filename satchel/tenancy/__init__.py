"""One database per tenant, chosen from the request's host.

Wire it with :func:`init_app`; use :func:`session` in handlers, :func:`tenant_scope` or
:func:`run_in_tenant` in jobs and CLI commands, :func:`cache_key` for anything cached.
Provision and migrate with ``flask tenants ...`` (:data:`cli`).
"""

from satchel.tenancy.cli import cli
from satchel.tenancy.engines import EngineOptions, TenantEngines
from satchel.tenancy.errors import (
    ConnectionBudgetExhausted,
    MalformedHost,
    MigrationError,
    MoveError,
    NoTenantError,
    ProvisioningError,
    RegistryUnavailable,
    ServerError,
    SessionSetForbidden,
    TenancyError,
    TenantBelowMinimumRevision,
    TenantDatabaseUnavailable,
    TenantIdentityMismatch,
    TenantMoving,
    TenantNotFound,
    TenantSuspended,
    TenantSwitchError,
)
from satchel.tenancy.health import health_check
from satchel.tenancy.migrate import MigrationSettings, migrate_tenants
from satchel.tenancy.move import move_tenant, recover_move
from satchel.tenancy.provision import create_tenant, drop_tenant, set_status
from satchel.tenancy.records import TenantRecord
from satchel.tenancy.registry import FileRegistry, Registry, registry_from_url
from satchel.tenancy.runtime import Tenancy, current_tenancy
from satchel.tenancy.servers import ServerRecord
from satchel.tenancy.scoped import TenantJob, cache_key, job, run_in_tenant
from satchel.tenancy.unit import current_tenant, session, tenant_scope
from satchel.tenancy.web import EXEMPT_ENDPOINTS, init_app

__all__ = [
    "EXEMPT_ENDPOINTS",
    "ConnectionBudgetExhausted",
    "EngineOptions",
    "FileRegistry",
    "MalformedHost",
    "MigrationError",
    "MigrationSettings",
    "MoveError",
    "NoTenantError",
    "ProvisioningError",
    "Registry",
    "RegistryUnavailable",
    "ServerError",
    "ServerRecord",
    "SessionSetForbidden",
    "Tenancy",
    "TenancyError",
    "TenantBelowMinimumRevision",
    "TenantDatabaseUnavailable",
    "TenantEngines",
    "TenantIdentityMismatch",
    "TenantJob",
    "TenantMoving",
    "TenantNotFound",
    "TenantRecord",
    "TenantSuspended",
    "TenantSwitchError",
    "cache_key",
    "cli",
    "create_tenant",
    "current_tenancy",
    "current_tenant",
    "drop_tenant",
    "health_check",
    "init_app",
    "job",
    "migrate_tenants",
    "move_tenant",
    "recover_move",
    "registry_from_url",
    "run_in_tenant",
    "session",
    "set_status",
    "tenant_scope",
]
