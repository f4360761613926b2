"""What the registry knows about one tenant, and what a valid tenant id looks like."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace

from sqlalchemy.engine import make_url

from satchel.tenancy.errors import InvalidTenantId

ACTIVE = "active"
SUSPENDED = "suspended"
# Suspended for a move between database servers: 503 with Retry-After, not 403.
MOVING = "moving"
STATUSES = (ACTIVE, SUSPENDED, MOVING)

# A tenant id is one DNS label: it is the sub-domain the tenant is served at.
_SLUG = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


def validate_tenant_id(tenant_id: str) -> str:
    """Return ``tenant_id`` if it is a lower-case DNS label, else raise InvalidTenantId."""
    if not isinstance(tenant_id, str) or not _SLUG.fullmatch(tenant_id):
        raise InvalidTenantId(
            f"tenant id {tenant_id!r} is not valid: expected one DNS label of 1-63 characters,"
            " lower-case letters, digits and inner dashes (e.g. 'school-a')"
        )
    return tenant_id


def redact_url(url: str) -> str:
    """Return ``url`` with any password masked, for logs and CLI output."""
    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as a placeholder, never verbatim
        return "<unparsable database url>"


@dataclass(frozen=True)
class TenantRecord:
    """One tenant: its id, where its database is, whether it is served, its schema revision."""

    id: str
    database_url: str
    status: str = ACTIVE
    revision: str | None = None
    # The database server (satchel.tenancy.servers) the database is on; None: not recorded.
    server: str | None = None

    def __post_init__(self) -> None:
        validate_tenant_id(self.id)
        if self.status not in STATUSES:
            raise ValueError(
                f"tenant {self.id!r} has status {self.status!r}; expected one of {STATUSES}"
            )
        if not self.database_url:
            raise ValueError(
                f"tenant {self.id!r} has no database_url; set one in the registry"
            )

    def with_status(self, status: str) -> TenantRecord:
        """Return a copy with another status."""
        return replace(self, status=status)

    def with_revision(self, revision: str | None) -> TenantRecord:
        """Return a copy with another schema revision."""
        return replace(self, revision=revision)

    def __repr__(self) -> str:
        # Never let a password reach a log line through repr().
        return (
            f"TenantRecord(id={self.id!r}, database_url={redact_url(self.database_url)!r},"
            f" status={self.status!r}, revision={self.revision!r}, server={self.server!r})"
        )
