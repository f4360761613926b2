"""Fixtures for tenancy: uniquely named PostgreSQL databases, dropped at session end."""

from __future__ import annotations

import secrets
import shutil
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest

from satchel.tenancy import create_tenant, run_in_tenant, session
from satchel.tenancy.upgrade import upgrade_database
from satchel.tenancy.pgregistry import PostgresRegistry
from satchel.tenancy.provision import create_database
from satchel.tenancy.runtime import Tenancy, TenancySettings
from tests.tenancy.support import MIGRATIONS, PG, Note

ESTATE_SIZE = 20


def _admin() -> psycopg.Connection:
    return psycopg.connect(
        "host=127.0.0.1 user=postgres dbname=postgres", autocommit=True
    )


@pytest.fixture(scope="session")
def prefix():
    """Yield a unique database name prefix; drop every database with it at the end."""
    name = f"sat_t_{secrets.token_hex(3)}"
    yield name
    with _admin() as conn:
        query = "SELECT datname FROM pg_database WHERE datname LIKE %s"
        names = [db for (db,) in conn.execute(query, (name + "%",)).fetchall()]
    with ThreadPoolExecutor(max_workers=4) as pool:  # each DROP waits for a checkpoint
        list(pool.map(_drop, names))


def _drop(database: str) -> None:
    with _admin() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')


@pytest.fixture
def new_db(prefix):
    """Return a factory of unique database names under the session prefix."""
    counter = iter(range(10_000))
    token = secrets.token_hex(2)
    return lambda label="db": f"{prefix}_{token}{next(counter)}_{label}"


@pytest.fixture(scope="session")
def template_db(prefix) -> str:
    """Return a database migrated to head, to copy new tenants from."""
    name = f"{prefix}_tpl"
    create_database(f"{PG}/{name}")
    outcome = upgrade_database("template", f"{PG}/{name}", "0002", MIGRATIONS)
    assert outcome.status == "upgraded", outcome
    return name


@pytest.fixture(scope="session")
def control_url(prefix) -> str:
    """Return the URL of a fresh control-plane database for a PostgreSQL registry."""
    url = f"{PG}/{prefix}_control"
    create_database(url)
    return url


@dataclass(frozen=True)
class Estate:
    registry: PostgresRegistry
    tenancy: Tenancy
    tenants: tuple[str, ...]


@pytest.fixture(scope="session")
def estate(prefix, template_db, control_url):
    """Provision 20 PostgreSQL tenants, each holding one sentinel note naming itself."""
    registry = PostgresRegistry(control_url)
    tenancy = Tenancy(
        registry,
        TenancySettings(
            script_location=MIGRATIONS,
            database_url_template=f"{PG}/{prefix}_{{tenant}}",
        ),
    )
    tenants = tuple(f"school-{i:02d}" for i in range(ESTATE_SIZE))
    for tenant in tenants:
        create_tenant(tenancy, tenant, template=template_db)
        run_in_tenant(
            tenant, lambda t=tenant: session().add(Note(body=t)), tenancy=tenancy
        )
    yield Estate(registry, tenancy, tenants)
    tenancy.close()
    registry.dispose()


@pytest.fixture(scope="session")
def migrations_v1(tmp_path_factory) -> str:
    """Return a copy of the test migrations holding only revision 0001."""
    target = Path(tmp_path_factory.mktemp("v1"), "migrations_v1")
    shutil.copytree(MIGRATIONS, target, ignore=shutil.ignore_patterns("__pycache__"))
    (target / "versions" / "0002_notes_pinned.py").unlink()
    return str(target)


@pytest.fixture(scope="session")
def second_server():
    """Yield a second PostgreSQL server (a private cluster on a free port), removed at the end.

    Tests that stop it start it again before they finish, so it stays up for the others.
    """
    from tests.tenancy.clusters import PostgresCluster

    cluster = PostgresCluster(
        max_connections=60, prefix="satchel-estate-", settings="-c fsync=off"
    )
    try:
        yield cluster.start()
    finally:
        cluster.remove()
