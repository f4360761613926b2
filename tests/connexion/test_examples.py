"""Connexion's own examples answer the same on satchel as on Connexion 3 (same requests)."""

from __future__ import annotations

import base64
import re
from contextlib import ExitStack
from typing import Any

import pytest

from tests.connexion.ports import copy_example, load_client

pytestmark = pytest.mark.filterwarnings(
    # Starlette's test client (used for the Connexion side only) and the sqlalchemy example's
    # SQLAlchemy 1.x import warn; neither is satchel's code.
    "ignore::DeprecationWarning",
    "ignore:Using .httpx. with .starlette.testclient.",
    "ignore:The HMAC key is 11 bytes long",  # the jwt example's own secret
    "ignore:.*declarative_base.*",
)

_TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)?$")
_BASIC = "Basic " + base64.b64encode(b"admin:secret").decode()
_BASIC_BAD = "Basic " + base64.b64encode(b"admin:wrong").decode()
_PET = {"name": "Rex", "animal_type": "dog"}
_PROXIED = {"X-Forwarded-Path": "/banana", "X-Forwarded-Prefix": "/banana"}

# example -> requests sent in order to both apps: (method, url, keywords).
SAME: dict[str, list[tuple[str, str, dict[str, Any]]]] = {
    "helloworld": [
        ("POST", "/openapi/greeting/dave", {"json": {}}),
        ("POST", "/swagger/greeting/dave", {}),
    ],
    "restyresolver": [
        ("GET", "/openapi/pets", {}),
        ("POST", "/openapi/pets", {"json": {"name": "chester", "tag": "fluffy"}}),
        ("POST", "/openapi/pets", {"json": {"name": "rex"}}),
        ("GET", "/openapi/pets", {}),
        ("GET", "/openapi/pets?limit=1", {}),
        ("GET", "/openapi/pets/2", {}),
        ("GET", "/openapi/pets/9", {}),
        ("GET", "/openapi/pets/1", {}),
    ],
    "methodresolver": [
        ("GET", "/openapi/pets", {}),
        ("GET", "/openapi/pets?limit=1", {}),
        ("GET", "/openapi/pets/2", {}),
        ("GET", "/openapi/pets/7", {}),
        ("POST", "/openapi/pets", {"json": {"name": "zebra", "tag": "stripes"}}),
        ("PUT", "/openapi/pets/3", {"json": {"name": "okapi", "tag": "shy"}}),
        ("DELETE", "/openapi/pets/1", {}),
        ("DELETE", "/openapi/pets/1", {}),
        ("GET", "/openapi/pets", {}),
    ],
    "apikey": [
        ("GET", "/openapi/secret", {"headers": {"X-Auth": "asdf1234567890"}}),
        ("GET", "/swagger/secret", {"headers": {"X-Auth": "asdf1234567890"}}),
        ("GET", "/openapi/secret", {"headers": {"X-Auth": "wrong"}}),
        ("GET", "/openapi/secret", {}),
    ],
    "basicauth": [
        ("GET", "/openapi/secret", {"headers": {"Authorization": _BASIC}}),
        ("GET", "/swagger/secret", {"headers": {"Authorization": _BASIC}}),
        ("GET", "/openapi/secret", {"headers": {"Authorization": _BASIC_BAD}}),
        ("GET", "/openapi/secret", {"headers": {"Authorization": "Basic"}}),
        ("GET", "/openapi/secret", {}),
    ],
    "jwt": [
        ("GET", "/openapi/secret", {}),
        ("GET", "/openapi/secret", {"headers": {"Authorization": "Bearer"}}),
    ],
    "sqlalchemy": [
        ("GET", "/openapi/pets", {}),
        ("GET", "/openapi/pets?animal_type=cat", {}),
        ("GET", "/openapi/pets?limit=1", {}),
        ("GET", "/openapi/pets/1", {}),
        ("GET", "/openapi/pets/404", {}),
        ("PUT", "/openapi/pets/4", {"json": _PET}),
        ("PUT", "/openapi/pets/4", {"json": {**_PET, "name": "Max"}}),
        ("GET", "/openapi/pets/4", {}),
        ("DELETE", "/openapi/pets/4", {}),
        ("DELETE", "/openapi/pets/4", {}),
        ("GET", "/swagger/pets?animal_type=dog", {}),
    ],
    "splitspecs": [
        ("GET", "/openapi/pets", {}),
        ("GET", "/openapi/pets/2", {}),
        ("GET", "/openapi/pets/9", {}),
        ("GET", "/swagger/pets/1", {}),
    ],
    "enforcedefaults": [
        ("POST", "/openapi/echo", {"json": {}}),
        ("POST", "/openapi/echo", {"json": {"outer-object": {"inner-object": "bar"}}}),
        ("POST", "/openapi/echo", {"json": {"outer-object": {}, "other": 1}}),
        ("POST", "/swagger/echo", {"json": {}}),
    ],
    # The proxy's prefix header: Connexion's example reads X-Forwarded-Path, ProxyFix
    # X-Forwarded-Prefix; both are sent to both.
    "reverseproxy": [
        ("GET", "/openapi/hello", {"headers": _PROXIED}),
        ("GET", "/swagger/hello", {"headers": _PROXIED}),
    ],
}

# Where satchel answers differently on purpose (satchel/api/CONNEXION.md, "Differences"):
# example, request, Connexion's status, satchel's status.
DIFFERENT = {
    "routing errors explain themselves": (
        "helloworld",
        ("GET", "/openapi/greeting/dave", {}),
        405,
        405,
    ),
    "read-only properties are refused in requests": (
        "restyresolver",
        ("PUT", "/openapi/pets", {"json": {"id": 1, "name": "chester"}}),
        200,
        422,
    ),
    "handlers that cannot take their arguments are caught at start-up": (
        "restyresolver",
        ("GET", "/swagger/pets/1", {}),
        500,
        501,
    ),
    "a response breaking the spec is a 500 naming each field": (
        "methodresolver",
        ("PUT", "/openapi/pets/3", {"json": {"name": "okapi"}}),
        500,
        500,
    ),
    "schema violations are 422 with each field": (
        "sqlalchemy",
        ("GET", "/openapi/pets/bad!id", {}),
        400,
        422,
    ),
    "a credential the info function refuses by raising a non-Connexion error": (
        "jwt",
        ("GET", "/openapi/secret", {"headers": {"Authorization": "Bearer not-a-jwt"}}),
        500,
        401,
    ),
}


def _normal(value: Any) -> Any:
    """Replace timestamps (the two apps create records a few milliseconds apart)."""
    if isinstance(value, dict):
        return {key: _normal(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_normal(item) for item in value]
    if isinstance(value, str) and _TIME.match(value):
        return "<time>"
    return value


def _answer(response: Any) -> tuple[int, Any]:
    """Return status and body (parsed JSON, or text) of a Flask or httpx test response."""
    status = response.status_code
    text = (
        response.text if hasattr(response, "text") else response.get_data(as_text=True)
    )
    media = response.headers.get("Content-Type", "")
    if "json" in media and text:
        import json

        return status, _normal(json.loads(text))
    return status, text


@pytest.fixture
def pair(tmp_path):
    """Return a function giving test clients for an example on Connexion 3 and on satchel."""
    with ExitStack() as stack:

        def start(name: str) -> tuple[Any, Any]:
            theirs = copy_example(name, tmp_path / "connexion", ported=False)
            ours = copy_example(name, tmp_path / "satchel", ported=True)
            return load_client(name, theirs, stack), load_client(name, ours, stack)

        yield start


def _send(
    client: Any, method: str, url: str, keywords: dict[str, Any]
) -> tuple[int, Any]:
    if hasattr(client, "open") and not hasattr(client, "base_url"):
        return _answer(client.open(url, method=method, **keywords))
    return _answer(client.request(method, url, **keywords))


@pytest.mark.parametrize("name", sorted(SAME))
def test_example_answers_alike(name, pair):
    """Each request gets the same status and body from the port as from Connexion 3."""
    theirs, ours = pair(name)
    for method, url, keywords in SAME[name]:
        expected = _send(theirs, method, url, keywords)
        assert _send(ours, method, url, keywords) == expected, (method, url)


@pytest.mark.parametrize("reason", sorted(DIFFERENT))
def test_documented_difference(reason, pair):
    """Where satchel differs on purpose, both answers are as the differences table says."""
    name, (method, url, keywords), connexion_status, satchel_status = DIFFERENT[reason]
    theirs, ours = pair(name)
    assert _send(theirs, method, url, keywords)[0] == connexion_status
    status, body = _send(ours, method, url, keywords)
    assert status == satchel_status
    assert body["status"] == satchel_status and body["detail"]


def test_jwt_token_round_trip(pair):
    """A token minted by the jwt example opens its secret on both, with the same claims shown."""
    theirs, ours = pair("jwt")
    status, token = _send(theirs, "GET", "/openapi/auth/12", {})
    assert status == 200 and _send(ours, "GET", "/openapi/auth/12", {})[0] == 200
    headers = {"headers": {"Authorization": f"Bearer {token.strip()}"}}
    expected = _send(theirs, "GET", "/openapi/secret", headers)
    assert expected[0] == 200 and "user_id 12" in expected[1]
    assert _send(ours, "GET", "/openapi/secret", headers) == expected


def test_reverse_proxy_spec_names_the_prefixed_base(pair):
    """Behind the proxy's prefix, the served spec's base path carries it, as Connexion's does."""
    theirs, ours = pair("reverseproxy")
    for name in ("openapi/openapi.json", "swagger/swagger.json"):
        keywords = {"headers": _PROXIED}
        expected = _send(theirs, "GET", f"/{name}", keywords)[1]
        answer = _send(ours, "GET", f"/{name}", keywords)[1]
        for key in ("servers", "basePath"):
            assert answer.get(key) == expected.get(key), (name, key)
    assert _send(ours, "GET", "/openapi/openapi.json", {})[1]["servers"] == [
        {"url": "/openapi"}
    ]
