"""Page sessions: Flask's signed cookie by default, a Redis-backed store as an option.

Either way the cookie is host-only (each tenant's sub-domain has its own), HttpOnly and
SameSite=Lax, and Secure in production. The session stores the tenant it was opened for, so
a session is never honoured on another tenant's host even if a cookie were carried across.
"""

from __future__ import annotations

import redis
from flask import Flask
from flask_session import Session

from satchel.config import ConfigError


def init_app(app: Flask, *, store: str, key_prefix: str, secure: bool) -> None:
    """Configure the session cookie and, for a redis:// store, server-side sessions."""
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=secure,
        SESSION_COOKIE_NAME="attendance_session",
    )
    if store == "cookie":
        return
    if not store.startswith(("redis://", "rediss://")):
        raise ConfigError(
            f"ATTENDANCE_SESSION_STORE is {store!r}: expected 'cookie' or a Redis URL "
            "(redis://host:port/db). Set it to one of those."
        )
    app.config.update(
        SESSION_TYPE="redis",
        SESSION_REDIS=redis.Redis.from_url(store),
        SESSION_KEY_PREFIX=key_prefix,
        SESSION_PERMANENT=False,
    )
    Session(app)
