"""Flask's signed-cookie sessions, with the signing serializer built once per key set.

Flask builds a new ``URLSafeTimedSerializer`` for every request (in ``open_session``, even
when the request carries no session cookie), which costs a stamped service a few percent
of a read (bench/stamped). The serializer depends only on ``SECRET_KEY`` and
``SECRET_KEY_FALLBACKS``; it is kept until either changes, so key rotation works as before.
An API request never touches its session: saving a session that stayed empty and unread
returns at once, where Flask would first read seven cookie settings to do nothing.
"""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

__all__ = ["CachedSerializerSessionInterface", "init_app"]


class CachedSerializerSessionInterface(SecureCookieSessionInterface):
    """Signed-cookie sessions exactly as Flask's, minus a serializer per request."""

    def __init__(self) -> None:
        self._cached: tuple[Any, Any] | None = None

    def get_signing_serializer(self, app: Flask) -> Any:
        """Return the serializer for the app's current keys, built on first use."""
        keys = (app.secret_key, tuple(app.config["SECRET_KEY_FALLBACKS"] or ()))
        cached = self._cached
        if cached is not None and cached[0] == keys:
            return cached[1]
        serializer = super().get_signing_serializer(app)
        self._cached = (keys, serializer)
        return serializer

    def save_session(self, app: Flask, session: Any, response: Any) -> None:
        """Save as Flask does; nothing to do for a session left empty and unread."""
        if not session and not session.modified and not session.accessed:
            return  # Flask would add no cookie, no deletion and no Vary header
        super().save_session(app, session, response)


def init_app(app: Flask) -> None:
    """Give ``app`` signed-cookie sessions with a cached serializer."""
    app.session_interface = CachedSerializerSessionInterface()
