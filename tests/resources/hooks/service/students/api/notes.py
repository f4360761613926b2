"""Handlers for the notes tag."""

import structlog
from satchel import flags, tenancy

from students.models import Note

log = structlog.get_logger()


def list_notes():
    """Return the tenant's notes, newest first."""
    notes = tenancy.session().query(Note).order_by(Note.id.desc())
    if flags.is_enabled("notes-search"):
        log.info("notes_listed", searchable=True)
    return [{"id": note.id, "text": note.text} for note in notes]


def create_note(body):
    """Store a note and return it."""
    note = Note(text=body["text"])
    tenancy.session().add(note)
    log.info("note_created", note_id=note.id)
    return {"id": note.id, "text": note.text}, 201


def delete_note(note_id):
    """Delete a note."""
    tenancy.session().query(Note).filter_by(id=note_id).delete()
