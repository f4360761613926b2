"""Read every tenant database's schema revision: the deploy gate and the migration plan."""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import sqlalchemy as sa

from satchel.tenancy.direct import connect
from satchel.tenancy.records import TenantRecord
from satchel.tenancy.revisions import read_revision

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


def tenant_statuses(
    records: Sequence[TenantRecord], target: str, *, parallel: int = 8
) -> list[TenantStatus]:
    """Return each tenant's status, reading the databases ``parallel`` at a time."""
    with ThreadPoolExecutor(max_workers=parallel) as pool:
        return list(pool.map(lambda record: _status(record, target), records))


def _status(record: TenantRecord, target: str) -> TenantStatus:
    try:
        with connect(record.database_url) as conn:
            revision = read_revision(conn)
    except sa.exc.SQLAlchemyError as exc:
        error = type(getattr(exc, "orig", None) or exc).__name__
        return TenantStatus(record.id, UNREACHABLE, None, record.revision, error)
    state = CURRENT if revision == target else BEHIND
    return TenantStatus(record.id, state, revision, record.revision)
