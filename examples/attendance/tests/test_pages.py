"""The register page without JavaScript: sign-in, CSRF, the plain form post, tenant isolation."""

from __future__ import annotations

import re
import uuid

import pytest
import redis

from satchel.testing import tenant_client

from attendance.app import create_app
from tests.conftest import token_for

CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
PAGE = "/classes/1/register"
HOST = "school-a.attendance.localhost"
FORM = {"date": "2026-09-02", "session": "am", "mark-1": "present", "mark-2": "absent"}


def browser(app, tenant: str = "school-a"):
    """Return a cookie-keeping client for the tenant's host, with no bearer token."""
    return tenant_client(app, tenant, domain=app.config["SETTINGS"].base_domain)


def csrf_token(page) -> str:
    return CSRF.search(page.get_data(as_text=True)).group(1)


def sign_in(app, client, tenant: str = "school-a"):
    """Sign in through the form with a valid token; return the page it lands on."""
    form = client.get(f"/login?next={PAGE}")
    answer = client.post(
        "/login",
        data={
            "csrf_token": csrf_token(form),
            "token": token_for(app, tenant),
            "next": PAGE,
        },
    )
    assert answer.status_code == 302, answer.get_data(as_text=True)
    assert answer.headers["Location"] == PAGE
    return client.get(PAGE)


def test_page_needs_a_session(app):
    """Without a session the page sends the visitor to sign in, then back."""
    answer = browser(app).get(PAGE)
    assert answer.status_code == 302
    assert answer.headers["Location"] == "/login?next=/classes/1/register"


def test_page_lists_the_class_from_students(app):
    """Signed in, the page shows the class and each pupil from students with a mark choice."""
    page = sign_in(app, browser(app)).get_data(as_text=True)
    assert "<h1>Register for 4B</h1>" in page
    assert 'name="mark-1" value="present"' in page and "Alan Turing" in page
    assert 'value="late"' not in page  # the registers-late-mark flag is off by default


def test_plain_form_post_takes_the_register(app, client):
    """With JavaScript off the form posts, redirects (303) and the page shows the result."""
    visitor = browser(app)
    page = sign_in(app, visitor)
    answer = visitor.post(PAGE, data=dict(FORM, csrf_token=csrf_token(page)))
    assert answer.status_code == 303
    shown = visitor.get(PAGE).get_data(as_text=True)
    assert "Register" in shown and "(2026-09-02 am): 1 of 2 present." in shown
    stored = client.get("/v1/classes/1/registers").get_json()["items"]
    assert [m["mark"] for m in stored[0]["marks"]] == ["present", "absent"]
    assert stored[0]["taken_by"] == "teacher-of-school-a"


def test_json_post_answers_inline(app):
    """The script's fetch (Accept: application/json) gets the register and a message."""
    visitor = browser(app)
    page = sign_in(app, visitor)
    answer = visitor.post(
        PAGE,
        data=dict(FORM, csrf_token=csrf_token(page)),
        headers={"Accept": "application/json"},
    )
    assert answer.status_code == 201
    assert answer.get_json()["message"].endswith("(2026-09-02 am): 1 of 2 present.")


@pytest.mark.parametrize(
    "change, status, message",
    [
        ({"csrf_token": None}, 400, "The CSRF token is missing."),
        ({"csrf_token": "forged"}, 400, "The CSRF token is invalid."),
        ({"mark-2": None}, 422, "every pupil needs a mark"),
        ({"date": "yesterday"}, 422, "The form is incomplete"),
        ({"session": "noon"}, 422, "session must be am or pm"),
        ({"mark-2": "late"}, 422, "flag registers-late-mark is off"),
    ],
    ids=[
        "no-csrf",
        "forged-csrf",
        "pupil-unmarked",
        "bad-date",
        "bad-session",
        "late-flag-off",
    ],
)
def test_bad_form_posts_are_refused(app, client, change, status, message):
    """A post without a valid CSRF token or with a broken form stores nothing, saying why."""
    visitor = browser(app)
    form = dict(FORM, csrf_token=csrf_token(sign_in(app, visitor)))
    form.update(change)
    answer = visitor.post(PAGE, data={k: v for k, v in form.items() if v is not None})
    assert answer.status_code == status
    assert message in answer.get_data(as_text=True)
    assert client.get("/v1/classes/1/registers").get_json()["items"] == []


def test_bad_token_is_refused_at_sign_in(app):
    """A token that does not verify signs nobody in and says why."""
    visitor = browser(app)
    form = visitor.get("/login")
    answer = visitor.post(
        "/login", data={"csrf_token": csrf_token(form), "token": "not-a-jwt"}
    )
    assert answer.status_code == 401
    assert visitor.get(PAGE).status_code == 302


@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/", "javascript:alert(1)"]
)
def test_sign_in_never_redirects_off_site(app, target):
    """The ``next`` target is a path on this host or nothing: no open redirect."""
    visitor = browser(app)
    form = visitor.get("/login")
    answer = visitor.post(
        "/login",
        data={
            "csrf_token": csrf_token(form),
            "token": token_for(app, "school-a"),
            "next": target,
        },
    )
    assert answer.headers["Location"] == "/"


def test_session_of_one_tenant_is_not_honoured_on_another(app):
    """A session opened on school-a's host does not sign anyone in on school-b's."""
    visitor = browser(app)
    sign_in(app, visitor)
    cookie = visitor.get_cookie(
        "attendance_session", domain="school-a.attendance.localhost"
    )
    intruder = browser(app, "school-b")
    intruder.set_cookie(
        "attendance_session", cookie.value, domain="school-b.attendance.localhost"
    )
    assert intruder.get(PAGE).status_code == 302


def test_other_tenant_never_shows_the_register(app):
    """A register taken on school-a's page never appears on school-b's."""
    visitor = browser(app)
    visitor.post(PAGE, data=dict(FORM, csrf_token=csrf_token(sign_in(app, visitor))))
    other = browser(app, "school-b")
    page = sign_in(app, other, "school-b").get_data(as_text=True)
    assert "None yet." in page and "teacher-of-school-a" not in page


def test_redis_session_store(app, tmp_path):
    """With a redis:// store the cookie holds only an id, renewed at sign-in; data in Redis."""
    prefix = f"attendance-test-{uuid.uuid4().hex}:"
    settings = app.config["SETTINGS"]
    redis_app = create_app(
        {
            "env": "test",
            "tenant_registry": settings.tenant_registry,
            "tenant_database_url": settings.tenant_database_url,
            "flags_store": settings.flags_store,
            "students_url": settings.students_url,
            "session_store": "redis://127.0.0.1:6379/0",
            "session_key_prefix": prefix,
        }
    )
    server = redis.Redis.from_url("redis://127.0.0.1:6379/0")
    try:
        visitor = browser(redis_app)
        visitor.get("/login")
        before = visitor.get_cookie("attendance_session", domain=HOST).value
        assert "Register for 4B" in sign_in(redis_app, visitor).get_data(as_text=True)
        keys = server.keys(f"{prefix}*")
        assert len(keys) == 1
        sid = visitor.get_cookie("attendance_session", domain=HOST)
        assert sid.value != before  # a new id at sign-in: no session fixation
        assert keys[0].decode() == prefix + sid.value
        assert "teacher-of-school-a" not in sid.value
    finally:
        for key in server.scan_iter(f"{prefix}*"):
            server.delete(key)
        redis_app.extensions["satchel.tenancy"].close()


def test_unknown_session_store_is_refused(app):
    """A session store that is neither cookie nor Redis stops start-up, saying what to set."""
    from satchel.config import ConfigError

    with pytest.raises(ConfigError) as refused:
        create_app({"env": "test", "session_store": "memcached://x"})
    assert str(refused.value) == (
        "ATTENDANCE_SESSION_STORE is 'memcached://x': expected 'cookie' or a Redis URL "
        "(redis://host:port/db). Set it to one of those."
    )


def test_sign_in_refuses_another_tenants_token(app):
    """School A's token opens no session on school B's host; the form says why."""
    visitor = browser(app, "school-b")
    form = visitor.get("/login")
    answer = visitor.post(
        "/login",
        data={
            "csrf_token": csrf_token(form),
            "token": token_for(app, "school-a"),
            "next": PAGE,
        },
    )
    assert answer.status_code == 403
    assert "issued for tenant &#39;school-a&#39;, not &#39;school-b&#39;" in (
        answer.get_data(as_text=True)
    )
    assert visitor.get(PAGE).status_code == 302
