"""One SQLAlchemy engine per process, same settings for every server under test."""

from __future__ import annotations

import functools
import os

import sqlalchemy as sa

items = sa.Table(
    "items",
    sa.MetaData(),
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("name", sa.String(100), nullable=False),
    sa.Column("price_pence", sa.Integer, nullable=False),
)

SELECT_ONE = sa.select(items.c.id, items.c.name, items.c.price_pence).where(
    items.c.id == sa.bindparam("item_id")
)


@functools.cache
def engine() -> sa.Engine:
    """Return the process's engine for BENCH_DATABASE_URL (created on first use)."""
    return sa.create_engine(
        os.environ["BENCH_DATABASE_URL"], pool_size=8, max_overflow=0
    )


def fetch_item(item_id: int) -> dict | None:
    """Return one item row as a dict, or None."""
    with engine().connect() as connection:
        row = connection.execute(SELECT_ONE, {"item_id": item_id}).first()
    return dict(row._mapping) if row is not None else None
