"""The in-process transport: a service's outbound ``requests`` calls answered by the engine.

Each listener of ``mocks.yaml`` (a neighbour's own port, or the shared Host-routed port)
becomes a ``responses`` callback on ``http://<any host>:<port>``, so the service under test
keeps its configured ``<NEIGHBOUR>_URL`` and needs no change. The callback builds the same
:class:`MockRequest` the HTTP server builds and calls the same :func:`dispatch`: the answers,
the journal and the faults are those of ``satchel-mock up``, byte for byte.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import requests
import responses

from mockserver.core.answers import SOURCE_HEADER
from mockserver.core.messages import MockRequest, MockResponse
from mockserver.core.replay import MISS_SOURCE
from mockserver.runtime.admin import operations
from mockserver.runtime.dispatch import dispatch
from mockserver.runtime.faults import check_operation, parse_fault
from mockserver.runtime.journal import Entry, coverage
from mockserver.runtime.mockset import Listener, MockSet, from_config

__all__ = ["InProcessMocks", "MockMiss"]

_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
#: Sources of the answers that mean "the mock could not answer this request".
_MISS_SOURCES = ("mock: no matching operation", "mock: host routing", MISS_SOURCE)


class MockMiss(AssertionError):
    """The service sent a request no mocked neighbour operation matches."""


class InProcessMocks:
    """Every neighbour of a ``mocks.yaml``, answering ``requests`` calls in this process."""

    def __init__(self, mocks: MockSet) -> None:
        self.mocks = mocks
        self.misses: list[str] = []
        self._registry = responses.RequestsMock(assert_all_requests_are_fired=False)
        for listener in mocks.listeners:
            pattern = re.compile(rf"^https?://[^/?#]+:{listener.port}(?=[/?#]|$)")
            for method in _METHODS:
                self._registry.add_callback(
                    method,
                    pattern,
                    callback=self._callback(listener),
                    content_type=None,
                )

    @classmethod
    def from_config(
        cls,
        config_path: str | Path,
        *,
        seed: int | None = None,
        scenarios: dict[str, str] | None = None,
    ) -> InProcessMocks:
        """Load ``mocks.yaml`` as ``satchel-mock up`` does."""
        return cls(from_config(Path(config_path), seed=seed, scenarios=scenarios))

    def start(self) -> InProcessMocks:
        """Start answering ``requests`` calls (any other URL is refused)."""
        self._registry.start()
        return self

    def stop(self) -> None:
        """Stop answering; ``requests`` talks to the network again."""
        self._registry.stop()
        # Not reset(): that would drop the registrations; only forget the calls it kept.
        self._registry.calls.reset()

    def __enter__(self) -> InProcessMocks:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()

    @property
    def base_urls(self) -> dict[str, str]:
        """Return neighbour -> the base URL its mock answers on (as ``satchel-mock up``)."""
        urls = {}
        for listener in self.mocks.listeners:
            if listener.neighbour is not None:
                urls[listener.neighbour] = f"http://127.0.0.1:{listener.port}"
            for host, name in listener.hosts:
                urls[name] = f"http://{host}:{listener.port}"
        return urls

    def scenario(self, neighbour: str, name: str | None) -> None:
        """Switch a neighbour's scenario (``None`` switches it off)."""
        self._engine(neighbour).use_scenario(name)

    def passthru(self, *prefixes: str) -> None:
        """Let calls to these URL prefixes reach the network (e.g. a server the test started)."""
        self._registry.passthru_prefixes = tuple(prefixes)

    def stateful(self, neighbour: str, on: bool = True) -> None:
        """Answer a neighbour statefully (POST creates, GET reads back ...), or stop."""
        self._engine(neighbour)
        if on:
            self.mocks.stateful.add(neighbour)
        else:
            self.mocks.stateful.discard(neighbour)
            self.mocks.state.clear(neighbour)

    def fault(self, neighbour: str, operation: str | None = None, **fault: Any) -> None:
        """Inject a fault: ``status=503``, ``delay=0.2`` or ``(low, high)``, ``reset=True``,
        ``timeout=True`` (``seed=`` for random delays)."""
        self._engine(neighbour)
        if isinstance(fault.get("delay"), tuple):
            fault["delay"] = list(fault["delay"])
        parsed = parse_fault({"neighbour": neighbour, "operation": operation, **fault})
        check_operation(parsed, operations(self.mocks))
        self.mocks.faults.set(parsed)

    def clear_faults(self, neighbour: str | None = None) -> None:
        """Remove every fault, or one neighbour's."""
        self.mocks.faults.clear(neighbour)

    def calls(
        self, operation: str | None = None, neighbour: str | None = None
    ) -> list[Entry]:
        """Return the journal entries, optionally of one operationId and/or neighbour."""
        return self.mocks.journal.entries(operation, neighbour)

    def assert_called(
        self, operation: str, times: int | None = None, neighbour: str | None = None
    ) -> list[Entry]:
        """Assert ``operation`` was called (exactly ``times`` times if given); return the calls."""
        found = self.calls(operation, neighbour)
        if (times is None and not found) or (times is not None and len(found) != times):
            seen = ", ".join(
                f"{e.method} {e.path} -> {e.operation_id}" for e in self.calls()
            )
            expected = "at least once" if times is None else f"{times} time(s)"
            raise AssertionError(
                f"expected {operation} to be called {expected}, it was called "
                f"{len(found)} time(s). Calls received: {seen or 'none'}."
            )
        return found

    def coverage(self) -> dict[str, dict[str, int]]:
        """Return neighbour -> operationId -> calls (0 for the operations never called)."""
        return coverage(operations(self.mocks), self.mocks.journal.entries())

    def _engine(self, neighbour: str) -> Any:
        """Return a neighbour's engine; raise ``KeyError`` naming the known ones."""
        try:
            return self.mocks.engines[neighbour]
        except KeyError:
            known = ", ".join(self.mocks.engines) or "none"
            raise KeyError(
                f"no neighbour {neighbour!r} in mocks.yaml; known: {known}."
            ) from None

    def _callback(self, listener: Listener) -> Any:
        """Return the ``responses`` callback serving one listener."""

        def answer(
            prepared: requests.PreparedRequest,
        ) -> tuple[int, list, bytes] | Exception:
            request = to_mock_request(prepared)
            _, response = dispatch(self.mocks, listener, request)
            if response.header(SOURCE_HEADER) in _MISS_SOURCES:
                self.misses.append(_explain(request, response))
            if response.delay:
                time.sleep(response.delay)
            if response.drop == "reset":
                # What requests raises when the HTTP server breaks the connection mid-body.
                return requests.exceptions.ChunkedEncodingError(
                    "Connection broken: response cut short (satchel-mock reset fault).",
                    request=prepared,
                )
            if response.drop == "timeout":
                return requests.ReadTimeout(
                    "Read timed out (satchel-mock timeout fault).", request=prepared
                )
            return response.status, list(response.headers), response.body

        return answer


def to_mock_request(prepared: requests.PreparedRequest) -> MockRequest:
    """Build the engine's request from what ``requests`` would send on the wire."""
    url = urlsplit(prepared.url or "")
    headers = {name.lower(): value for name, value in prepared.headers.items()}
    headers.setdefault("host", url.netloc)  # urllib3 adds it on the wire
    body = prepared.body or b""
    if isinstance(body, str):
        body = body.encode("utf-8")
    return MockRequest(
        prepared.method or "GET", url.path or "/", url.query, headers, bytes(body)
    )


def _explain(request: MockRequest, response: MockResponse) -> str:
    """Return the server's explanation of a miss, for the failing test."""
    try:
        detail = json.loads(response.body).get("detail", "")
    except ValueError:
        detail = response.body.decode("utf-8", errors="replace")
    return f"{request.method} {request.path}: {response.status} {detail}"
