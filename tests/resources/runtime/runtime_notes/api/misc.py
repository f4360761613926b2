"""Handlers for the ``misc`` tag."""

from __future__ import annotations

from satchel import context


def ping() -> dict:
    """Answer without authentication."""
    actor = context.actor.get()
    return {"pong": True, "actor": actor.id if actor else None}


def whoami() -> dict:
    """Name the caller if a token was sent, else say anonymous."""
    actor = context.actor.get()
    return {
        "actor": actor.id if actor else "anonymous",
        "type": actor.type if actor else None,
    }


def boom() -> dict:
    """Fail unexpectedly."""
    raise RuntimeError("simulated failure in boom()")
