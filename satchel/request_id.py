"""Request ids and the request scope: accept a valid ``X-Request-ID``, else mint one.

An incoming id is untrusted text that ends up in every log line and in a response header, so
only a bounded printable allow-list is accepted (no spaces, no control characters, no
injection into JSON or header lines); anything else is replaced rather than repaired.
"""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable
from typing import Any

from flask import Flask

from satchel import context
from satchel.log_context import clear_bound_fields

__all__ = [
    "HEADER",
    "PATTERN",
    "STARTED_KEY",
    "accept_or_generate",
    "init_app",
    "new_request_id",
    "outbound_headers",
]

HEADER = "X-Request-ID"
PATTERN = re.compile(r"[A-Za-z0-9._:-]{8,128}")
#: WSGI environ key holding ``time.perf_counter()`` at the start of the request.
STARTED_KEY = "satchel.started"
_EXTENSION = "satchel.request_scope"

_fullmatch = PATTERN.fullmatch
# RFC 9562 variant bits (10xx) for the first hex digit of the fourth group.
_VARIANT = {digit: "89ab"[int(digit, 16) & 3] for digit in "0123456789abcdef"}


def new_request_id() -> str:
    """Return a fresh random request id: a UUID4 in canonical form.

    Formatted from ``os.urandom`` directly: ``str(uuid.uuid4())`` costs about three times
    as much, and this runs on every request that arrives without an id.
    """
    h = os.urandom(16).hex()
    return f"{h[:8]}-{h[8:12]}-4{h[13:16]}-{_VARIANT[h[16]]}{h[17:20]}-{h[20:]}"


def accept_or_generate(incoming: str | None) -> str:
    """Return ``incoming`` when it matches :data:`PATTERN`, otherwise a new id."""
    if incoming and _fullmatch(incoming):
        return incoming
    return new_request_id()


def outbound_headers() -> dict[str, str]:
    """Return the header that forwards the current request id to a neighbour service."""
    current = context.request_id.get()
    return {HEADER: current} if current else {}


def init_app(app: Flask) -> None:
    """Open a request scope around ``app.wsgi_app`` (idempotent; logs and metrics call it).

    The scope starts the clock, sets :data:`satchel.context.request_id` before any Flask hook
    runs (so tenancy, auth and flags already see it) and clears every request context
    variable afterwards: WSGI servers reuse threads, and a stale tenant or actor must never
    leak into the next request. A WSGI wrapper rather than Flask hooks: it always runs
    first and last, and costs less per request.
    """
    if app.extensions.get(_EXTENSION):
        return
    app.extensions[_EXTENSION] = True
    inner = app.wsgi_app
    perf_counter = time.perf_counter
    set_request_id, set_tenant, set_actor = (
        context.request_id.set,
        context.tenant_id.set,
        context.actor.set,
    )
    clear_bound = clear_bound_fields

    def request_scope(
        environ: dict[str, Any], start_response: Callable
    ) -> Iterable[bytes]:
        environ[STARTED_KEY] = perf_counter()
        set_request_id(accept_or_generate(environ.get("HTTP_X_REQUEST_ID")))
        try:
            return inner(environ, start_response)
        finally:
            set_request_id(None)
            set_tenant(None)
            set_actor(None)
            clear_bound()

    app.wsgi_app = request_scope
