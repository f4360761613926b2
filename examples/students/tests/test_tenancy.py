"""Each tenant sees only its own data; tokens open only their tenant; unknown tenants 404."""

from satchel.testing import bearer, service_token, tenant_client

from tests.conftest import make_class, token_for


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


def test_a_token_opens_only_its_own_tenant(app, client, other_client):
    """School A's token reads and writes nothing at school B: 403 problem+json."""
    a_token = bearer(token_for(app, "school-a"))
    read = other_client.get("/v1/classes", headers=a_token)
    write = other_client.post(
        "/v1/classes", json={"name": "4B", "year_group": 4}, headers=a_token
    )
    assert (read.status_code, write.status_code) == (403, 403)
    assert write.get_json()["type"].endswith("/tenant-forbidden")
    assert other_client.get("/v1/classes").get_json()["items"] == []


def test_a_service_token_acts_for_the_tenants_it_names(app):
    """A service token for school-a reads school-a, not school-b; '*' reads both."""
    settings = app.config["SETTINGS"]

    def token(tenants):
        return service_token(
            settings.jwt_key,
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            service="attendance",
            tenants=tenants,
        )

    domain = settings.base_domain
    a, b = (tenant_client(app, t, domain) for t in ("school-a", "school-b"))
    assert a.get("/v1/classes", headers=bearer(token(["school-a"]))).status_code == 200
    assert b.get("/v1/classes", headers=bearer(token(["school-a"]))).status_code == 403
    assert b.get("/v1/classes", headers=bearer(token("*"))).status_code == 200
