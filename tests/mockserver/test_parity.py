"""The HTTP server adds nothing of its own: it answers byte for byte what the engine answers.

This is the contract the in-process transport (issue 7) relies on: any transport that hands
the engine the same request gets the same status, headers and body.
"""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from mockserver.core.engine import Engine
from mockserver.core.messages import MockRequest
from tests.mockserver.conftest import MOCK, PETSTORE

# Headers the HTTP layer itself adds (framing and server identity), not the engine.
_TRANSPORT_HEADERS = {"date", "server", "content-length", "transfer-encoding"}

REQUESTS = [
    ("example", "GET", "/pets/1", {}, b""),
    ("rule", "GET", "/pets/404", {}, b""),
    ("prefer", "GET", "/pets/1", {"Prefer": "code=404"}, b""),
    ("generated", "GET", "/owners/4b0d5a6e-93a4-4b43-9c1b-6a2c1b0f8f10",
     {"X-Api-Version": "1"}, b""),
    ("miss-404", "GET", "/nope", {}, b""),
    ("miss-405", "PATCH", "/pets", {}, b""),
    ("bad-json", "POST", "/pets", {"Content-Type": "application/json"}, b"{bad"),
    ("invalid", "GET", "/pets?limit=0", {}, b""),
    ("cors", "GET", "/pets", {"Origin": "http://localhost:3000"}, b""),
    ("not-acceptable", "GET", "/pets/1", {"Accept": "text/html"}, b""),
]  # fmt: skip


@pytest.fixture(scope="module")
def engine() -> Engine:
    """Build the engine the served petstore uses, in this process."""
    return Engine.from_files("petstore", PETSTORE, MOCK / "petstore-overlay.yaml")


@pytest.mark.parametrize(
    "method, target, headers, body",
    [r[1:] for r in REQUESTS],
    ids=[r[0] for r in REQUESTS],
)
def test_http_answers_what_the_engine_answers(
    petstore_mock, engine, method, target, headers, body
):
    """Status, engine headers and body bytes are identical over HTTP and in process."""
    over_http = requests.request(
        method,
        petstore_mock.url + target,
        headers=headers,
        data=body or None,
        timeout=5,
    )
    url = urlsplit(target)
    sent = {name.lower(): value for name, value in over_http.request.headers.items()}
    direct = engine.handle(MockRequest(method, url.path, url.query, sent, body))
    assert over_http.status_code == direct.status
    assert over_http.content == direct.body
    received = {
        name.lower(): value
        for name, value in over_http.headers.items()
        if name.lower() not in _TRANSPORT_HEADERS
    }
    assert received == dict(direct.headers)
