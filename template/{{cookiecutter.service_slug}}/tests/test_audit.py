"""Every change to a note is audited in its tenant's database, naming who made it.

On PostgreSQL the service runs as its runtime role, which can write notes but never rewrite
or switch off the audit: the database refuses it (satchel.audit's README).
"""

import pytest
import sqlalchemy as sa

from satchel import audit, tenancy


def audit_of(app, tenant: str):
    """Return the tenant's audit records for notes, newest first."""
    runtime = app.extensions["satchel.tenancy"]
    with tenancy.tenant_scope(tenant, tenancy=runtime) as unit:
        return audit.history(unit.session(), table="notes")


def test_creating_a_note_records_who_did_it(app, client):
    """A signed-in teacher's new note is audited with their id, the request and the row."""
    response = client.post("/v1/notes", json={"title": "Audited trip"})
    note = response.get_json()
    record = audit_of(app, "school-a")[0]
    assert (record.action, record.key) == ("INSERT", {"id": note["id"]})
    assert (record.actor_id, record.actor_type) == ("teacher-of-school-a", "user")
    assert record.request_id == response.headers["X-Request-ID"]
    assert record.new["title"] == "Audited trip"


def test_the_other_tenant_sees_none_of_it(app, client):
    """School A's note is in school A's audit and nowhere in school B's."""
    client.post("/v1/notes", json={"title": "Only in A's audit"})
    titles = {
        tenant: {(r.new or r.old)["title"] for r in audit_of(app, tenant)}
        for tenant in ("school-a", "school-b")
    }
    assert "Only in A's audit" in titles["school-a"]
    assert "Only in A's audit" not in titles["school-b"]


TAMPERING = {
    "update": "UPDATE satchel_audit SET actor_id = 'someone-else'",
    "delete": "DELETE FROM satchel_audit",
    "truncate": "TRUNCATE satchel_audit",
    "disable-trigger": "ALTER TABLE notes DISABLE TRIGGER ALL",
}


@pytest.mark.parametrize("statement", TAMPERING.values(), ids=TAMPERING.keys())
def test_the_service_cannot_rewrite_its_audit(app, statement):
    """As the service's runtime role, each way of rewriting the audit is refused."""
    runtime = app.extensions["satchel.tenancy"]
    with tenancy.tenant_scope("school-a", tenancy=runtime) as unit:
        if unit.session().get_bind().dialect.name != "postgresql":
            pytest.skip("SQLite has no roles: its audit is not protected from the app")
    refused = "must be owner|permission denied"
    with pytest.raises(sa.exc.ProgrammingError, match=refused):
        with tenancy.tenant_scope("school-a", tenancy=runtime) as unit:
            unit.session().execute(sa.text(statement))
