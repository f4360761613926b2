"""Every change to classes and pupils is audited in the tenant's own database.

On PostgreSQL the service runs as its runtime role, which can write rows but never rewrite
or switch off the audit: the database refuses it (satchel.audit's README).
"""

import pytest
import sqlalchemy as sa

from satchel import audit, tenancy
from tests.conftest import make_class


def audit_of(app, tenant: str, table: str):
    """Return the tenant's audit records for ``table``, newest first."""
    runtime = app.extensions["satchel.tenancy"]
    with tenancy.tenant_scope(tenant, tenancy=runtime) as unit:
        return audit.history(unit.session(), table=table)


def test_adding_a_pupil_records_the_teacher_and_the_request(app, client):
    """The new pupil's row, the teacher's id and the request id are in school A's audit."""
    listed = make_class(client, "4B")
    response = client.post(
        f"/v1/classes/{listed['class']['id']}/pupils",
        json={"given_name": "Ada", "family_name": "Lovelace"},
    )
    assert response.status_code == 201
    record = audit_of(app, "school-a", "pupils")[0]
    assert (record.action, record.key) == ("INSERT", {"id": response.json["id"]})
    assert (record.actor_id, record.actor_type) == ("teacher-of-school-a", "user")
    assert record.request_id == response.headers["X-Request-ID"]
    assert record.new["family_name"] == "Lovelace"
    assert "Lovelace" not in {
        (r.new or r.old)["family_name"] for r in audit_of(app, "school-b", "pupils")
    }


TAMPERING = {
    "update": "UPDATE satchel_audit SET actor_id = 'someone-else'",
    "delete": "DELETE FROM satchel_audit",
    "truncate": "TRUNCATE satchel_audit",
    "disable-trigger": "ALTER TABLE pupils DISABLE TRIGGER ALL",
}


@pytest.mark.parametrize("statement", TAMPERING.values(), ids=TAMPERING.keys())
def test_the_service_cannot_rewrite_its_audit(app, statement):
    """As the service's runtime role, each way of rewriting the audit is refused."""
    runtime = app.extensions["satchel.tenancy"]
    with tenancy.tenant_scope("school-a", tenancy=runtime) as unit:
        if unit.session().get_bind().dialect.name != "postgresql":
            pytest.skip(
                "SQLite has no roles: its audit cannot be protected from the app"
            )
    with pytest.raises(
        sa.exc.ProgrammingError, match="must be owner|permission denied"
    ):
        with tenancy.tenant_scope("school-a", tenancy=runtime) as unit:
            unit.session().execute(sa.text(statement))
