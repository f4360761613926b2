"""Fixtures for audit: two PostgreSQL tenants migrated with audited notes, dropped at the end."""

from __future__ import annotations

import secrets

import pytest

from satchel.tenancy import FileRegistry, create_tenant
from tests.audit.support import make_audit_app
from tests.tenancy.conftest import _drop
from tests.tenancy.support import PG

import psycopg

TENANTS = ("school-a", "school-b")


@pytest.fixture(scope="session")
def audit_prefix():
    """Yield a unique database name prefix; drop every database with it at the end."""
    name = f"sat_a_{secrets.token_hex(3)}"
    yield name
    with psycopg.connect(
        "host=127.0.0.1 user=postgres dbname=postgres", autocommit=True
    ) as conn:
        query = "SELECT datname FROM pg_database WHERE datname LIKE %s"
        names = [db for (db,) in conn.execute(query, (name + "%",)).fetchall()]
    for database in names:
        _drop(database)


@pytest.fixture(scope="session")
def registry(audit_prefix, tmp_path_factory) -> FileRegistry:
    """Return a registry of two tenants whose databases audit their notes."""
    registry = FileRegistry(tmp_path_factory.mktemp("audit") / "tenants.yaml")
    app = make_audit_app(
        registry, database_url_template=f"{PG}/{audit_prefix}_{{tenant}}"
    )
    tenancy = app.extensions["satchel.tenancy"]
    for tenant in TENANTS:
        create_tenant(tenancy, tenant)
    tenancy.close()
    return registry


@pytest.fixture
def app(registry):
    """Yield a fresh audit test app over the two tenants (its engines closed after)."""
    app = make_audit_app(registry)
    yield app
    app.extensions["satchel.tenancy"].close()


@pytest.fixture
def client(app):
    return app.test_client()
