"""The fleet report's HTML page in a real headless Chromium, with JavaScript off.

Uses Debian's chromium (/usr/bin/chromium), as tests/examples/test_browser.py does. The page
is opened from disk: it must be self-contained (no request leaves it), and the details of a
service open without scripts. A screenshot is saved beside the page.
"""

from __future__ import annotations

from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run"]

pytestmark = pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium"
)


@pytest.fixture(scope="module")
def page(as_json, fleet):
    """Open the page the JSON run wrote, in Chromium with JavaScript disabled."""
    from playwright.sync_api import sync_playwright

    path = fleet["root"] / "fleet.html"
    requests: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        context = browser.new_context(java_script_enabled=False)
        opened = context.new_page()
        opened.on("request", lambda request: requests.append(request.url))
        opened.goto(path.as_uri())
        yield opened, requests
        opened.screenshot(path=str(fleet["root"] / "fleet.png"), full_page=True)
        browser.close()


def test_page_is_self_contained(page, fleet):
    """Nothing but the page itself is requested: no scripts, fonts or styles from elsewhere."""
    opened, requests = page
    assert requests == [(fleet["root"] / "fleet.html").as_uri()]
    assert opened.title() == "Satchel fleet: fleet"
    assert opened.locator("script").count() == 0


def test_page_marks_the_breaching_cells(page):
    """Each service is a row; exactly the cells over a policy limit are marked as breaches."""
    opened, _ = page
    names = opened.locator("#fleet tbody th[scope=row]").all_inner_texts()
    assert names == ["alpha", "bravo", "charlie", "delta", "echo"]
    breached = {
        row.get_attribute("data-service"): row.locator("td.breach").all_inner_texts()
        for row in opened.locator("#fleet tbody tr").all()
    }
    assert breached == {
        "alpha": ["2"],
        "bravo": [],
        "charlie": ["notes-archive"],
        "delta": [],
        "echo": [],
    }
    assert opened.locator("#verdict b").inner_text() == "2"
    assert opened.locator("#breaches li").count() == 2


def test_details_open_without_javascript(page):
    """Clicking a service's summary shows its drifted files, with scripts off."""
    opened, _ = page
    details = opened.locator("#details-bravo")
    assert not details.locator("li", has_text="README.md").is_visible()
    details.locator("summary").click()
    assert details.locator("li", has_text="README.md").is_visible()
