"""Admin endpoints under ``/__satchel/`` on every listener (a prefix no real API uses).

- ``GET /__satchel/health``: 200 with each neighbour's spec, operation count and scenario.
- ``GET /__satchel/scenario``: the active scenario of each neighbour (``null`` = none).
- ``PUT /__satchel/scenario`` with ``{"neighbour": "students", "scenario": "outage"}``
  switches it (``"scenario": null`` switches it off; ``neighbour`` may be left out on a
  port serving one neighbour).
- ``POST /__satchel/reload``: re-read specs, overlays and config now; on error the old
  version keeps serving and the answer is a 422 problem naming the file and line.
"""

from __future__ import annotations

import json
from typing import Any

from satchel.openapi import SpecError
from satchel.problems import Problem

from mockserver.errors import MockError
from mockserver.messages import MockRequest, MockResponse
from mockserver.misses import problem_answer
from mockserver.mockset import Listener, MockSet

__all__ = ["PREFIX", "handle_admin"]

PREFIX = "/__satchel/"
_ENDPOINTS = {
    "health": ("GET",),
    "scenario": ("GET", "PUT"),
    "reload": ("POST",),
}


def handle_admin(
    mocks: MockSet, listener: Listener, request: MockRequest
) -> MockResponse:
    """Answer a request whose path starts with :data:`PREFIX`."""
    name = request.path[len(PREFIX) :]
    methods = _ENDPOINTS.get(name)
    if methods is None:
        known = ", ".join(f"{PREFIX}{n}" for n in _ENDPOINTS)
        return _problem(404, f"no admin endpoint {request.path}; there are {known}.")
    if request.method not in methods:
        return _problem(
            405,
            f"{request.path} accepts {', '.join(methods)}, not {request.method}.",
            headers={"Allow": ", ".join(methods)},
        )
    if name == "health":
        return _json(
            200, {"status": "pass", "neighbours": _neighbours(mocks, listener)}
        )
    if name == "reload":
        return _reload(mocks)
    if request.method == "GET":
        return _json(200, {n: mocks.engines[n].scenario for n in listener.names()})
    return _switch(mocks, listener, request.body)


def _neighbours(mocks: MockSet, listener: Listener) -> dict[str, Any]:
    """Describe the neighbours served on ``listener``."""
    described = {}
    for name in listener.names():
        engine = mocks.engines[name]
        described[name] = {
            "spec": str(engine.spec.source_path),
            "title": engine.spec.title,
            "base_path": engine.spec.base_path,
            "operations": len(engine.spec.operations),
            "scenario": engine.scenario,
            "scenarios": list(engine.scenarios),
        }
    return described


def _reload(mocks: MockSet) -> MockResponse:
    """Reload now; report the error and keep serving the old version if it fails."""
    try:
        names = mocks.reload()
    except (MockError, SpecError) as exc:
        return _problem(
            422, f"reload failed, still serving the previous version: {exc}"
        )
    return _json(200, {"reloaded": list(names)})


def _switch(mocks: MockSet, listener: Listener, body: bytes) -> MockResponse:
    """Switch a neighbour's scenario from a JSON body."""
    try:
        wanted = json.loads(body or b"null")
    except ValueError:
        wanted = None
    if not isinstance(wanted, dict) or "scenario" not in wanted:
        return _problem(
            400,
            'send a JSON object such as {"neighbour": "students", "scenario": "outage"} '
            '("scenario": null switches scenarios off).',
        )
    names = listener.names()
    neighbour = wanted.get("neighbour") or (names[0] if len(names) == 1 else None)
    if neighbour not in names:
        return _problem(
            404 if neighbour else 400,
            f"name the neighbour: one of {', '.join(names)}"
            + (f" (not '{neighbour}')." if neighbour else "."),
        )
    scenario = wanted["scenario"]
    try:
        mocks.engines[neighbour].use_scenario(scenario)
    except ValueError as exc:
        return _problem(404, str(exc))
    return _json(200, {neighbour: scenario})


def _json(status: int, data: Any) -> MockResponse:
    """Return a JSON admin answer."""
    body = json.dumps(data).encode()
    return MockResponse(
        status, (("content-type", "application/json"),), body, route=PREFIX
    )


def _problem(
    status: int, detail: str, headers: dict[str, str] | None = None
) -> MockResponse:
    """Return an admin problem answer."""
    problem = Problem(
        status=status, type="mock-admin", detail=detail, headers=headers or {}
    )
    answer = problem_answer(problem, "mock: admin")
    return MockResponse(answer.status, answer.headers, answer.body, route=PREFIX)
