"""Admin endpoints under ``/__satchel/`` on every listener (a prefix no real API uses).

- ``GET /__satchel/``: the dashboard (HTML, no JavaScript needed).
- ``GET /__satchel/health``: 200 with each neighbour's spec, operation count and scenario.
- ``GET /__satchel/scenario``: the active scenario of each neighbour (``null`` = none).
- ``PUT /__satchel/scenario`` with ``{"neighbour": "students", "scenario": "outage"}``
  switches it (``"scenario": null`` switches it off; ``neighbour`` may be left out on a
  port serving one neighbour).
- ``POST /__satchel/reload``: re-read specs, overlays and config now; on error the old
  version keeps serving and the answer is a 422 problem naming the file and line.
- ``GET /__satchel/journal?operation=get_student&neighbour=students``: the requests received,
  oldest first; ``DELETE`` forgets them.
- ``GET /__satchel/coverage``: neighbour -> operationId -> calls (0 for the uncalled).
- ``GET|PUT|DELETE /__satchel/faults``: the faults in force; ``PUT`` a fault such as
  ``{"neighbour": "students", "operation": "get_student", "status": 503}`` (or a list);
  ``DELETE`` (optionally ``?neighbour=``) removes them.
- ``GET|PUT|DELETE /__satchel/state``: the neighbours in stateful mode; ``PUT``
  ``{"neighbour": "pets", "stateful": true}`` switches it (and says how many recorded
  exchanges it will not replay); ``DELETE`` (optionally ``?neighbour=``) forgets the items
  created so far and starts recorded sequences over (between tests).
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import parse_qs

from satchel.openapi import SpecError
from satchel.problems import Problem

from mockserver.core.errors import MockError
from mockserver.core.messages import MockRequest, MockResponse
from mockserver.core.misses import problem_answer
from mockserver.runtime.dashboard import render_dashboard
from mockserver.runtime.faults import FaultError, check_operation, parse_fault
from mockserver.runtime.journal import coverage
from mockserver.runtime.mockset import Listener, MockSet

__all__ = ["PREFIX", "handle_admin"]

PREFIX = "/__satchel/"
_ENDPOINTS = {
    "": ("GET",),
    "health": ("GET",),
    "scenario": ("GET", "PUT"),
    "reload": ("POST",),
    "journal": ("GET", "DELETE"),
    "coverage": ("GET",),
    "faults": ("GET", "PUT", "DELETE"),
    "state": ("GET", "PUT", "DELETE"),
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
    if name == "":
        headers = (("content-type", "text/html; charset=utf-8"),)
        return MockResponse(
            200, headers, render_dashboard(mocks, listener), route=PREFIX
        )
    if name == "health":
        return _json(
            200, {"status": "pass", "neighbours": _neighbours(mocks, listener)}
        )
    if name == "reload":
        return _reload(mocks)
    query = {k: v[0] for k, v in parse_qs(request.query).items()}
    if name == "journal":
        return _journal(mocks, request.method, query)
    if name == "coverage":
        return _json(200, coverage(operations(mocks), mocks.journal.entries()))
    if name == "faults":
        return _faults(mocks, request.method, query, request.body)
    if name == "state":
        return _state(mocks, request.method, query, request.body)
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
            "stateful": name in mocks.stateful,
        }
    return described


def operations(mocks: MockSet) -> dict[str, list[str]]:
    """Return neighbour -> its operations (operationId, else ``METHOD route``)."""
    found = {}
    for name, engine in mocks.engines.items():
        base = engine.spec.base_path
        found[name] = [
            op.operation_id or f"{op.method} {base}{op.path}"
            for op in engine.spec.operations
        ]
    return found


def _journal(mocks: MockSet, method: str, query: dict[str, str]) -> MockResponse:
    """List (optionally filtered) or forget the journal."""
    if method == "DELETE":
        mocks.journal.clear()
        return _json(200, {"entries": []})
    entries = mocks.journal.entries(query.get("operation"), query.get("neighbour"))
    return _json(200, {"entries": [e.to_json() for e in entries]})


def _faults(
    mocks: MockSet, method: str, query: dict[str, str], body: bytes
) -> MockResponse:
    """List, set or remove faults."""
    if method == "DELETE":
        mocks.faults.clear(query.get("neighbour"))
    elif method == "PUT":
        try:
            wanted = json.loads(body or b"null")
        except ValueError:
            wanted = None
        try:
            faults = [parse_fault(item) for item in _as_list(wanted)]
        except FaultError as exc:
            return _problem(400, str(exc))
        unknown = sorted({f.neighbour for f in faults} - set(mocks.engines))
        if unknown:
            return _problem(
                404,
                f"no neighbour {', '.join(unknown)} is served; "
                f"known: {', '.join(mocks.engines)}.",
            )
        try:
            for fault in faults:
                check_operation(fault, operations(mocks))
        except FaultError as exc:
            return _problem(404, str(exc))
        for fault in faults:
            mocks.faults.set(fault)
    return _json(200, {"faults": [f.to_json() for f in mocks.faults.all()]})


def _state(
    mocks: MockSet, method: str, query: dict[str, str], body: bytes
) -> MockResponse:
    """List, switch or clear stateful mode."""
    if method == "DELETE":
        mocks.state.clear(query.get("neighbour"))
        for name, engine in mocks.engines.items():
            if query.get("neighbour") in (None, name):
                engine.replay.rewind()
    elif method == "PUT":
        try:
            wanted = json.loads(body or b"null")
        except ValueError:
            wanted = None
        if not isinstance(wanted, dict) or not isinstance(wanted.get("stateful"), bool):
            return _problem(
                400,
                'send a JSON object such as {"neighbour": "pets", "stateful": true}.',
            )
        neighbour = wanted.get("neighbour")
        if neighbour not in mocks.engines:
            return _problem(
                404,
                f"no neighbour {neighbour!r} is served; known: {', '.join(mocks.engines)}.",
            )
        if wanted["stateful"]:
            mocks.stateful.add(neighbour)
        else:
            mocks.stateful.discard(neighbour)
            mocks.state.clear(neighbour)
    answer: dict[str, Any] = {"stateful": sorted(mocks.stateful)}
    ignored = {n: len(mocks.engines[n].replay) for n in answer["stateful"]}
    if any(ignored.values()):  # stateful mode does not replay recordings: say so
        answer["recordings_not_replayed"] = {n: c for n, c in ignored.items() if c}
    return _json(200, answer)


def _as_list(wanted: Any) -> list[Any]:
    """Return a single fault object as a list of one."""
    return wanted if isinstance(wanted, list) else [wanted]


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
