"""Database servers as registry entries, and where a new tenant's database goes.

The estate spreads tenant databases over several PostgreSQL servers. Each server is a
:class:`ServerRecord`: its direct URL (what the CLI connects to for CREATE DATABASE, dumps
and migrations), the PgBouncer URL the service reaches it through when one is used, how
many tenants it may hold, and whether it takes new tenants (``open``), is being emptied
(``draining``: keeps its tenants, gets no new ones) or takes none at all (``closed``).
Like tenant entries, server URLs name host, port and maybe a user, never a password.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from satchel.tenancy.errors import ProvisioningError, ServerError
from satchel.tenancy.records import TenantRecord

OPEN = "open"
DRAINING = "draining"
CLOSED = "closed"
STATES = (OPEN, DRAINING, CLOSED)

FEWEST_TENANTS = "fewest-tenants"
MOST_FREE = "most-free"
POLICIES = (FEWEST_TENANTS, MOST_FREE)

_NAME = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


@dataclass(frozen=True)
class ServerRecord:
    """One database server of the estate."""

    name: str
    url: str
    pool_url: str | None = None
    capacity: int = 500
    state: str = OPEN

    def __post_init__(self) -> None:
        where = f"server {self.name!r}"
        if not isinstance(self.name, str) or not _NAME.fullmatch(self.name):
            raise ServerError(
                f"server name {self.name!r} is not valid: expected lower-case letters, digits"
                " and inner dashes (e.g. 'db-2')"
            )
        _check_url(self.url, f"{where}: url")
        if self.pool_url is not None:
            _check_url(self.pool_url, f"{where}: pool_url")
        if not isinstance(self.capacity, int) or self.capacity < 1:
            raise ServerError(
                f"{where}: capacity {self.capacity!r} is not a whole number of tenants >= 1"
            )
        if self.state not in STATES:
            raise ServerError(
                f"{where}: state {self.state!r} is not one of {', '.join(STATES)}"
            )

    @property
    def address(self) -> tuple[str, int]:
        """Return the (host, port) of the server itself."""
        return _address(self.url)

    def tenant_url(self, template_url: str, *, direct: bool = False) -> str:
        """Return ``template_url`` (a tenant's URL) pointed at this server.

        The database name and user come from the template; host and port from the server
        (its PgBouncer unless ``direct``).
        """
        parsed = make_url(template_url)
        if parsed.get_backend_name() not in ("postgresql", "postgres"):
            raise ServerError(
                f"database servers are registered but the tenant URL template"
                f" {parsed.render_as_string()!r} is not PostgreSQL; set a postgresql:// template"
            )
        target = make_url(self.url if direct or not self.pool_url else self.pool_url)
        moved = parsed.set(host=target.host, port=target.port)
        return moved.render_as_string(hide_password=False)

    def with_changes(self, **changes: object) -> ServerRecord:
        """Return a copy with some fields changed (validated again)."""
        return replace(self, **changes)

    def as_dict(self) -> dict[str, object]:
        """Return the fields a registry stores."""
        return {
            "url": self.url,
            "pool_url": self.pool_url,
            "capacity": self.capacity,
            "state": self.state,
        }


def _check_url(url: object, where: str) -> None:
    try:
        parsed = make_url(url) if isinstance(url, str) else None
    except ArgumentError:
        parsed = None
    if parsed is None or parsed.get_backend_name() not in ("postgresql", "postgres"):
        raise ServerError(
            f"{where} {url!r} is not a PostgreSQL URL; expected postgresql://host:port"
        )
    if parsed.password:
        raise ServerError(
            f"{where} holds a password: the registry stores none; give host and port only"
            " (each process logs in with its own credentials)"
        )
    if not parsed.host:
        raise ServerError(f"{where} names no host; expected postgresql://host:port")


def _address(url: str) -> tuple[str, int]:
    parsed = make_url(url)
    return (parsed.host or "", parsed.port or 5432)


def server_of(record: TenantRecord, servers: Iterable[ServerRecord]) -> str | None:
    """Return the name of the server a tenant's database is on (by entry, else address)."""
    if record.server:
        return record.server
    try:
        address = _address(record.database_url)
    except ArgumentError:
        return None
    for server in servers:
        pool = _address(server.pool_url) if server.pool_url else None
        if address in (server.address, pool):
            return server.name
    return None


def server_key(record: TenantRecord) -> str:
    """Return the server a tenant's database is on: its registry entry, else host:port."""
    if record.server:
        return record.server
    try:
        parsed = make_url(record.database_url)
    except ArgumentError:
        return "?"
    if parsed.get_backend_name() == "sqlite":
        return "local"
    return f"{parsed.host}:{parsed.port or 5432}"


def tenant_counts(
    records: Iterable[TenantRecord], servers: Sequence[ServerRecord]
) -> Counter:
    """Return how many tenants each server holds."""
    return Counter(server_of(record, servers) for record in records)


def place(
    servers: Sequence[ServerRecord],
    counts: Counter,
    *,
    policy: str = FEWEST_TENANTS,
    named: str | None = None,
) -> ServerRecord:
    """Return the server a new tenant goes to: ``named``, or an open one chosen by ``policy``.

    ``fewest-tenants`` picks the open server holding the fewest tenants; ``most-free`` the one
    with the most room left (capacity minus tenants). Ties go to the first by name. A server
    at capacity is never chosen; a named one must be open and have room.
    """
    if policy not in POLICIES:
        raise ServerError(
            f"placement policy {policy!r} is unknown; use one of {', '.join(POLICIES)}"
        )
    if named is not None:
        return _named(servers, counts, named)
    candidates = [s for s in servers if s.state == OPEN and counts[s.name] < s.capacity]
    if not candidates:
        raise ProvisioningError(
            "no database server can take a new tenant: "
            + (
                "; ".join(
                    f"{s.name} {s.state}, {counts[s.name]}/{s.capacity}"
                    for s in servers
                )
                or "none is registered"
            )
            + ". Open a server or raise its capacity: flask tenants servers edit NAME"
        )
    if policy == FEWEST_TENANTS:
        return min(candidates, key=lambda s: (counts[s.name], s.name))
    return min(candidates, key=lambda s: (-(s.capacity - counts[s.name]), s.name))


def _named(servers: Sequence[ServerRecord], counts: Counter, name: str) -> ServerRecord:
    by_name = {s.name: s for s in servers}
    if name not in by_name:
        raise ProvisioningError(
            f"no database server named {name!r}; known: {', '.join(sorted(by_name)) or 'none'}"
            " ('flask tenants servers list')"
        )
    server = by_name[name]
    if server.state != OPEN:
        raise ProvisioningError(
            f"server {name!r} is {server.state} and takes no new tenants; open it with"
            f" 'flask tenants servers edit {name} --state open' or pick another"
        )
    if counts[name] >= server.capacity:
        raise ProvisioningError(
            f"server {name!r} is full ({counts[name]}/{server.capacity} tenants); raise its"
            " capacity or pick another"
        )
    return server
