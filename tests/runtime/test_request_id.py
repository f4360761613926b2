"""satchel.request_id and its hooks: valid ids echoed, anything else replaced."""

from __future__ import annotations

import re
import uuid

import pytest

from satchel import context
from satchel.request_id import accept_or_generate, new_request_id, outbound_headers

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[0-9a-f]{4}-[0-9a-f]{12}$")


@pytest.mark.parametrize(
    "incoming",
    ["abcdefgh", "req-123_456.789:0", "A" * 128, str(uuid.uuid4())],
    ids=["min-length", "punctuation", "max-length", "uuid"],
)
def test_valid_ids_are_kept(incoming):
    """An id of 8-128 allowed characters is used as is."""
    assert accept_or_generate(incoming) == incoming


@pytest.mark.parametrize(
    "incoming",
    [None, "", "short", "A" * 129, "has space", "new\nline", "tab\there12", "semi;colon",
     'quote"quote', "ünïcode-id"],
    ids=["none", "empty", "too-short", "too-long", "space", "newline", "control-char",
         "semicolon", "quote", "non-ascii"],
)  # fmt: skip
def test_malformed_ids_are_replaced(incoming):
    """Anything else is replaced by a fresh UUID4."""
    assert UUID.match(accept_or_generate(incoming))


def test_new_ids_are_canonical_random_uuid4s():
    """Generated ids parse as RFC 9562 version-4 UUIDs and do not repeat."""
    ids = {new_request_id() for _ in range(2000)}
    assert len(ids) == 2000
    for value in ids:
        parsed = uuid.UUID(value)
        assert (str(parsed), parsed.version, parsed.variant) == (
            value,
            4,
            uuid.RFC_4122,
        )


def test_outbound_headers_forward_the_current_id():
    """A call to a neighbour carries the current request id, and nothing outside a request."""
    assert outbound_headers() == {}
    token = context.request_id.set("abcdefgh-1")
    try:
        assert outbound_headers() == {"X-Request-ID": "abcdefgh-1"}
    finally:
        context.request_id.reset(token)


def test_valid_incoming_id_is_echoed(client):
    """A well-formed X-Request-ID comes back unchanged."""
    response = client.get("/v1/ping", headers={"X-Request-ID": "trace-0001"})
    assert response.headers["X-Request-ID"] == "trace-0001"


@pytest.mark.parametrize(
    "incoming",
    ["x" * 200, "bad id with spaces", "evil\x01ctrl-char"],
    ids=["too-long", "spaces", "control-char"],
)
def test_malformed_incoming_id_is_replaced_in_response(client, incoming):
    """A malformed X-Request-ID is replaced, and the replacement is echoed."""
    response = client.get("/v1/ping", headers={"X-Request-ID": incoming})
    assert UUID.match(response.headers["X-Request-ID"])


def test_missing_id_gets_a_new_one_per_request(client):
    """Without the header every request gets its own id."""
    first = client.get("/v1/ping").headers["X-Request-ID"]
    second = client.get("/v1/ping").headers["X-Request-ID"]
    assert UUID.match(first) and UUID.match(second) and first != second


def test_context_is_cleared_after_the_request(client, auth_headers):
    """Request id, tenant and actor do not outlive their request."""
    client.get("/v1/notes", headers=auth_headers)
    assert (context.request_id.get(), context.tenant_id.get(), context.actor.get()) == (
        None,
        None,
        None,
    )
