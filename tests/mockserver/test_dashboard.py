"""The dashboard in a real headless browser (Debian's chromium), with JavaScript off."""

from __future__ import annotations

from pathlib import Path

import pytest
import requests

from mockserver.cli.pin import pin_digests
from tests.mockserver.conftest import MOCK, PETSTORE, free_port, start_mock

CHROMIUM = Path("/usr/bin/chromium")
ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run",
]  # fmt: skip
ROOT = Path(__file__).resolve().parents[2]
STUDENTS = ROOT / "examples" / "attendance" / "mocks" / "students"


@pytest.fixture
def running(tmp_path):
    """Serve pets and students with `satchel-mock up`; stop it after the test."""
    ports = (free_port(), free_port())
    path = tmp_path / "mocks.yaml"
    path.write_text(
        f"neighbours:\n  pets:\n    spec: {PETSTORE}\n"
        f"    overlay: {MOCK / 'petstore-overlay.yaml'}\n    port: {ports[0]}\n"
        f"  students:\n    spec: {STUDENTS / 'openapi.yaml'}\n"
        f"    overlay: {STUDENTS / 'overlay.yaml'}\n    port: {ports[1]}\n"
    )
    pin_digests(path)
    mock = start_mock(
        ["up", "--no-reload", "--quiet"], ports, tmp_path / "up.log", tmp_path
    )
    yield f"http://127.0.0.1:{ports[0]}"
    mock.stop()


def test_the_dashboard_html_needs_no_script(running):
    """The page is plain HTML that refreshes itself: no script, no external asset."""
    page = requests.get(f"{running}/__satchel/", timeout=5)
    assert page.headers["content-type"] == "text/html; charset=utf-8"
    assert '<meta http-equiv="refresh" content="3">' in page.text
    assert "<script" not in page.text and "src=" not in page.text
    assert 'href="http' not in page.text


@pytest.mark.skipif(
    not CHROMIUM.exists(), reason="needs Debian's chromium: apt-get install -y chromium"
)
def test_dashboard_in_a_headless_browser_without_javascript(running, tmp_path):
    """Neighbours, operations, scenario, faults and the journal show, and refresh by link."""
    from playwright.sync_api import sync_playwright

    requests.get(f"{running}/pets/1", timeout=5)
    requests.get(f"{running}/nowhere", timeout=5)
    requests.put(
        f"{running}/__satchel/scenario", json={"scenario": "outage"}, timeout=5
    )
    requests.put(
        f"{running}/__satchel/faults",
        json={"neighbour": "pets", "operation": "listPets", "status": 503},
        timeout=5,
    )
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            context = browser.new_context(java_script_enabled=False)
            page = context.new_page()
            page.goto(f"{running}/__satchel/")
            assert page.title() == "satchel-mock"
            assert page.locator("#neighbour-pets .scenario").inner_text() == "outage"
            rows = page.locator("#neighbour-pets table.operations tr")
            assert rows.count() == 8  # header + the petstore's 7 operations
            assert (
                page.locator("#neighbour-pets").get_by_text("showPetById").count() == 1
            )
            assert page.locator("#faults tr.fault").inner_text().split("\t") == [
                "pets", "listPets", "status 503"
            ]  # fmt: skip
            journal = page.locator("#journal tr")
            assert journal.count() == 3  # header + 2 requests, newest first
            assert "no match" in journal.nth(1).inner_text()
            assert "/pets/1" in journal.nth(2).inner_text()
            requests.get(f"{running}/pets?limit=1", timeout=5)
            page.get_by_role("link", name="Refresh now").click()
            page.wait_for_load_state()
            assert page.locator("#journal tr").count() == 4
            assert "/pets?limit=1" in page.locator("#journal tr").nth(1).inner_text()
            shot = tmp_path / "dashboard.png"
            page.screenshot(path=str(shot), full_page=True)
            assert shot.stat().st_size > 1000
            print(f"dashboard screenshot: {shot}")
        finally:
            browser.close()
