"""The PostgreSQL audit table, trigger function and per-table triggers (DDL only).

``occurred_at`` is ``clock_timestamp()``, the moment the row changed: ``now()`` would give
every row of a long job its start time. Rows of one transaction share ``transaction_id``
and are ordered by ``id``. The row key is computed from trigger arguments (the primary-key
columns read from the live table when ``track`` runs), so no catalog lookup happens per
row (for a one-column key, the usual case, without a query: about a fifth of the trigger's
time); re-run ``track`` after changing a primary key. Whole rows are ``to_jsonb``, so columns
added later are captured without re-tracking. An UPDATE that changes nothing is skipped.
The function is ``SECURITY DEFINER`` and the table refuses writes from anyone but its owner
(:mod:`satchel.audit.privileges`), so ``db_user`` records ``session_user``: the role that
logged in, not the definer.
"""

from __future__ import annotations

from collections.abc import Sequence

from satchel.audit.privileges import SEAL

TRIGGER = "satchel_audit"

INSTALL = [
    """
    CREATE TABLE IF NOT EXISTS satchel_audit (
        id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        occurred_at timestamptz NOT NULL DEFAULT clock_timestamp(),
        table_name text NOT NULL,
        action text NOT NULL CHECK (action IN ('INSERT', 'UPDATE', 'DELETE')),
        row_key jsonb,
        old_row jsonb,
        new_row jsonb,
        actor_id text,
        actor_type text,
        request_id text,
        transaction_id bigint NOT NULL DEFAULT pg_current_xact_id()::text::bigint,
        db_user text NOT NULL DEFAULT current_user
    )
    """,
    "CREATE INDEX IF NOT EXISTS satchel_audit_row"
    " ON satchel_audit (table_name, row_key, id)",
    """
    CREATE OR REPLACE FUNCTION satchel_audit_row() RETURNS trigger
    LANGUAGE plpgsql AS $$
    DECLARE
        v_old jsonb := CASE WHEN TG_OP <> 'INSERT' THEN to_jsonb(OLD) END;
        v_new jsonb := CASE WHEN TG_OP <> 'DELETE' THEN to_jsonb(NEW) END;
        v_key jsonb;
    BEGIN
        IF TG_OP = 'UPDATE' AND v_old = v_new THEN
            RETURN NULL;  -- nothing changed: nothing to audit
        END IF;
        IF TG_NARGS = 1 THEN
            -- One key column (the usual id): an expression, not a query per row.
            v_key := jsonb_build_object(TG_ARGV[0], coalesce(v_new, v_old) -> TG_ARGV[0]);
        ELSE
            SELECT jsonb_object_agg(k, coalesce(v_new, v_old) -> k)
              INTO v_key FROM unnest(TG_ARGV) AS k;
        END IF;
        INSERT INTO satchel_audit (table_name, action, row_key, old_row, new_row,
                                   actor_id, actor_type, request_id, db_user)
        VALUES (TG_TABLE_NAME, TG_OP, v_key, v_old, v_new,
                nullif(current_setting('satchel.actor_id', true), ''),
                nullif(current_setting('satchel.actor_type', true), ''),
                nullif(current_setting('satchel.request_id', true), ''),
                session_user);
        RETURN NULL;
    END
    $$
    """,
    *SEAL,
]

UNINSTALL = [
    "DROP FUNCTION IF EXISTS satchel_audit_row() CASCADE",
    "DROP TABLE IF EXISTS satchel_audit",
]


def track(table: str, key_columns: Sequence[str]) -> list[str]:
    """Return the statements that (re)attach the audit trigger to ``table`` (quoted)."""
    arguments = ", ".join(_literal(column) for column in key_columns)
    return [
        *untrack(table),
        f"CREATE TRIGGER {TRIGGER} AFTER INSERT OR UPDATE OR DELETE ON {table}"
        f" FOR EACH ROW EXECUTE FUNCTION satchel_audit_row({arguments})",
    ]


def untrack(table: str) -> list[str]:
    """Return the statement that detaches the audit trigger from ``table`` (quoted)."""
    return [f"DROP TRIGGER IF EXISTS {TRIGGER} ON {table}"]


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"
