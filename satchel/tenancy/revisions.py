"""Schema revisions: read a tenant database's revision cheaply, and know what is new enough."""

from __future__ import annotations

import functools
from pathlib import Path

import sqlalchemy as sa
from alembic.script import ScriptDirectory

from satchel.tenancy.errors import MigrationError


@functools.lru_cache(maxsize=8)
def script_directory(script_location: str) -> ScriptDirectory:
    """Return the Alembic scripts at ``script_location``, parsed once per process."""
    if not Path(script_location, "env.py").is_file():
        raise MigrationError(
            f"no Alembic environment at {script_location!r} (expected {script_location}/env.py);"
            " pass script_location= pointing at the service's migrations folder"
        )
    return ScriptDirectory(script_location)


def head_revision(script_location: str) -> str:
    """Return the single head revision; raise MigrationError if the history has branches."""
    heads = script_directory(script_location).get_heads()
    if len(heads) != 1:
        raise MigrationError(
            f"migrations at {script_location!r} have {len(heads)} heads {sorted(heads)};"
            " expected exactly one: merge them with 'alembic merge heads'"
        )
    return heads[0]


def accepted_revisions(script_location: str, min_revision: str) -> frozenset[str]:
    """Return ``min_revision`` and every revision after it: the schemas an app accepts."""
    script = script_directory(script_location)
    try:
        minimum = script.get_revision(min_revision).revision
        # iterate_revisions() stops short of its lower bound, so the minimum is added.
        later = script.iterate_revisions("heads", minimum)
        return frozenset({minimum, *(revision.revision for revision in later)})
    except Exception as exc:  # Alembic raises several types for an unknown revision
        raise MigrationError(
            f"minimum revision {min_revision!r} is not in the migrations at"
            f" {script_location!r} ({exc}); use an id listed by 'alembic history'"
        ) from exc


def read_revision(conn: sa.Connection, *, has_table: bool | None = None) -> str | None:
    """Return the revision in a database's ``alembic_version`` table, or None if unmigrated.

    Pass ``has_table`` when the caller already probed for the table.
    """
    if not (_has_version_table(conn) if has_table is None else has_table):
        return None
    versions = (
        conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalars().all()
    )
    return versions[0] if len(versions) == 1 else ",".join(sorted(versions)) or None


def _has_version_table(conn: sa.Connection) -> bool:
    # One catalog lookup instead of the inspector's reflection queries: this runs for every
    # tenant of every migration run and status check.
    if conn.dialect.name == "postgresql":
        found = conn.exec_driver_sql("SELECT to_regclass('alembic_version')").scalar()
    elif conn.dialect.name == "sqlite":
        found = conn.exec_driver_sql(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'"
        ).scalar()
    else:
        found = sa.inspect(conn).has_table("alembic_version")
    return bool(found)
