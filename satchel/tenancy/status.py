"""Read every tenant database's schema revision: the deploy gate and the migration plan."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import sqlalchemy as sa

from satchel.tenancy.direct import connect
from satchel.tenancy.records import TenantRecord
from satchel.tenancy.revisions import read_revision
from satchel.tenancy.servers import ServerRecord, server_of

CURRENT = "current"
BEHIND = "behind"  # not at the target revision (older, or from another branch)
UNREACHABLE = "unreachable"


@dataclass(frozen=True)
class TenantStatus:
    """One tenant's revision in its database against the target, and in the registry."""

    tenant: str
    state: str
    revision: str | None
    registry_revision: str | None
    error: str | None = None
    server: str | None = None


def tenant_statuses(
    records: Sequence[TenantRecord],
    target: str,
    *,
    parallel: int = 8,
    servers: Sequence[ServerRecord] = (),
) -> list[TenantStatus]:
    """Return each tenant's status, reading the databases ``parallel`` at a time."""
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return list(
            pool.map(
                lambda record: _status(record, target, server_of(record, servers)),
                records,
            )
        )


def by_server(statuses: Sequence[TenantStatus]) -> dict[str, dict[str, int]]:
    """Return how many tenants of each server are current, behind and unreachable."""
    counts: dict[str, dict[str, int]] = {}
    for status in statuses:
        group = counts.setdefault(
            status.server or "-", {CURRENT: 0, BEHIND: 0, UNREACHABLE: 0}
        )
        group[status.state] += 1
    return dict(sorted(counts.items()))


def _status(record: TenantRecord, target: str, server: str | None) -> TenantStatus:
    try:
        with connect(record.database_url) as conn:
            revision = read_revision(conn)
    except sa.exc.SQLAlchemyError as exc:
        error = type(getattr(exc, "orig", None) or exc).__name__
        return TenantStatus(
            record.id, UNREACHABLE, None, record.revision, error, server
        )
    state = CURRENT if revision == target else BEHIND
    return TenantStatus(record.id, state, revision, record.revision, server=server)
