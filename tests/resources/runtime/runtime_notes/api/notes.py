"""Handlers for the ``notes`` tag."""

from __future__ import annotations

import sqlalchemy as sa

from runtime_notes import db
from satchel.problems import problem


def list_notes(limit: int = 20) -> list[dict]:
    """Return the newest notes."""
    query = sa.select(db.notes).order_by(db.notes.c.id.desc()).limit(limit)
    with db.engine().connect() as connection:
        return [dict(row._mapping) for row in connection.execute(query)]


def create_note(body: dict) -> tuple[dict, int]:
    """Insert a note and return it with 201."""
    note = {"title": body["title"], "body": body.get("body", "")}
    with db.engine().begin() as connection:
        result = connection.execute(db.notes.insert().values(**note))
    return {"id": result.inserted_primary_key[0], **note}, 201


def get_note(note_id: int) -> dict:
    """Return one note or a 404 problem."""
    with db.engine().connect() as connection:
        row = connection.execute(
            sa.select(db.notes).where(db.notes.c.id == note_id)
        ).first()
    if row is None:
        raise problem(404, f"There is no note {note_id}.", type="note-not-found")
    return dict(row._mapping)


def delete_note(note_id: int) -> None:
    """Delete a note (204)."""
    with db.engine().begin() as connection:
        connection.execute(db.notes.delete().where(db.notes.c.id == note_id))


def get_broken_note(note_id: int) -> dict:
    """Return a note missing its required title (breaks the response schema on purpose)."""
    return {"id": note_id, "body": "no title"}
