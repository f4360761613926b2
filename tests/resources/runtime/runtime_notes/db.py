"""The test service's database: one SQLAlchemy engine and a notes table."""

from __future__ import annotations

import sqlalchemy as sa
from flask import Flask, current_app
from sqlalchemy.pool import StaticPool

metadata = sa.MetaData()
notes = sa.Table(
    "notes",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("body", sa.Text, nullable=False, default=""),
)


def init_app(app: Flask, url: str) -> None:
    """Create the engine and the table."""
    options = {"poolclass": StaticPool} if url == "sqlite://" else {}
    if url.startswith("sqlite"):
        options["connect_args"] = {"check_same_thread": False}
    engine = sa.create_engine(url, **options)
    metadata.create_all(engine)
    app.extensions["runtime_notes.db"] = engine


def engine() -> sa.Engine:
    """Return the current app's engine."""
    return current_app.extensions["runtime_notes.db"]


def check() -> tuple[str, str]:
    """Readiness check: the database answers a trivial query."""
    with engine().connect() as connection:
        connection.execute(sa.text("SELECT 1"))
    return "pass", ""
