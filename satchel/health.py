"""Liveness and readiness probes in ``application/health+json``.

``/livez`` answers for the process only: a liveness probe that checks the database turns a
database blip into a restart storm. ``/readyz`` answers "send me traffic?": it fails while the
service warms up (until :func:`mark_ready`), after SIGTERM (so the load balancer drains it
before exit), and while any critical check fails. Check results are cached for a couple of
seconds so a tight probe interval cannot hammer the dependencies.

Under ``satchel-serve`` (the production entry point) the supervisor owns SIGTERM: granian
replaces any handler in its workers, so the supervisor marks every worker draining at once
through the file named by ``SATCHEL_DRAIN_FILE``, waits, then stops granian; no handler is
installed here then. :func:`mark_draining` is there for servers that offer a shutdown hook.

Check outputs name dependencies (the registry's ``user@host/db``, the Redis address), so
they are shown only to callers on the platform's network (``detail_networks``: loopback and
private ranges by default, never a request a proxy forwarded) or presenting a service token
the app's authenticator accepts; anyone else sees the statuses alone.
"""

from __future__ import annotations

import ipaddress
import json
import os
import signal
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, Response, current_app, request

from satchel import auth
from satchel.api.markers import mark_public
from satchel.problems import Problem
from satchel.serve import DRAIN_FILE_ENV

__all__ = [
    "DETAIL_NETWORKS",
    "HEALTH_MEDIA_TYPE",
    "HealthError",
    "init_app",
    "mark_draining",
    "mark_ready",
    "register_check",
]

HEALTH_MEDIA_TYPE = "application/health+json"
_EXTENSION = "satchel.health"
_STATUSES = ("pass", "warn", "fail")
#: Who sees check outputs without a token: the machine itself and private networks (where
#: probes, sidecars and operators are), as long as no proxy forwarded the request.
DETAIL_NETWORKS = (
    "127.0.0.0/8",
    "::1/128",
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "fc00::/7",
)
# A request carrying any of these came through a proxy: its peer address is the proxy's.
_FORWARDED = ("HTTP_FORWARDED", "HTTP_X_FORWARDED_FOR", "HTTP_X_REAL_IP")

Check = Callable[[], tuple[str, str]]


class HealthError(Exception):
    """Health checks are misconfigured (for example a check registered twice)."""


@dataclass(frozen=True)
class _Registered:
    """A named readiness check and whether its failure makes the service unready."""

    fn: Check
    critical: bool


@dataclass
class _State:
    """Readiness state of one app; mutated by mark_ready, SIGTERM and the check cache."""

    cache_seconds: float
    detail_networks: tuple[ipaddress.IPv4Network | ipaddress.IPv6Network, ...] = ()
    ready: bool = False
    draining: bool = False
    checks: dict[str, _Registered] = field(default_factory=dict)
    cached_at: float = float("-inf")
    cached: dict[str, dict[str, Any]] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)


def _state(app: Flask) -> _State:
    """Return the app's health state, or say that ``init_app`` was not called."""
    try:
        return app.extensions[_EXTENSION]
    except KeyError:
        raise HealthError(
            "satchel.health.init_app(app) has not been called on this app; call it in create_app "
            "before registering checks or marking the app ready."
        ) from None


def init_app(
    app: Flask,
    *,
    cache_seconds: float = 2.0,
    drain_seconds: float = 0.0,
    install_signal_handler: bool = True,
    detail_networks: Sequence[str] = DETAIL_NETWORKS,
) -> None:
    """Serve ``/livez`` and ``/readyz``; on SIGTERM fail readiness, wait ``drain_seconds``, exit."""
    try:
        networks = tuple(ipaddress.ip_network(n, strict=False) for n in detail_networks)
    except ValueError as error:
        raise HealthError(
            f"detail_networks has an entry that is not a network ({error}); give CIDRs"
            " such as '10.0.0.0/8'."
        ) from None
    state = app.extensions[_EXTENSION] = _State(
        cache_seconds=cache_seconds, detail_networks=networks
    )
    drain_file = os.environ.get(DRAIN_FILE_ENV)

    def livez() -> Response:
        return _respond({"status": "pass"}, 200)

    def readyz() -> Response:
        checks = _run_checks(state)
        failed = [
            n
            for n, r in checks.items()
            if r["status"] == "fail" and state.checks[n].critical
        ]
        body: dict[str, Any] = {"status": "pass", "checks": checks}
        if not state.ready:
            body.update(
                status="fail", output="warming up: mark_ready(app) not called yet"
            )
        elif state.draining or (drain_file and os.path.exists(drain_file)):
            body.update(status="fail", output="draining: the server is shutting down")
        elif failed:
            body.update(
                status="fail", output="critical checks failing: " + ", ".join(failed)
            )
        elif any(r["status"] != "pass" for r in checks.values()):
            body["status"] = "warn"
        if not _may_see_details(state):
            body["checks"] = {n: {"status": r["status"]} for n, r in checks.items()}
        return _respond(body, 503 if body["status"] == "fail" else 200)

    for endpoint, view in (("satchel_livez", livez), ("satchel_readyz", readyz)):
        app.add_url_rule(
            f"/{endpoint.removeprefix('satchel_')}", endpoint, view, methods=["GET"]
        )
        mark_public(app, endpoint, view, quiet=True)
    supervised = drain_file is not None
    main_thread = threading.current_thread() is threading.main_thread()
    if install_signal_handler and main_thread and not supervised:
        _install_sigterm(state, drain_seconds)


def register_check(app: Flask, name: str, fn: Check, critical: bool = True) -> None:
    """Add a readiness check ``fn() -> (status, detail)``; status is pass, warn or fail."""
    state = _state(app)
    if name in state.checks:
        raise HealthError(
            f"A health check named {name!r} is already registered; pick another name."
        )
    state.checks[name] = _Registered(fn, critical)


def mark_ready(app: Flask) -> None:
    """Declare warm-up done: ``/readyz`` passes from now on while the checks pass."""
    _state(app).ready = True


def mark_draining(app: Flask) -> None:
    """Fail readiness from now on: for servers that own SIGTERM and call a shutdown hook."""
    _state(app).draining = True


def _run_checks(state: _State) -> dict[str, dict[str, Any]]:
    """Run every check, or return the results cached less than ``cache_seconds`` ago."""
    with state.lock:
        now = time.monotonic()
        if now - state.cached_at < state.cache_seconds:
            return state.cached
        results = {}
        for name, registered in state.checks.items():
            results[name] = _run_one(name, registered.fn)
        state.cached, state.cached_at = results, now
        return results


def _run_one(name: str, fn: Check) -> dict[str, Any]:
    """Run one check; an exception or a malformed answer counts as a failure, not a crash."""
    try:
        status, detail = fn()
    except (
        Exception
    ) as error:  # noqa: BLE001 - a broken dependency must not break the probe
        return {"status": "fail", "output": f"{type(error).__name__}: {error}"}
    if status not in _STATUSES:
        return {
            "status": "fail",
            "output": f"check {name!r} returned status {status!r}; expected pass, warn or fail",
        }
    return {"status": status, "output": detail} if detail else {"status": status}


def _may_see_details(state: _State) -> bool:
    """Tell whether this caller is on the platform's network or shows a service token."""
    environ = request.environ
    if not any(name in environ for name in _FORWARDED):
        try:
            peer = ipaddress.ip_address(environ.get("REMOTE_ADDR") or "")
        except ValueError:
            peer = None
        if peer is not None and any(peer in n for n in state.detail_networks):
            return True
    header = environ.get("HTTP_AUTHORIZATION")
    verifier = auth.authenticator(current_app)
    if not header or verifier is None:
        return False
    try:
        return verifier.authenticate(header).type == "service"
    except Problem:
        return False


def _respond(body: dict[str, Any], status: int) -> Response:
    """Render a health+json response that no cache keeps."""
    response = Response(json.dumps(body), status=status, mimetype=HEALTH_MEDIA_TYPE)
    response.headers["Cache-Control"] = "no-store"
    return response


def _install_sigterm(state: _State, drain_seconds: float) -> None:
    """On SIGTERM flip readiness to fail, then re-deliver it to the previous handler."""
    # None means a handler installed outside Python; the default action is the safe fallback.
    previous = signal.getsignal(signal.SIGTERM) or signal.SIG_DFL

    def on_sigterm(_signum: int, _frame: Any) -> None:
        state.draining = True
        # Restore first (only the main thread may), so the re-delivered signal reaches the
        # previous handler, and a second SIGTERM during the drain acts at once.
        signal.signal(signal.SIGTERM, previous)
        timer = threading.Timer(
            max(drain_seconds, 0.0), os.kill, (os.getpid(), signal.SIGTERM)
        )
        timer.daemon = True
        timer.start()

    signal.signal(signal.SIGTERM, on_sigterm)
