"""The revision-script helpers on PostgreSQL: idempotent, and clear about what they refuse.

Each test works inside a transaction on a tenant database and rolls it back.
"""

from __future__ import annotations


import pytest
import sqlalchemy as sa

from satchel import audit
from tests.audit.support import operations
from tests.audit.test_postgres import connect


def triggers_on(conn, table):
    query = (
        "SELECT count(*) FROM pg_trigger"
        " WHERE tgrelid = CAST(:table AS regclass) AND NOT tgisinternal"
    )
    return conn.scalar(sa.text(query), {"table": table})


def audited_inserts(conn):
    conn.execute(sa.text("INSERT INTO notes (body) VALUES ('x')"))
    return audit.history(conn, table="notes", limit=1)


def test_install_and_track_twice_leave_one_trigger_and_one_row_per_write(registry):
    """Re-running install and track changes nothing: one trigger, one audit row per write."""
    with operations(connect, registry) as (op, conn):
        for _ in range(2):
            audit.install(op)
            audit.track(op, "notes")
        assert triggers_on(conn, "notes") == 1
        before = conn.scalar(sa.text("SELECT count(*) FROM satchel_audit"))
        audited_inserts(conn)
        after = conn.scalar(sa.text("SELECT count(*) FROM satchel_audit"))
        assert after - before == 1


def test_untrack_stops_auditing_the_table(registry):
    """After untrack, writes to the table leave no audit row (twice is harmless too)."""
    with operations(connect, registry) as (op, conn):
        audit.untrack(op, "notes")
        audit.untrack(op, "notes")
        assert triggers_on(conn, "notes") == 0
        before = conn.scalar(sa.text("SELECT count(*) FROM satchel_audit"))
        audited_inserts(conn)
        assert conn.scalar(sa.text("SELECT count(*) FROM satchel_audit")) == before


@pytest.mark.parametrize(
    ("table", "message"),
    [
        (
            "missing_table",
            "cannot track table 'missing_table': it does not exist in this database;"
            " create it first (op.create_table) or correct the name",
        ),
        (
            "satchel_audit",
            "satchel_audit cannot audit itself; track application tables",
        ),
        (
            "keyless",
            "cannot track table 'keyless': it has no primary key to name its rows by;"
            " add one first",
        ),
    ],
    ids=["missing", "itself", "no-primary-key"],
)
def test_track_refuses_what_it_cannot_audit_naming_the_table(registry, table, message):
    """Tracking a missing, keyless or the audit table fails with a message naming it."""
    with operations(connect, registry) as (op, _):
        op.create_table("keyless", sa.Column("body", sa.Text))
        with pytest.raises(audit.AuditError) as raised:
            audit.track(op, table)
    assert str(raised.value) == message


def test_track_before_install_says_to_install_first(registry):
    """Without the audit table, track names the missing step."""
    with operations(connect, registry) as (op, _):
        audit.uninstall(op)
        with pytest.raises(audit.AuditError, match=r"call audit.install\(op\) first"):
            audit.track(op, "notes")


def test_row_keys_name_one_or_several_key_columns(registry):
    """A one-column key and a composite key are both recorded as {column: value}."""
    with operations(connect, registry) as (op, conn):
        audit.install(op)  # the current trigger function, whatever the tenant had
        op.create_table(
            "marks",
            sa.Column("pupil", sa.Integer, primary_key=True),
            sa.Column("subject", sa.Text, primary_key=True),
            sa.Column("mark", sa.Integer),
        )
        audit.track(op, "marks")
        conn.execute(
            sa.text("INSERT INTO marks VALUES (7, 'maths', 60), (8, 'art', 71)")
        )
        conn.execute(sa.text("UPDATE marks SET mark = 65 WHERE pupil = 7"))
        (note,) = audited_inserts(conn)
        marks = audit.history(conn, table="marks", limit=10)
    assert note.key == {"id": note.new["id"]}
    assert sorted((record.action, tuple(record.key.items())) for record in marks) == [
        ("INSERT", (("pupil", 7), ("subject", "maths"))),
        ("INSERT", (("pupil", 8), ("subject", "art"))),
        ("UPDATE", (("pupil", 7), ("subject", "maths"))),
    ]
