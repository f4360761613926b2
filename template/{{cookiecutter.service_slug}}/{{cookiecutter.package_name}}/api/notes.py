"""Handlers for the ``notes`` tag of spec/openapi.yaml.

The runtime has already resolved the tenant, checked the bearer token and validated the
request against the spec: parameters arrive typed, the body as a dict.
"""

from __future__ import annotations

from sqlalchemy import select

from satchel import flags, tenancy
from satchel.auth import current_actor
from satchel.problems import problem

from ..models import Note


def list_notes(limit: int = 20, before: int | None = None) -> dict:
    """Return a page of the tenant's notes, newest first."""
    query = select(Note).order_by(Note.id.desc()).limit(limit)
    if before is not None:
        query = query.where(Note.id < before)
    notes = tenancy.session().scalars(query).all()
    next_before = notes[-1].id if len(notes) == limit else None
    return {"items": [note.to_dict() for note in notes], "next_before": next_before}


def create_note(body: dict) -> tuple[dict, int, dict]:
    """Create a note written by the current actor."""
    actor = current_actor()
    note = Note(title=body["title"], body=body.get("body", ""), created_by=actor.id)
    session = tenancy.session()
    session.add(note)
    session.flush()
    return note.to_dict(), 201, {"Location": f"/v1/notes/{note.id}"}


def get_note(note_id: int) -> dict:
    """Return one note."""
    return _find(note_id).to_dict()


def update_note(note_id: int, body: dict) -> dict:
    """Replace a note's title and body."""
    note = _find(note_id)
    note.title = body["title"]
    note.body = body.get("body", "")
    tenancy.session().flush()
    return note.to_dict()


def delete_note(note_id: int) -> None:
    """Delete a note."""
    tenancy.session().delete(_find(note_id))


@flags.flag_required("notes-archive")
def archive_note(note_id: int) -> dict:
    """Archive a note; only where the notes-archive flag is on for the tenant."""
    note = _find(note_id)
    note.archived = True
    tenancy.session().flush()
    return note.to_dict()


def _find(note_id: int) -> Note:
    note = tenancy.session().get(Note, note_id)
    if note is None:
        raise problem(404, f"Note {note_id} does not exist.")
    return note
