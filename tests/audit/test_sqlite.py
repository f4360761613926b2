"""The embedded default: the same audit on one SQLite file per tenant, through requests."""

from __future__ import annotations

import sqlite3
from contextlib import contextmanager

import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from satchel import audit
from satchel.tenancy import FileRegistry, create_tenant, session, tenant_scope
from tests.audit.support import make_audit_app, operations, token_for
from tests.tenancy.support import Note, host


@pytest.fixture(scope="module")
def lite(tmp_path_factory):
    """Yield (app, registry) of two tenants on SQLite files whose notes are audited."""
    root = tmp_path_factory.mktemp("lite")
    registry = FileRegistry(root / "tenants.yaml")
    app = make_audit_app(
        registry, database_url_template=f"sqlite:///{root}/{{tenant}}.db"
    )
    for tenant in ("school-a", "school-b"):
        create_tenant(app.extensions["satchel.tenancy"], tenant)
    yield app, registry
    app.extensions["satchel.tenancy"].close()


@contextmanager
def connect(registry, tenant):
    """Yield a connection to ``tenant``'s file with satchel's audit functions registered."""
    engine = sa.create_engine(registry.get(tenant).database_url, poolclass=NullPool)
    audit.stamp_transactions(engine)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def since(registry, tenant, mark=0):
    with connect(registry, tenant) as conn:
        return [r for r in audit.history(conn, limit=1000) if r.id > mark][::-1]


def newest_id(registry, tenant):
    records = since(registry, tenant)
    return records[-1].id if records else 0


def test_request_writes_record_actor_request_id_and_rows(lite):
    """Insert, update and delete in requests record the actor, request id and both rows."""
    app, registry = lite
    client, who = app.test_client(), {"Host": host("school-a"), **token_for("ivy")}
    mark = newest_id(registry, "school-a")
    created = client.post("/notes", json={"body": "draft"}, headers=who)
    (inserted,) = since(registry, "school-a", mark)
    note = inserted.key["id"]
    edited = client.put(f"/notes/{note}", json={"body": "done"}, headers=who)
    same = client.put(f"/notes/{note}", json={"body": "done"}, headers=who)
    deleted = client.delete(f"/notes/{note}", headers=who)
    assert [r.status_code for r in (created, edited, same, deleted)] == [
        201,
        200,
        200,
        200,
    ]
    records = since(registry, "school-a", mark)
    assert [(r.action, r.key, r.old, r.new) for r in records] == [
        ("INSERT", {"id": note}, None, {"id": note, "body": "draft"}),
        (
            "UPDATE",
            {"id": note},
            {"id": note, "body": "draft"},
            {"id": note, "body": "done"},
        ),
        ("DELETE", {"id": note}, {"id": note, "body": "done"}, None),
    ]  # the UPDATE that changed nothing is not recorded
    assert [(r.actor_id, r.actor_type, r.request_id) for r in records] == [
        ("ivy", "user", response.headers["X-Request-ID"])
        for response in (created, edited, deleted)
    ]
    assert all(r.occurred_at.year >= 2024 for r in records)


def test_bulk_raw_update_rolled_back_request_and_job(lite):
    """Raw SQL over N rows gives N rows; a failed request none; a job is ``system``."""
    app, registry = lite
    client, who = app.test_client(), {
        "Host": host("school-b"),
        **token_for("jo", "school-b"),
    }
    for body in ("a", "b", "c"):
        client.post("/notes", json={"body": body}, headers=who)
    failed = client.post("/notes?fail=1", json={"body": "never"}, headers=who)
    mark = newest_id(registry, "school-b")
    response = client.post("/notes/append", json={"suffix": "!"}, headers=who)
    with tenant_scope("school-b", tenancy=app.extensions["satchel.tenancy"]):
        session().add(Note(body="from a job"))
    records = since(registry, "school-b", mark)
    assert failed.status_code == 422
    assert "never" not in {
        (r.new or {}).get("body") for r in since(registry, "school-b")
    }
    assert [(r.action, r.new["body"], r.actor_id, r.actor_type) for r in records] == [
        ("UPDATE", "a!", "jo", "user"),
        ("UPDATE", "b!", "jo", "user"),
        ("UPDATE", "c!", "jo", "user"),
        ("INSERT", "from a job", None, "system"),
    ]
    assert records[0].request_id == response.headers["X-Request-ID"]
    assert since(registry, "school-a", newest_id(registry, "school-a")) == []


def test_new_column_is_audited_once_track_runs_again(lite):
    """SQLite triggers list the columns they saw: re-running track picks up a new one."""
    _, registry = lite
    insert = sa.text("INSERT INTO notes (body, pinned) VALUES ('p', 1)")
    with operations(connect, registry) as (op, conn):
        op.add_column("notes", sa.Column("pinned", sa.Boolean))
        conn.execute(insert)
        before = audit.history(conn, table="notes", limit=1)[0].new
        for _ in range(2):  # twice: idempotent
            audit.install(op)
            audit.track(op, "notes")
        conn.execute(insert)
        after = audit.history(conn, table="notes", limit=1)[0].new
        triggers = conn.scalar(
            sa.text("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'")
        )
    assert "pinned" not in before
    assert after["pinned"] == 1
    assert triggers == 3


def test_track_of_a_missing_table_names_it(lite):
    """Tracking a table that does not exist fails with a message naming it."""
    with operations(connect, lite[1]) as (op, _):
        with pytest.raises(
            audit.AuditError, match="cannot track table 'nope': it does"
        ):
            audit.track(op, "nope")


def test_connection_without_satchel_functions_cannot_write_tracked_tables(lite):
    """The documented limit: the sqlite3 shell cannot write a tracked table."""
    path = lite[1].get("school-a").database_url.removeprefix("sqlite:///")
    plain = sqlite3.connect(path)
    try:
        with pytest.raises(sqlite3.OperationalError, match="satchel_audit_actor_id"):
            plain.execute("INSERT INTO notes (body) VALUES ('by hand')")
    finally:
        plain.close()
