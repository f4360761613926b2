"""Each tenant sees only its own data; tokens open only their tenant; unknown tenants 404."""

from satchel.testing import bearer, tenant_client

from .conftest import token_for


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


def test_a_token_opens_only_its_own_tenant(app, client, other_client):
    """School A's token is refused with 403 on school B's host, for reads and writes."""
    a_token = bearer(token_for(app, "school-a"))
    read = other_client.get("/v1/notes", headers=a_token)
    write = other_client.post("/v1/notes", json={"title": "From A"}, headers=a_token)
    assert (read.status_code, write.status_code) == (403, 403)
    assert read.mimetype == "application/problem+json"
    assert read.get_json()["type"].endswith("/tenant-forbidden")
    assert other_client.get("/v1/notes").get_json()["items"] == []
    assert client.get("/v1/notes", headers=a_token).status_code == 200
