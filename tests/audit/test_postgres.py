"""PostgreSQL audit through the front door: requests, raw SQL, jobs, rollbacks, tenants."""

from __future__ import annotations

import tempfile
from contextlib import contextmanager

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy import event
from sqlalchemy.pool import NullPool

from satchel import audit
from satchel.tenancy import session, tenant_scope
from satchel.tenancy.engines import engine_url
from tests.audit.support import token_for
from tests.tenancy.support import Note, host


@contextmanager
def connect(registry, tenant):
    """Yield a plain connection to ``tenant``'s database (outside satchel's engines)."""
    engine = sa.create_engine(
        engine_url(registry.get(tenant).database_url), poolclass=NullPool
    )
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def trail(registry, tenant, **filters):
    with connect(registry, tenant) as conn:
        return audit.history(conn, **filters)


def newest_id(registry, tenant) -> int:
    records = trail(registry, tenant, limit=1)
    return records[0].id if records else 0


def since(registry, tenant, mark):
    """Return the tenant's audit records newer than ``mark``, oldest first."""
    return [r for r in trail(registry, tenant, limit=1000) if r.id > mark][::-1]


def post(client, tenant, body, headers=None, **query):
    return client.post(
        "/notes",
        json={"body": body},
        headers={"Host": host(tenant), **(headers or {})},
        query_string=query,
    )


def test_orm_writes_in_a_request_record_actor_request_id_and_rows(client, registry):
    """An ORM insert, update and delete each record the actor, request id and both rows."""
    mark, who = newest_id(registry, "school-a"), token_for("alice")
    created = post(client, "school-a", "first draft", who)
    assert created.status_code == 201, created.text
    (inserted,) = since(registry, "school-a", mark)
    note_id = inserted.key["id"]
    edited = client.put(
        f"/notes/{note_id}",
        json={"body": "final"},
        headers={"Host": host("school-a"), **who},
    )
    deleted = client.delete(
        f"/notes/{note_id}", headers={"Host": host("school-a"), **who}
    )
    assert (edited.status_code, deleted.status_code) == (200, 200)
    records = since(registry, "school-a", mark)
    assert [(r.action, r.table, r.key) for r in records] == [
        ("INSERT", "notes", {"id": note_id}),
        ("UPDATE", "notes", {"id": note_id}),
        ("DELETE", "notes", {"id": note_id}),
    ]
    assert [(r.old, r.new) for r in records] == [
        (None, {"id": note_id, "body": "first draft"}),
        ({"id": note_id, "body": "first draft"}, {"id": note_id, "body": "final"}),
        ({"id": note_id, "body": "final"}, None),
    ]
    assert [r.request_id for r in records] == [
        response.headers["X-Request-ID"] for response in (created, edited, deleted)
    ]
    assert {(r.actor_id, r.actor_type, r.db_user) for r in records} == {
        ("alice", "user", "postgres")
    }
    assert len({r.transaction_id for r in records}) == 3


def test_raw_sql_bulk_update_records_one_row_per_changed_row(client, registry):
    """One raw ``UPDATE`` over N rows in a request gives N audit rows, one transaction."""
    for body in ("a", "b", "c"):
        post(client, "school-b", body, token_for("bob", "school-b"))
    with connect(registry, "school-b") as conn:
        count = conn.scalar(sa.text("SELECT count(*) FROM notes"))
    mark = newest_id(registry, "school-b")
    response = client.post(
        "/notes/append",
        json={"suffix": "!"},
        headers={"Host": host("school-b"), **token_for("bob", "school-b")},
    )
    assert response.status_code == 200, response.text
    records = since(registry, "school-b", mark)
    assert len(records) == count >= 3
    assert {(r.action, r.actor_id, r.request_id) for r in records} == {
        ("UPDATE", "bob", response.headers["X-Request-ID"])
    }
    assert len({r.transaction_id for r in records}) == 1
    assert all(r.new["body"] == r.old["body"] + "!" for r in records)


def test_update_that_changes_nothing_is_not_recorded(client, registry):
    """Writing a row's own values back records nothing."""
    post(client, "school-a", "unchanged", token_for("carol"))
    (inserted,) = trail(registry, "school-a", limit=1)
    mark = inserted.id
    response = client.put(
        f"/notes/{inserted.key['id']}",
        json={"body": "unchanged"},
        headers={"Host": host("school-a"), **token_for("carol")},
    )
    assert response.status_code == 200
    with connect(registry, "school-a") as conn:
        conn.execute(sa.text("UPDATE notes SET body = body"))
        conn.commit()
    assert since(registry, "school-a", mark) == []


def test_work_without_an_actor_is_marked_system_or_anonymous(app, client, registry):
    """A job records actor type ``system``; a request without a token ``anonymous``."""
    mark = newest_id(registry, "school-a")
    with tenant_scope("school-a", tenancy=app.extensions["satchel.tenancy"]):
        session().add(Note(body="from a job"))
    anonymous = post(client, "school-a", "no token")
    assert anonymous.status_code == 201
    records = since(registry, "school-a", mark)
    assert [
        (r.new["body"], r.actor_id, r.actor_type, r.request_id) for r in records
    ] == [
        ("from a job", None, "system", None),
        ("no token", None, "anonymous", anonymous.headers["X-Request-ID"]),
    ]


def test_writes_outside_satchel_are_recorded_without_a_stamp(registry):
    """A write from psql-like tools is audited too, with no actor type and its db user."""
    mark = newest_id(registry, "school-b")
    with connect(registry, "school-b") as conn:
        conn.execute(sa.text("INSERT INTO notes (body) VALUES ('by hand')"))
        conn.commit()
    (record,) = since(registry, "school-b", mark)
    assert (record.actor_type, record.actor_id, record.db_user) == (
        None,
        None,
        "postgres",
    )


@contextmanager
def wire(engine):
    """Yield the messages ``engine``'s connections exchange with the server, as they go."""
    with tempfile.TemporaryFile() as trace:

        def start(dbapi_connection, *_):
            dbapi_connection.pgconn.trace(trace.fileno())
            dbapi_connection.pgconn.set_trace_flags(
                psycopg.pq.Trace.SUPPRESS_TIMESTAMPS | psycopg.pq.Trace.REGRESS_MODE
            )

        def stop(dbapi_connection, *_):
            dbapi_connection.pgconn.untrace()

        event.listen(engine, "checkout", start)
        event.listen(engine, "checkin", stop)
        lines: list[str] = []
        try:
            yield lines
        finally:
            event.remove(engine, "checkout", start)
            event.remove(engine, "checkin", stop)
            trace.seek(0)
            lines.extend(trace.read().decode().splitlines())


def test_read_only_requests_issue_no_stamping_statement(app, client, registry):
    """GETs send no ``set_config``; a write sends one, before its INSERT, in one flight."""
    tenancy = app.extensions["satchel.tenancy"]
    engine = tenancy.engines.lease(registry.get("school-a"))
    tenancy.engines.release("school-a")
    with wire(engine) as reads:
        for _ in range(3):
            response = client.get("/notes", headers={"Host": host("school-a")})
            assert response.status_code == 200
    with wire(engine) as writes:
        assert post(client, "school-a", "one", token_for("dave")).status_code == 201
    sent = [
        line
        for line in writes
        if line.startswith("F") and "Parse" in line and '"BEGIN"' not in line
    ]
    assert reads and not [line for line in reads if "set_config" in line]
    assert ["set_config" in line for line in sent] == [True, False]
    assert "INSERT INTO notes" in sent[1]
    # Between the stamp and the INSERT the client waits for no answer (pipeline mode).
    between = writes[writes.index(sent[0]) : writes.index(sent[1])]
    assert not [line for line in between if line.startswith("B")]


def test_rolled_back_request_leaves_no_audit_row(client, registry):
    """A request that fails after writing rolls its audit rows back with its data."""
    mark = newest_id(registry, "school-a")
    response = post(client, "school-a", "never", token_for("erin"), fail="1")
    assert response.status_code == 422
    assert since(registry, "school-a", mark) == []


def test_each_tenant_audit_stays_in_its_own_database(client, registry):
    """A write to one tenant is audited in its database and in no other."""
    marks = {t: newest_id(registry, t) for t in ("school-a", "school-b")}
    post(client, "school-b", "only b", token_for("frank", "school-b"))
    assert since(registry, "school-a", marks["school-a"]) == []
    (record,) = since(registry, "school-b", marks["school-b"])
    assert (record.new["body"], record.actor_id) == ("only b", "frank")


def test_stamp_survives_a_rolled_back_savepoint(app, registry):
    """Rolling back a savepoint undoes its settings; the next write stamps again."""
    mark = newest_id(registry, "school-a")
    with tenant_scope("school-a", tenancy=app.extensions["satchel.tenancy"]):
        db = session()
        with pytest.raises(RuntimeError):
            with db.begin_nested():
                db.add(Note(body="undone"))
                db.flush()
                raise RuntimeError("roll back the savepoint")
        db.add(Note(body="kept"))
    (record,) = since(registry, "school-a", mark)
    assert (record.new["body"], record.actor_type) == ("kept", "system")


def test_history_filters_by_table_and_row_key(client, registry):
    """``history`` narrows to one row, newest first."""
    post(client, "school-a", "v1", token_for("gina"))
    (inserted,) = trail(registry, "school-a", limit=1)
    key = inserted.key
    client.put(
        f"/notes/{key['id']}",
        json={"body": "v2"},
        headers={"Host": host("school-a"), **token_for("gina")},
    )
    rows = trail(registry, "school-a", table="notes", key=key)
    assert [(r.action, r.new["body"]) for r in rows] == [
        ("UPDATE", "v2"),
        ("INSERT", "v1"),
    ]
    assert trail(registry, "school-a", table="other", key=key) == []
    with pytest.raises(ValueError, match="pass table= as well"):
        trail(registry, "school-a", key=key)
