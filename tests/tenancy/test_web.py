"""The Flask integration, through the front door: hosts, statuses, context and commits."""

from __future__ import annotations

import pytest
import structlog

from satchel import context
from satchel.tenancy import EXEMPT_ENDPOINTS, create_tenant, drop_tenant, set_status
from tests.tenancy.support import host, make_app

P = "https://satchel.dev/problems/"
LONG = ".".join(["a" * 63] * 4) + ".students.test"

HOSTILE = [
    ("known tenant", "school-01.students.test", 200, None),
    ("unknown tenant", "nobody.students.test", 404, "tenant-not-found"),
    ("uppercase", "SCHOOL-01.STUDENTS.TEST", 200, None),
    ("with port", "school-01.students.test:8443", 200, None),
    ("trailing dot", "school-01.students.test.", 200, None),
    ("punycode IDN", "xn--schle-kva.students.test", 404, "tenant-not-found"),
    ("raw unicode IDN", "schüle.students.test", 400, "tenant-host-malformed"),
    ("over-long", LONG, 400, "tenant-host-malformed"),
    ("other domain", "school-01.evil.example", 404, "tenant-not-found"),
    ("tenant.evil.example", "tenant.evil.example", 404, "tenant-not-found"),
    (
        "base domain as prefix",
        "school-01.students.test.evil.example",
        404,
        "tenant-not-found",
    ),
    ("nested sub-domain", "x.school-01.students.test", 404, "tenant-not-found"),
    (
        "path traversal",
        "school-01.students.test/../school-02",
        400,
        "tenant-host-malformed",
    ),
    (
        "userinfo trick",
        "school-02@school-01.students.test",
        400,
        "tenant-host-malformed",
    ),
    ("encoded slash", "school-01.students.test%2f..", 400, "tenant-host-malformed"),
    ("empty", "", 400, "tenant-host-malformed"),
    ("IPv4 literal", "127.0.0.1", 400, "tenant-host-malformed"),
    ("IPv6 literal", "[::1]:80", 400, "tenant-host-malformed"),
    ("bad port", "school-01.students.test:http", 400, "tenant-host-malformed"),
    ("port above 65535", "school-01.students.test:99999", 400, "tenant-host-malformed"),
    ("port zero", "school-01.students.test:0", 400, "tenant-host-malformed"),
    ("highest port", "school-01.students.test:65535", 200, None),
    ("invalid tenant label", "school_01.students.test", 400, "tenant-host-malformed"),
]


@pytest.fixture(scope="module")
def client(estate):
    app = make_app(estate.registry)
    yield app.test_client()
    app.extensions["satchel.tenancy"].close()


@pytest.mark.parametrize(
    ("raw", "status", "slug"), [h[1:] for h in HOSTILE], ids=[h[0] for h in HOSTILE]
)
def test_hostile_hosts_get_the_right_status_and_never_a_500(client, raw, status, slug):
    """Each host gets its exact status; refusals are problem+json with a tenant- type."""
    response = client.get("/notes", environ_overrides={"HTTP_HOST": raw})
    assert response.status_code == status
    if slug:
        assert response.content_type == "application/problem+json"
        assert response.json["type"] == P + slug
    else:
        assert response.json == {"tenant": "school-01", "notes": ["school-01"]}


def test_each_host_answers_the_same_the_second_time(client):
    """The tenant of a host is remembered; a refused host is refused every time."""
    statuses = [
        [
            client.get("/notes", environ_overrides={"HTTP_HOST": raw}).status_code
            for _, raw, _, _ in HOSTILE
        ]
        for _ in range(2)
    ]
    assert statuses[0] == statuses[1] == [status for _, _, status, _ in HOSTILE]


@pytest.mark.parametrize(
    "kwargs",
    [
        {"headers": {"X-Tenant": "school-01"}},
        {"headers": {"X-Forwarded-Host": "school-01.students.test"}},
        {"query_string": {"tenant": "school-01"}},
        {"headers": {"Cookie": "tenant=school-01"}},
    ],
    ids=["x-tenant header", "x-forwarded-host", "query parameter", "cookie"],
)
def test_nothing_but_the_host_selects_a_tenant(client, kwargs):
    """A client-chosen header, cookie or parameter on a non-tenant host selects nothing."""
    response = client.get(
        "/notes", environ_overrides={"HTTP_HOST": "localhost"}, **kwargs
    )
    assert response.status_code == 404
    assert response.json["type"] == P + "tenant-not-found"


def test_exempt_and_public_endpoints_skip_tenancy(client):
    """Health endpoints and views marked satchel_public answer on any host."""
    assert "livez" in EXEMPT_ENDPOINTS
    for path in ("/livez", "/public"):
        response = client.get(path, environ_overrides={"HTTP_HOST": "127.0.0.1"})
        assert response.status_code == 200, path


def test_tenant_is_in_context_log_context_and_cache_keys(client):
    """Handlers get the tenant from context, and it is gone again after the request."""
    response = client.get("/whoami", environ_overrides={"HTTP_HOST": host("school-03")})
    assert response.json == {
        "tenant": "school-03",
        "key": "tenant:school-03:students:42",
        "log_tenant": "school-03",
    }
    assert context.tenant_id.get() is None
    assert "tenant" not in structlog.contextvars.get_contextvars()


def test_writes_commit_on_success_and_roll_back_on_error(estate, template_db):
    """A 2xx response commits the session; an error response rolls it back."""
    create_tenant(estate.tenancy, "writer", template=template_db)
    app = make_app(estate.registry)
    client = app.test_client()
    env = {"HTTP_HOST": host("writer")}
    try:
        assert (
            client.post(
                "/notes", json={"body": "kept"}, environ_overrides=env
            ).status_code
            == 201
        )
        failed = client.post(
            "/notes?fail=1", json={"body": "lost"}, environ_overrides=env
        )
        assert failed.status_code == 422
        assert client.get("/notes", environ_overrides=env).json["notes"] == ["kept"]
    finally:
        app.extensions["satchel.tenancy"].close()
        drop_tenant(estate.tenancy, "writer")
    # This app still holds "writer" in its registry snapshot (TTL 60 s): its database is gone.
    gone = client.get("/notes", environ_overrides=env)
    assert (gone.status_code, gone.json["type"]) == (
        503,
        P + "tenant-database-unavailable",
    )


def test_suspended_tenant_gets_403_and_resumes(estate, template_db):
    """Suspending answers 403 (after the cache expires); resuming serves it again."""
    create_tenant(estate.tenancy, "paused", template=template_db)
    app = make_app(estate.registry, cache_ttl=0)
    client = app.test_client()
    env = {"HTTP_HOST": host("paused")}
    try:
        # Served once first: a remembered host is still admitted on every request.
        assert client.get("/notes", environ_overrides=env).status_code == 200
        set_status(estate.tenancy, "paused", "suspended")
        response = client.get("/notes", environ_overrides=env)
        assert (response.status_code, response.json["type"]) == (
            403,
            P + "tenant-suspended",
        )
        set_status(estate.tenancy, "paused", "active")
        assert client.get("/notes", environ_overrides=env).status_code == 200
    finally:
        app.extensions["satchel.tenancy"].close()
        drop_tenant(estate.tenancy, "paused")
