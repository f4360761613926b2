"""The audit test app: the tenancy test app plus request ids, bearer auth and write routes."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import sqlalchemy as sa
from alembic.migration import MigrationContext
from alembic.operations import Operations
from flask import Flask, request

from satchel import context, request_id, tenancy
from satchel.auth import Authenticator
from satchel.testing import bearer, make_token
from tests.tenancy.support import Note, make_app

MIGRATIONS = str(Path(__file__).parent / "migrations")
ISSUER, AUDIENCE, KEY = "https://issuer.test", "notes", "audit-test-secret-" * 2


def token_for(subject: str, tenant: str = "school-a", **claims) -> dict[str, str]:
    """Return the Authorization header of a valid token for ``subject`` of ``tenant``."""
    return bearer(
        make_token(
            KEY,
            issuer=ISSUER,
            audience=AUDIENCE,
            subject=subject,
            tenant=tenant,
            **claims,
        )
    )


def make_audit_app(registry, **options) -> Flask:
    """Build the tenancy test app with a verified actor and routes that write rows."""
    options.setdefault("script_location", MIGRATIONS)
    app = make_app(registry, **options)
    request_id.init_app(app)
    authenticator = Authenticator(issuer=ISSUER, audience=AUDIENCE, key=KEY)

    @app.before_request
    def authenticate():
        # What satchel's router does for an operation with bearer security.
        if "Authorization" in request.headers:
            context.actor.set(
                authenticator.authenticate(request.headers["Authorization"])
            )

    @app.after_request
    def echo_request_id(response):
        response.headers[request_id.HEADER] = context.request_id.get() or ""
        return response

    @app.put("/notes/<int:note_id>")
    def edit_note(note_id):
        tenancy.session().get(Note, note_id).body = request.get_json()["body"]
        return {"ok": True}

    @app.delete("/notes/<int:note_id>")
    def delete_note(note_id):
        db = tenancy.session()
        db.delete(db.get(Note, note_id))
        return {"ok": True}

    @app.post("/notes/append")
    def append_to_every_note():
        # Raw SQL, one statement for every row: the triggers see each row.
        suffix = request.get_json()["suffix"]
        tenancy.session().execute(
            sa.text("UPDATE notes SET body = body || :suffix"), {"suffix": suffix}
        )
        return {"ok": True}

    return app


@contextmanager
def operations(
    connect: Callable[[Any, str], Any], registry: Any, tenant: str = "school-a"
) -> Iterator[tuple[Operations, sa.Connection]]:
    """Yield (op, connection) on ``tenant``'s database in a transaction rolled back after."""
    with connect(registry, tenant) as conn:
        with conn.begin() as transaction:
            yield Operations(MigrationContext.configure(connection=conn)), conn
            transaction.rollback()
