"""The service's env.py (satchel.tenancy.alembic) driven by the real `alembic` command."""

from __future__ import annotations

import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from tests.tenancy.support import MIGRATIONS

ALEMBIC = str(Path(sys.executable).parent / "alembic")


@pytest.fixture
def ini(tmp_path) -> Path:
    path = tmp_path / "alembic.ini"
    path.write_text(f"[alembic]\nscript_location = {MIGRATIONS}\n")
    return path


def test_developer_upgrades_one_database_named_with_x_url(ini, tmp_path):
    """`alembic -x url=... upgrade head` migrates exactly that database."""
    db = tmp_path / "dev.db"
    result = subprocess.run(
        [ALEMBIC, "-c", str(ini), "-x", f"url=sqlite:///{db}", "upgrade", "head"],
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("SELECT version_num FROM alembic_version").fetchall() == [
            ("0002",)
        ]
        columns = [row[1] for row in conn.execute("PRAGMA table_info(notes)")]
    assert columns == ["id", "body", "pinned"]


def test_alembic_without_a_database_says_how_to_name_one(ini):
    """With no connection, -x url or sqlalchemy.url, the error names both ways forward."""
    result = subprocess.run(
        [ALEMBIC, "-c", str(ini), "upgrade", "head"], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert (
        "no database to migrate: run 'flask tenants migrate' for every tenant, or name one"
        " database with 'alembic -x url=postgresql://host/db upgrade head'"
    ) in result.stderr
