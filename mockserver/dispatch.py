"""Route a request arriving on a listener to the admin endpoints or a neighbour's engine.

Transport-free like the engine: the HTTP shell and tests call :func:`dispatch` the same way.
"""

from __future__ import annotations

from collections.abc import Mapping

from satchel.problems import Problem

from mockserver.admin import PREFIX, handle_admin
from mockserver.messages import MockRequest, MockResponse, to_response
from mockserver.misses import problem_answer
from mockserver.mockset import Listener, MockSet

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
    return name, mocks.engines[name].handle(request)
