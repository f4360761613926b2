"""Each tenant sees only its own data; unknown tenants are refused."""

from satchel.testing import tenant_client

from tests.conftest import make_class


def test_tenants_see_only_their_own_classes(client, other_client):
    """A class and pupil written for one school are invisible to another."""
    listed = make_class(client, "4B", ("Ada Lovelace",))
    pupil = listed["items"][0]
    assert other_client.get("/v1/classes").get_json()["items"] == []
    assert (
        other_client.get(f"/v1/classes/{listed['class']['id']}/pupils").status_code
        == 404
    )
    assert other_client.get(f"/v1/pupils/{pupil['id']}").status_code == 404
    assert [c["name"] for c in client.get("/v1/classes").get_json()["items"]] == ["4B"]


def test_unknown_tenant_is_404(app):
    """A sub-domain that is no tenant answers 404 problem+json, never a default tenant."""
    stranger = tenant_client(
        app, "no-such-school", domain=app.config["SETTINGS"].base_domain
    )
    response = stranger.get("/v1/classes")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
