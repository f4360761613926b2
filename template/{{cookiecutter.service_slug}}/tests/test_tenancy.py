"""Each tenant sees only its own data; unknown tenants are refused."""

from satchel.testing import tenant_client


def test_tenants_see_only_their_own_notes(client, other_client):
    """A note written for one school is invisible to another."""
    note = client.post("/v1/notes", json={"title": "Only for school A"}).get_json()
    assert other_client.get("/v1/notes").get_json()["items"] == []
    assert other_client.get(f"/v1/notes/{note['id']}").status_code == 404
    assert [n["title"] for n in client.get("/v1/notes").get_json()["items"]] == [
        "Only for school A"
    ]


def test_unknown_tenant_is_404(app):
    """A sub-domain that is no tenant answers 404 problem+json, never a default tenant."""
    stranger = tenant_client(
        app, "no-such-school", domain=app.config["SETTINGS"].base_domain
    )
    response = stranger.get("/v1/notes")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
