"""The HTTP shell: granian's embedded server with a raw RSGI app per listener, in one process.

Measured against granian's ASGI interface and a Flask app, a raw RSGI callback is the
fastest way to run a Python handler here (see bench/mock/README.md). One process serves every
listener, so a scenario switch or a reload is one assignment, seen by all ports at once.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal
import socket
import sys
import threading
import time
from typing import Any

from granian.constants import HTTPModes, Interfaces, TaskImpl
from granian.server.embed import Server
from satchel.problems import Problem

from mockserver.core.errors import MockError
from mockserver.core.messages import MockRequest, to_response
from mockserver.core.misses import problem_answer
from mockserver.http.accesslog import JsonLog
from mockserver.http.watch import log_warnings, warm_up, watch_and_reload
from mockserver.runtime.dispatch import dispatch
from mockserver.runtime.mockset import Listener, MockSet

__all__ = ["RsgiApp", "run", "serve"]

_FLUSH_EVERY = 0.2  # seconds: piped logs stay current without a flush per request
#: A timeout fault holds the connection this long (or until the client gives up) before
#: answering 504: far longer than any sane client timeout, short enough not to leak forever.
_HOLD_SECONDS = 30.0


class RsgiApp:
    """The RSGI callback for one listener: request -> dispatch -> response + access line."""

    def __init__(self, mocks: MockSet, listener: Listener, log: JsonLog) -> None:
        self.mocks = mocks
        self.listener = listener
        self.log = log

    async def __rsgi__(self, scope: Any, proto: Any) -> None:
        started = time.perf_counter()
        headers = scope.headers
        body = b""
        if "content-length" in headers or "transfer-encoding" in headers:
            body = await proto()
        path = scope.path
        if "%" in path:
            # granian hands over the path percent-decoded and the engine (like the
            # in-process transport) expects it encoded: decoding twice would turn
            # /pets/%2531 into /pets/1.
            path = path.replace("%", "%25")
        request = MockRequest(scope.method, path, scope.query_string, headers, body)
        try:
            name, response = dispatch(self.mocks, self.listener, request)
        except Exception as exc:  # noqa: BLE001 - a bug must still answer, never hang
            name = self.listener.neighbour or "unrouted"
            response = _internal_error(exc)
            self.log.event("error", level="error", error=repr(exc), path=path)
        if response.delay:
            await asyncio.sleep(response.delay)
        if response.drop is None:
            proto.response_bytes(response.status, response.headers, response.body)
        else:
            await _drop(proto, response.drop)
        if response.violations:  # an answer that breaks its spec, served by default
            self.log.event(
                "answer violates spec",
                level="warning",
                neighbour=name,
                operation_id=response.operation_id,
                route=response.route,
                status=response.status,
                violations=response.violations,
            )
        if self.log.requests:
            self.log.request(
                name,
                scope.method,
                path,
                response.route,
                response.operation_id,
                response.status,
                (time.perf_counter() - started) * 1000,
                self.log.request_id(headers.get("x-request-id")),
            )

    # granian also accepts the instance itself as the callback.
    __call__ = __rsgi__


async def _drop(proto: Any, how: str) -> None:
    """Carry out a reset or timeout fault on the connection."""
    if how == "timeout":
        try:
            await asyncio.wait_for(proto.client_disconnect(), _HOLD_SECONDS)
        except TimeoutError:
            pass
        proto.response_empty(504, [])
        return
    # A body cut short of its announced length: the client sees the connection break.
    stream = proto.response_stream(200, [("content-length", "1000")])
    await stream.send_bytes(b"{")


def _internal_error(exc: Exception) -> Any:
    """Return a 500 problem for a bug in the mock (it names the exception)."""
    problem = Problem(
        status=500,
        type="mock-internal-error",
        detail=f"the mock server failed: {exc!r}. Please report it with the request.",
    )
    return to_response(problem_answer(problem, "mock: internal error"), "", None)


async def serve(mocks: MockSet, log: JsonLog, *, reload: bool = True) -> None:
    """Serve every listener until SIGTERM/SIGINT; watch files and reload when asked."""
    loop = asyncio.get_running_loop()
    stop = asyncio.Event()
    # The loaded specs and compiled validators live for the whole run: take them out of the
    # cyclic GC's reach, so full collections do not stall requests (better p99).
    gc.freeze()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stop.set)
    servers = [
        Server(
            RsgiApp(mocks, listener, log),
            address=listener.bind,
            port=listener.port,
            interface=Interfaces.RSGI,
            http=HTTPModes.http1,
            log_enabled=False,
            websockets=False,
            backlog=1024,
            # Measured ~1.3x the throughput of asyncio tasks here; granian falls back to
            # asyncio by itself on Python >= 3.12, where Rust tasks are unavailable.
            task_impl=TaskImpl.rust,
        )
        for listener in mocks.listeners
    ]
    tasks = [asyncio.create_task(server.serve()) for server in servers]
    helpers = [
        asyncio.create_task(_flush(log)),
        asyncio.create_task(warm_up(mocks, log)),
    ]
    watching = threading.Event()
    watcher = threading.Thread(
        target=watch_and_reload, args=(mocks, log, watching), name="watch", daemon=True
    )
    if reload:
        watcher.start()
    for listener in mocks.listeners:
        url = f"http://{listener.bind}:{listener.port}"
        if listener.neighbour is not None:
            base_urls = {listener.neighbour: url}
        else:
            base_urls = {
                name: f"http://{host}:{listener.port}" for host, name in listener.hosts
            }
        log.event("listening", url=url, base_urls=base_urls)
    log_warnings(mocks, log)
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait([stopper, *tasks], return_when=asyncio.FIRST_COMPLETED)
    for server in servers:
        server.stop()
    stop.set()
    await asyncio.gather(*tasks, return_exceptions=True)
    watching.set()
    for helper in helpers:
        helper.cancel()
    await asyncio.gather(*helpers, return_exceptions=True)
    log.event("stopped")
    failed = [t for t in tasks if t in done and t.exception() is not None]
    if failed:
        raise MockError(f"a listener stopped unexpectedly: {failed[0].exception()!r}.")


def _check_free(listener: Listener) -> None:
    """Fail early when the port is taken: granian binds with SO_REUSEPORT, which would let a
    second mock silently share the port (and its traffic) with the first."""
    with socket.socket(
        socket.AF_INET6 if ":" in listener.bind else socket.AF_INET
    ) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((listener.bind, listener.port))
        except OSError as exc:
            raise MockError(
                f"cannot listen on {listener.bind}:{listener.port} for "
                f"{', '.join(listener.names())}: {exc.strerror}.",
                hint="Stop whatever uses the port (another satchel-mock?) or pick another.",
            ) from None


async def _flush(log: JsonLog) -> None:
    """Flush the log stream periodically."""
    while True:
        await asyncio.sleep(_FLUSH_EVERY)
        log.flush()


def run(mocks: MockSet, log: JsonLog, *, reload: bool = True) -> None:
    """Run :func:`serve` in a fresh event loop, then end the process (the CLI's entry point).

    The process ends with ``os._exit``: granian's embedded server leaves Rust runtime
    threads behind that can panic while the interpreter finalises, turning a clean SIGTERM
    into an abort. Everything of ours is flushed and stopped by then.
    """
    for listener in mocks.listeners:
        _check_free(listener)  # raises before anything starts, so the CLI reports it
    # Not asyncio.run: its final sweep of pending tasks trips over granian's Rust-side tasks.
    loop = asyncio.new_event_loop()
    try:
        loop.run_until_complete(serve(mocks, log, reload=reload))
    except MockError as exc:
        log.event("failed", level="error", error=str(exc))
        code = 1
    else:
        code = 0
    log.flush()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
