"""Each tenant sees only its own registers; unknown tenants are refused."""

from satchel.testing import tenant_client

from tests.conftest import FULL_MARKS


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
