"""Taking a register is audited in the tenant's own database, naming the teacher."""

from satchel import audit, tenancy
from tests.conftest import CLASS_ID, FULL_MARKS


def test_a_register_and_its_marks_are_audited_with_the_teacher(app, client):
    """One INSERT for the register and one per mark, all by the same teacher and request."""
    response = client.post(
        f"/v1/classes/{CLASS_ID}/registers",
        json={"date": "2026-09-03", "session": "pm", "marks": FULL_MARKS},
    )
    assert response.status_code == 201, response.get_json()
    runtime = app.extensions["satchel.tenancy"]
    with tenancy.tenant_scope("school-a", tenancy=runtime) as unit:
        records = audit.history(unit.session())
    request_id = response.headers["X-Request-ID"]
    mine = [r for r in records if r.request_id == request_id]
    assert sorted((r.table, r.action) for r in mine) == [
        ("marks", "INSERT"),
        ("marks", "INSERT"),
        ("registers", "INSERT"),
    ]
    assert {r.actor_id for r in mine} == {"teacher-of-school-a"}
