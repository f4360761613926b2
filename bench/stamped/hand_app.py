"""The baseline: the same work as the stamped service, hand-written in Flask + SQLAlchemy.

What a team would write without the platform: the tenant from the Host (the registry file
read once into a dict, as satchel's cache holds it), one engine per tenant on the same
runtime role and pool sizes, the service's own ``Note`` model read and written with the same
ORM calls, the same JSON. No token check, no spec validation, no logs, metrics or flags.

- ``GET /v1/notes/<id>``: ``session.get(Note, id)``, as the stamp's handler.
- ``POST /v1/notes``: the same insert into ``notes``, whose audit trigger still fires (with
  no actor stamped): the audit's own cost, without the platform.
- ``POST /v1/unaudited-notes``: the same insert into a twin table without the trigger.

Reads the stamp's settings from the same environment variables (NOTEBOOK_...).
"""

from __future__ import annotations

import os
from datetime import datetime, timezone

import sqlalchemy as sa
import yaml
from flask import Flask, abort, request
from sqlalchemy.orm import Session

from notebook.models import Note

PREFIX = "NOTEBOOK_"
BASE_DOMAIN = ".notebook.localhost"


class UnauditedNote(Note.__mro__[1]):  # the service's declarative Base
    """The ``notes`` columns in a table without the audit trigger."""

    __table__ = Note.__table__.to_metadata(sa.MetaData(), name="notes_unaudited")
    to_dict = Note.to_dict


def _engines() -> dict[str, sa.Engine]:
    registry = os.environ[PREFIX + "TENANT_REGISTRY"].removeprefix("file://")
    template = os.environ[PREFIX + "TENANT_DATABASE_URL"]
    with open(registry, encoding="utf-8") as file:
        tenants = yaml.safe_load(file)["tenants"]
    # The registry's URLs name the owner; the task connects as the runtime role, as satchel's.
    return {
        tenant: sa.create_engine(
            template.format(tenant=tenant).replace(
                "postgresql://", "postgresql+psycopg://"
            ),
            pool_size=5,
            max_overflow=5,
        )
        for tenant in tenants
    }


app = Flask(__name__)
engines = _engines()


def tenant_session() -> Session:
    """Return a session on the engine of the tenant named by the Host header."""
    host = request.host.split(":")[0].lower()
    if not host.endswith(BASE_DOMAIN):
        abort(404)
    engine = engines.get(host[: -len(BASE_DOMAIN)])
    if engine is None:
        abort(404)
    return Session(engine, expire_on_commit=False)


@app.get("/v1/notes/<int:note_id>")
def get_note(note_id: int) -> dict:
    """Return one note or 404."""
    with tenant_session() as session:
        note = session.get(Note, note_id)
        if note is None:
            abort(404)
        return note.to_dict()


def _create(model: type) -> tuple[dict, int, dict]:
    body = request.get_json()
    now = datetime.now(timezone.utc)
    note = model(
        title=body["title"],
        body=body.get("body", ""),
        archived=False,
        created_by="teacher-1",
        created_at=now,
        updated_at=now,
    )
    with tenant_session() as session:
        session.add(note)
        session.commit()
    return note.to_dict(), 201, {"Location": f"/v1/notes/{note.id}"}


@app.post("/v1/notes")
def create_note() -> tuple[dict, int, dict]:
    """Insert a note; the audit trigger records it."""
    return _create(Note)


@app.post("/v1/unaudited-notes")
def create_unaudited_note() -> tuple[dict, int, dict]:
    """Insert the same note into the twin table without the trigger."""
    return _create(UnauditedNote)
