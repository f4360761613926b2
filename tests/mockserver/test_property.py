"""Property: whatever the mock answers validates against the spec.

For every operation of several specs, every declared status and several seeds, a valid request
is generated from the operation's own parameter and body schemas and sent with ``Prefer``
(static, each named example, and ``dynamic=true``); the response must be the asked-for status
and its body must validate against the spec's response schema.
"""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest

from mockserver.core.answers import spec_resolver
from mockserver.core.engine import Engine
from mockserver.core.generate import generate
from mockserver.core.messages import MockRequest
from mockserver.core.overlay import load_overlay
from mockserver.core.select import (
    declared_statuses,
    example_names,
    pick_media_type,
    response_for,
)
from satchel.openapi import Operation, load_spec
from tests.mockserver.conftest import MOCK

SPECS = [
    ("petstore+overlay", MOCK / "petstore.yaml", MOCK / "petstore-overlay.yaml"),
    ("swagger-2.0", MOCK / "swagger2.yaml", None),
    ("openapi-3.1", MOCK / "openapi31.yaml", None),
    ("relative-refs", MOCK / "multifile" / "openapi.yaml", None),
    ("bench-petstore", Path("/work/shared/bench-peers/specs/petstore.yaml"), None),
]
SEEDS = (0, 1, 2)


def _text(value) -> str:
    """Render a parameter value as it travels in a URL or header."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def valid_request(
    engine: Engine, operation: Operation, seed: int, prefer: str
) -> MockRequest:
    """Build a request the operation accepts, from its own schemas."""
    resolve = spec_resolver(engine.spec)  # follows $ref across the spec's files

    def value(schema, base):
        return generate(
            schema, seed=seed, resolve=resolve, base=base, for_response=False
        )

    path = engine.spec.base_path + operation.path
    query: dict[str, list[str]] = {}
    headers = {"prefer": prefer}
    for param in operation.parameters:
        raw = value(param.schema, param.schema_uri)
        if param.location == "path":
            path = path.replace("{" + param.name + "}", quote(_text(raw), safe=""))
        elif param.location == "query" and param.required:
            query[param.name] = (
                [_text(v) for v in raw] if isinstance(raw, list) else [_text(raw)]
            )
        elif param.location == "header" and param.required:
            headers[param.name.lower()] = _text(raw)
    body = b""
    if operation.request_body is not None:
        media = pick_media_type(operation.request_body)  # duck-typed: it has .content
        headers["content-type"] = media.media_type
        body = json.dumps(value(media.schema or {}, media.schema_uri)).encode()
    return MockRequest(
        operation.method, path, urlencode(query, doseq=True), headers, body
    )


@pytest.mark.parametrize(
    "spec_path, overlay_path", [s[1:] for s in SPECS], ids=[s[0] for s in SPECS]
)
def test_every_answer_validates(spec_path, overlay_path):
    """Every status, example and generated body the mock answers validates against the spec."""
    overlay = load_overlay(overlay_path) if overlay_path else None
    failures = []
    checked = 0
    for seed in SEEDS:
        engine = Engine("x", load_spec(spec_path), overlay, seed=seed)
        for operation in engine.spec.operations:
            for status in declared_statuses(operation):
                media = pick_media_type(response_for(operation, status))
                own = (
                    overlay.examples.get(operation.operation_id, {}) if overlay else {}
                )
                names = example_names(media, own.get(str(status), {}))
                prefers = [f"code={status}", f"code={status}, dynamic=true"]
                prefers += [f"code={status}, example={name}" for name in names]
                for prefer in prefers:
                    request = valid_request(engine, operation, seed, prefer)
                    response = engine.handle(request)
                    checked += 1
                    failure = _check(operation, status, response, overlay is None)
                    if failure:
                        failures.append(
                            f"{operation.method} {request.path} [{prefer}]: {failure}"
                        )
    assert failures == []
    assert checked >= len(SEEDS) * 3


def _check(operation: Operation, status: int, response, strict_status: bool) -> str:
    """Return why ``response`` is wrong, or an empty string."""
    if strict_status and response.status != status:
        return f"status {response.status}, wanted {status}: {response.body[:200]!r}"
    media_type = response.header("content-type")
    body = json.loads(response.body) if response.body else None
    if response.header("satchel-mock-source").startswith("mock:"):
        # The mock's own problem (e.g. an overlay rule's request did not validate).
        return "" if not strict_status else f"mock problem: {body}"
    issues = operation.validate_response(response.status, media_type, body)
    return "; ".join(f"{i.field}: {i.message}" for i in issues)
