"""Read the audit trail back as typed records, newest first."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import sqlalchemy as sa

_COLUMNS = (
    "id, occurred_at, table_name, action, row_key, old_row, new_row,"
    " actor_id, actor_type, request_id, transaction_id, db_user"
)


@dataclass(frozen=True)
class AuditRecord:
    """One audited row change."""

    id: int
    occurred_at: datetime
    table: str
    action: str  # "INSERT", "UPDATE" or "DELETE"
    key: dict[str, Any]
    old: dict[str, Any] | None
    new: dict[str, Any] | None
    actor_id: str | None
    actor_type: str | None  # None: written by something other than satchel
    request_id: str | None
    transaction_id: int | None  # None on SQLite
    db_user: str | None  # None on SQLite


def history(
    bind: sa.Connection | Any,
    table: str | None = None,
    key: dict[str, Any] | None = None,
    limit: int = 100,
) -> list[AuditRecord]:
    """Return up to ``limit`` audit records of ``bind``'s database, newest first.

    ``bind`` is a Connection or Session; ``table`` and ``key`` (the primary-key values, as
    in ``{"id": 7}``) narrow it to one table or one row.
    """
    if key is not None and table is None:
        raise ValueError("a row key names a row of one table: pass table= as well")
    postgres = _dialect(bind) == "postgresql"
    where, params = [], {"limit": limit}
    if table is not None:
        where.append("table_name = :table")
        params["table"] = table
    if key is not None and postgres:
        where.append("row_key = CAST(:key AS jsonb)")
        params["key"] = json.dumps(key)
    elif key is not None:
        for index, (column, value) in enumerate(key.items()):
            where.append(f"json_extract(row_key, :path{index}) = :value{index}")
            params |= {f"path{index}": f'$."{column}"', f"value{index}": value}
    clause = f" WHERE {' AND '.join(where)}" if where else ""
    rows = bind.execute(
        sa.text(
            f"SELECT {_COLUMNS} FROM satchel_audit{clause} ORDER BY id DESC LIMIT :limit"
        ),
        params,
    )
    return [_record(row) for row in rows]


def _record(row: Any) -> AuditRecord:
    return AuditRecord(
        id=row.id,
        occurred_at=_timestamp(row.occurred_at),
        table=row.table_name,
        action=row.action,
        key=_json(row.row_key),
        old=_json(row.old_row),
        new=_json(row.new_row),
        actor_id=row.actor_id,
        actor_type=row.actor_type,
        request_id=row.request_id,
        transaction_id=row.transaction_id,
        db_user=row.db_user,
    )


def _json(value: Any) -> Any:
    # PostgreSQL's driver decodes jsonb; SQLite hands back the JSON text.
    return json.loads(value) if isinstance(value, str) else value


def _timestamp(value: Any) -> datetime:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _dialect(bind: Any) -> str:
    dialect = getattr(bind, "dialect", None) or bind.get_bind().dialect
    return dialect.name
