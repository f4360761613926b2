"""The register page in a real headless Chromium, with JavaScript on and off.

Uses Debian's chromium (/usr/bin/chromium; `apt-get install -y chromium`): the test installs
nothing. attendance runs as a real process on its embedded defaults with two tenants, students
answered by its mock. A screenshot of the page is saved under the test's tmp dir.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from examples.running import free_port, mocked_students, provision, service, service_env
from tests.examples.conftest import auth_headers

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # Every tenant's host is this machine, whatever the resolver says about *.localhost.
    "--host-resolver-rules=MAP *.localhost 127.0.0.1",
]

MARKS = [{"pupil_id": 1, "mark": "present"}, {"pupil_id": 2, "mark": "absent"}]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium"
)


@pytest.fixture(scope="module")
def attendance(tmp_path_factory):
    """Run attendance (tenants school-a and school-b) against the students mock."""
    with mocked_students(free_port()) as mock_url:
        env = service_env(
            "attendance", tmp_path_factory.mktemp("attendance"), students_url=mock_url
        )
        provision("attendance", env, ("school-a", "school-b"))
        port = free_port()
        with service("attendance", env, port):
            yield port


@pytest.fixture(scope="module")
def chromium():
    """Launch the system Chromium through Playwright."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield browser
        browser.close()


def open_register(chromium, port: int, tenant: str, javascript: bool):
    """Sign in on the tenant's host and return the register page of class 1."""
    context = chromium.new_context(java_script_enabled=javascript)
    page = context.new_page()
    base = f"http://{tenant}.attendance.localhost:{port}"
    page.goto(f"{base}/classes/1/register")
    assert page.url.startswith(f"{base}/login")
    token = auth_headers("attendance", tenant)["Authorization"].removeprefix("Bearer ")
    page.fill("#token", token)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}/classes/1/register")
    return page


def registers_of(port: int, tenant: str) -> list[dict]:
    """Return class 1's registers through the API, as ``tenant``."""
    answer = requests.get(
        f"http://127.0.0.1:{port}/v1/classes/1/registers",
        headers={
            "Host": f"{tenant}.attendance.localhost",
            **auth_headers("attendance", tenant),
        },
        timeout=5,
    )
    return answer.json()["items"]


def test_register_with_javascript(chromium, attendance, tmp_path):
    """With JavaScript on the form is sent by fetch and the result shows inline."""
    page = open_register(chromium, attendance, "school-a", javascript=True)
    assert page.inner_text("h1") == "Register for 4B"
    shot = tmp_path / "register-page.png"
    page.screenshot(path=str(shot), full_page=True)
    print(f"screenshot: {shot}")
    assert shot.stat().st_size > 0
    page.check("input[name=mark-2][value=absent]")
    page.select_option("select[name=session]", "am")
    page.click("button[type=submit]")
    result = page.locator("#result")
    result.wait_for(state="visible")
    assert "1 of 2 present." in result.inner_text()
    assert page.url.endswith("/classes/1/register")  # no reload: answered inline
    assert "by teacher-school-a" in page.inner_text("#registers")
    marks = [
        (r["session"], [m["mark"] for m in r["marks"]])
        for r in registers_of(attendance, "school-a")
    ]
    assert ("am", ["present", "absent"]) in marks
    page.context.close()


def test_register_without_javascript(chromium, attendance):
    """With JavaScript off the form posts, the page reloads and shows the stored register."""
    page = open_register(chromium, attendance, "school-a", javascript=False)
    page.select_option("select[name=session]", "pm")
    page.click("button[type=submit]")
    page.wait_for_load_state()
    notice = page.locator("p.notice[role=status]").first.inner_text()
    assert notice.endswith("pm): 2 of 2 present.")
    sessions = [r["session"] for r in registers_of(attendance, "school-a")]
    assert "pm" in sessions
    page.context.close()


def test_other_tenant_never_shows_the_register(chromium, attendance):
    """school-b's host, signed in as school-b, shows none of school-a's registers."""
    taken = requests.post(
        f"http://127.0.0.1:{attendance}/v1/classes/1/registers",
        json={"date": "2026-01-05", "session": "am", "marks": MARKS},
        headers={
            "Host": "school-a.attendance.localhost",
            **auth_headers("attendance", "school-a"),
        },
        timeout=5,
    )
    assert taken.status_code == 201, taken.text
    page = open_register(chromium, attendance, "school-b", javascript=True)
    listed = page.inner_text("#registers")
    assert listed == "None yet."
    assert "school-a" not in page.content()
    page.context.close()
