"""Mark endpoints that live outside tenancy and authentication (health, metrics, docs).

Tenancy and auth skip a request whose endpoint is public: check ``is_public(app, endpoint)``
(or the view function's ``satchel_public`` attribute). Quiet endpoints (probes and scrapes)
are also left out of the access log and the latency metrics, so they cannot drown real traffic.
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask

__all__ = [
    "PUBLIC_ATTRIBUTE",
    "is_public",
    "is_quiet",
    "mark_public",
    "public_endpoints",
    "quiet_endpoints",
]

PUBLIC_ATTRIBUTE = "satchel_public"
_PUBLIC_KEY = "satchel.public_endpoints"
_QUIET_KEY = "satchel.quiet_endpoints"


def _registry(app: Flask, key: str) -> set[str]:
    """Return the app's set of endpoint names stored under ``key``, creating it once."""
    return app.extensions.setdefault(key, set())


def mark_public(
    app: Flask, endpoint: str, view: Callable, *, quiet: bool = False
) -> None:
    """Record ``endpoint`` as public (no tenant, no token) and, if ``quiet``, unlogged."""
    setattr(view, PUBLIC_ATTRIBUTE, True)
    _registry(app, _PUBLIC_KEY).add(endpoint)
    if quiet:
        _registry(app, _QUIET_KEY).add(endpoint)


def public_endpoints(app: Flask) -> set[str]:
    """Return the live set of public endpoint names (tenancy/auth consult it per request)."""
    return _registry(app, _PUBLIC_KEY)


def quiet_endpoints(app: Flask) -> set[str]:
    """Return the live set of endpoint names left out of access logs and latency metrics."""
    return _registry(app, _QUIET_KEY)


def is_public(app: Flask, endpoint: str | None) -> bool:
    """Return whether ``endpoint`` is outside tenancy and authentication."""
    return endpoint in _registry(app, _PUBLIC_KEY)


def is_quiet(app: Flask, endpoint: str | None) -> bool:
    """Return whether ``endpoint`` is left out of access logs and latency metrics."""
    return endpoint in _registry(app, _QUIET_KEY)
