"""Each tenant sees only its own registers; tokens open only their tenant; unknown tenants 404."""

import jwt

from satchel.testing import bearer, tenant_client

from tests.conftest import FULL_MARKS, token_for


def test_tenants_see_only_their_own_registers(client, other_client):
    """A register taken in one school is invisible to another, by list and by id."""
    body = {"date": "2026-09-02", "session": "am", "marks": FULL_MARKS}
    register = client.post("/v1/classes/1/registers", json=body).get_json()
    assert other_client.get("/v1/classes/1/registers").get_json()["items"] == []
    assert other_client.get(f"/v1/registers/{register['id']}").status_code == 404
    # The other school takes its own register for the same class id, date and session.
    assert other_client.post("/v1/classes/1/registers", json=body).status_code == 201
    assert len(client.get("/v1/classes/1/registers").get_json()["items"]) == 1


def test_unknown_tenant_is_404(app):
    """A sub-domain that is no tenant answers 404 problem+json, never a default tenant."""
    stranger = tenant_client(
        app, "no-such-school", domain=app.config["SETTINGS"].base_domain
    )
    response = stranger.get("/v1/classes/1/registers")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_a_token_opens_only_its_own_tenant(app, other_client):
    """School A's token is refused with 403 on school B's host; nothing is written there."""
    body = {"date": "2026-09-02", "session": "am", "marks": FULL_MARKS}
    a_token = bearer(token_for(app, "school-a"))
    written = other_client.post("/v1/classes/1/registers", json=body, headers=a_token)
    assert written.status_code == 403
    assert written.get_json()["type"].endswith("/tenant-forbidden")
    assert other_client.get("/v1/classes/1/registers").get_json()["items"] == []


def test_students_is_called_for_this_tenant_only(other_client, students):
    """The service token attendance shows students acts for the request's tenant alone."""
    body = {"date": "2026-09-02", "session": "am", "marks": FULL_MARKS}
    assert other_client.post("/v1/classes/1/registers", json=body).status_code == 201
    (call,) = students.calls("list_class_pupils")
    token = dict(call.headers)["authorization"].split()[1]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert (claims["sub"], claims["actor_type"], claims["tenants"]) == (
        "service:attendance",
        "service",
        ["school-b"],
    )
    assert dict(call.headers)["host"] == "school-b.students.localhost"
