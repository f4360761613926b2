"""Request-scoped context shared by every Satchel component.

Context variables, not ``flask.g``: they also work in CLI commands, background jobs and
threads started with :func:`contextvars.copy_context`, and they are what the log pipeline
reads. The web runtime sets and clears them around each request; tenancy sets the tenant.
"""

from __future__ import annotations

from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

#: The id of the request being served (validated incoming X-Request-ID, or a new one).
request_id: ContextVar[str | None] = ContextVar("satchel_request_id", default=None)

#: The tenant (slug) the current unit of work belongs to; ``None`` outside tenant scope.
tenant_id: ContextVar[str | None] = ContextVar("satchel_tenant_id", default=None)


@dataclass(frozen=True)
class Actor:
    """Who is acting: the subject of a verified token, or a named system process."""

    id: str
    type: str = "user"  # "user", "service" or "system"
    claims: dict[str, Any] = field(default_factory=dict)
    #: The tenants the token may act for ("*": every tenant); see satchel.tenant_claims.
    tenants: frozenset[str] = frozenset()


#: The authenticated actor of the current request, if any.
actor: ContextVar[Actor | None] = ContextVar("satchel_actor", default=None)
