"""Who is acting, as the audit records it: actor id, actor type and request id.

Read from :mod:`satchel.context` at the moment of writing. With no verified actor the type
says why: ``anonymous`` inside a request (an operation without bearer security), ``system``
outside one (CLI commands, jobs, migrations). A row written by anything that bypasses
satchel (psql, another tool) has no type at all, which is how it stands out.
"""

from __future__ import annotations

from typing import NamedTuple

from satchel import context


class Stamp(NamedTuple):
    actor_id: str | None
    actor_type: str
    request_id: str | None


def current_stamp() -> Stamp:
    """Return the stamp of the work running now."""
    actor, request_id = context.actor.get(), context.request_id.get()
    if actor is not None:
        return Stamp(actor.id, actor.type, request_id)
    return Stamp(None, "anonymous" if request_id else "system", request_id)
