"""Route a request arriving on a listener to the admin endpoints or a neighbour's engine.

Transport-free like the engine: the HTTP shell and the in-process transport call
:func:`dispatch` the same way, so both journal the request and apply the same faults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from satchel.problems import Problem

from mockserver.core.answers import SOURCE_HEADER
from mockserver.core.messages import ANY_ORIGIN, MockRequest, MockResponse, to_response
from mockserver.core.misses import problem_answer
from mockserver.runtime.admin import PREFIX, handle_admin
from mockserver.runtime.faults import Fault
from mockserver.runtime.mockset import Listener, MockSet

__all__ = ["dispatch", "neighbour_for"]


def neighbour_for(listener: Listener, headers: Mapping[str, str]) -> str | None:
    """Return the neighbour a request is for: the port's own, or the one named by Host."""
    if listener.neighbour is not None:
        return listener.neighbour
    host = headers.get("x-forwarded-host") or headers.get("host") or ""
    host = host.split(",")[0].strip().rsplit(":", 1)[0].lower() if host else ""
    for name, neighbour in listener.hosts:
        # Sub-domains too: services call neighbours at <tenant>.<neighbour> host names.
        if host == name or host.endswith("." + name):
            return neighbour
    return None


def dispatch(
    mocks: MockSet, listener: Listener, request: MockRequest
) -> tuple[str, MockResponse]:
    """Return (neighbour or "admin"/"unrouted", response) for ``request``."""
    if request.path.startswith(PREFIX):
        return "admin", handle_admin(mocks, listener, request)
    name = neighbour_for(listener, request.headers)
    if name is None:
        hosts = ", ".join(h for h, _ in listener.hosts)
        problem = Problem(
            status=404,
            type="mock-unknown-host",
            detail=f"no neighbour is served for this Host on port {listener.port}; "
            f"send Host: one of {hosts}.",
        )
        return "unrouted", to_response(
            problem_answer(problem, "mock: host routing"), "", None
        )
    engine = mocks.engines[name]
    if name in mocks.stateful:
        # Stateful mode answers from its own items, built on the spec's answers: recorded
        # exchanges are not replayed there (README, "Stateful mode").
        response = engine.handle(request, replay=False)
        response = mocks.state.handle(name, engine, request, response)
    else:
        response = engine.handle(request)
    operation = response.operation_id or (
        f"{request.method} {response.route}" if response.route else None
    )
    fault = mocks.faults.find(name, operation)
    if fault is not None:
        response = _with_fault(response, fault)
    mocks.journal.record(
        name,
        operation,
        request.method,
        request.path,
        request.query,
        request.headers,
        request.body,
        response.status,
        response.header(SOURCE_HEADER) or "",
    )
    return name, response


def _with_fault(response: MockResponse, fault: Fault) -> MockResponse:
    """Return ``response`` changed as ``fault`` says (error status, delay, reset, timeout)."""
    delay = fault.next_delay()
    drop = "reset" if fault.reset else "timeout" if fault.timeout else None
    if fault.status is not None:
        answer = problem_answer(fault.problem(), "mock: fault")
        response = replace(
            response,
            status=answer.status,
            headers=answer.headers + (ANY_ORIGIN,),
            body=answer.body,
        )
    return replace(response, delay=delay, drop=drop)
