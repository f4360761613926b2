"""Errors raised by tenancy, each knowing the HTTP problem it becomes.

One base class, :class:`TenancyError`, so callers can catch everything tenancy raises.
Subclasses that can happen while serving a request carry ``status`` and a problem type
slug; :meth:`TenancyError.problem` turns them into :class:`satchel.problems.Problem`.
Messages say what happened, what was expected and how to fix it. Problem details never
name a database URL or another tenant: clients only learn about their own host.
"""

from __future__ import annotations

from satchel.problems import Problem


class TenancyError(Exception):
    """Base class for every error raised by :mod:`satchel.tenancy`."""

    status = 500
    slug = "tenancy-error"
    retry_after: int | None = None

    def __init__(self, message: str, *, detail: str | None = None) -> None:
        super().__init__(message)
        # ``detail`` is what a client may read; the message may name internals.
        self.detail = detail if detail is not None else message

    def problem(self) -> Problem:
        """Return the problem+json error a client receives for this error."""
        headers = {"Retry-After": str(self.retry_after)} if self.retry_after else {}
        return Problem(
            status=self.status, detail=self.detail, type=self.slug, headers=headers
        )


class NoTenantError(TenancyError):
    """Tenant-scoped work was attempted with no tenant in scope."""

    slug = "tenant-required"


class TenantSwitchError(TenancyError):
    """The tenant changed inside a unit of work that belongs to another tenant."""

    slug = "tenant-switch"


class SessionSetForbidden(TenancyError):
    """Code tried a session-level SET, which is unsafe behind a transaction-mode pooler."""

    slug = "tenant-session-set"


class InvalidTenantId(TenancyError):
    """A tenant id is not a valid slug."""

    status = 400
    slug = "tenant-invalid-id"


class MalformedHost(TenancyError):
    """The request's host cannot name a tenant (empty, bad characters, IP literal...)."""

    status = 400
    slug = "tenant-host-malformed"


class TenantNotFound(TenancyError):
    """No tenant is served at the request's host."""

    status = 404
    slug = "tenant-not-found"


class TenantSuspended(TenancyError):
    """The tenant exists but is suspended."""

    status = 403
    slug = "tenant-suspended"


class RegistryUnavailable(TenancyError):
    """The tenant registry could not be read."""

    status = 503
    slug = "tenant-registry-unavailable"
    retry_after = 5


class TenantDatabaseUnavailable(TenancyError):
    """The tenant's database refused or dropped the connection."""

    status = 503
    slug = "tenant-database-unavailable"
    retry_after = 5


class TenantIdentityMismatch(TenancyError):
    """A connection reached a database whose identity row names another tenant.

    503, not 500: the client did nothing wrong and the fix (correcting the registry
    entry) is an operator action after which the same request succeeds; until then the
    tenant is unavailable exactly like a tenant whose database is down.
    """

    status = 503
    slug = "tenant-database-mismatch"


class ConnectionBudgetExhausted(TenancyError):
    """The process's connection budget stayed full for the whole acquire timeout."""

    status = 503
    slug = "tenant-connections-exhausted"
    retry_after = 1


class TenantBelowMinimumRevision(TenancyError):
    """The tenant's schema is older than this application accepts."""

    status = 503
    slug = "tenant-migrating"
    retry_after = 30


class TenantMoving(TenancyError):
    """The tenant's database is being moved to another server; it is back shortly."""

    status = 503
    slug = "tenant-moving"
    retry_after = 10


class ProvisioningError(TenancyError):
    """Creating, suspending or dropping a tenant failed."""


class ServerError(ProvisioningError):
    """A database server entry is invalid, or an operation on the estate's servers failed."""


class MoveError(ProvisioningError):
    """Moving a tenant between database servers failed (and was rolled back)."""


class MigrationError(TenancyError):
    """Migrating a tenant database failed or could not start."""
