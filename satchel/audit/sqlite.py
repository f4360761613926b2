"""The SQLite audit table and per-table triggers (DDL only), for the embedded default.

SQLite has no ``to_jsonb(NEW)``, so each trigger lists the columns the table has when
``track`` runs: a migration that adds a column re-runs ``track`` to audit it. The triggers
call functions satchel registers on each tenant-engine connection to read who is acting;
a connection without them (the ``sqlite3`` shell) cannot write to a tracked table.
"""

from __future__ import annotations

from collections.abc import Sequence

ACTIONS = ("INSERT", "UPDATE", "DELETE")

INSTALL = [
    """
    CREATE TABLE IF NOT EXISTS satchel_audit (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        occurred_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now')),
        table_name TEXT NOT NULL,
        action TEXT NOT NULL CHECK (action IN ('INSERT', 'UPDATE', 'DELETE')),
        row_key TEXT,
        old_row TEXT,
        new_row TEXT,
        actor_id TEXT,
        actor_type TEXT,
        request_id TEXT,
        transaction_id INTEGER,
        db_user TEXT
    )
    """,
    "CREATE INDEX IF NOT EXISTS satchel_audit_row"
    " ON satchel_audit (table_name, row_key, id)",
]

UNINSTALL = ["DROP TABLE IF EXISTS satchel_audit"]


def track(
    table: str, quote, columns: Sequence[str], key_columns: Sequence[str]
) -> list[str]:
    """Return the statements that (re)create ``table``'s three audit triggers."""
    statements = untrack(table, quote)
    for action in ACTIONS:
        row = "OLD" if action == "DELETE" else "NEW"
        old = _object("OLD", quote, columns) if action != "INSERT" else "NULL"
        new = _object("NEW", quote, columns) if action != "DELETE" else "NULL"
        changed = " OR ".join(f"OLD.{quote(c)} IS NOT NEW.{quote(c)}" for c in columns)
        when = f" WHEN {changed}" if action == "UPDATE" else ""
        statements.append(
            f"CREATE TRIGGER {_trigger(table, action, quote)} AFTER {action}"
            f" ON {quote(table)}{when} BEGIN"
            " INSERT INTO satchel_audit (table_name, action, row_key, old_row, new_row,"
            " actor_id, actor_type, request_id)"
            f" VALUES ({_literal(table)}, '{action}', {_object(row, quote, key_columns)},"
            f" {old}, {new}, satchel_audit_actor_id(), satchel_audit_actor_type(),"
            " satchel_audit_request_id()); END"
        )
    return statements


def untrack(table: str, quote) -> list[str]:
    """Return the statements that drop ``table``'s audit triggers."""
    return [
        f"DROP TRIGGER IF EXISTS {_trigger(table, action, quote)}" for action in ACTIONS
    ]


def _trigger(table: str, action: str, quote) -> str:
    return quote(f"satchel_audit_{table}_{action.lower()}")


def _object(row: str, quote, columns: Sequence[str]) -> str:
    pairs = ", ".join(f"{_literal(c)}, {row}.{quote(c)}" for c in columns)
    return f"json_object({pairs})"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
