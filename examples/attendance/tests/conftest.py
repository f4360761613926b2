"""Fixtures: the app on the real PostgreSQL with two tenants, students mocked, a client per tenant.

Each test session provisions its tenant databases (``attendance_test_<run>_<tenant>``) through
the same ``flask tenants create`` code path production uses, as the owner (the login the
migration task has), and serves them as the runtime role, as production does; it drops them
after. students is
answered in process by its spec-driven mock (satchel's ``mock_neighbours`` fixture, from
mocks.yaml and the vendored spec), so the suite needs no other service and no network.
Point ``ATTENDANCE_TEST_DATABASE_URL`` at another server (or a ``sqlite:///...{tenant}...``
template) to run elsewhere.
"""

from __future__ import annotations

import os
import uuid

import pytest
from sqlalchemy import delete

from satchel import tenancy
from satchel.tenancy.roles import Login, with_login
from satchel.testing import bearer, make_token, tenant_client

from attendance.app import create_app
from attendance.models import Mark, Register

TENANTS = ("school-a", "school-b")
SERVER = os.environ.get(
    "ATTENDANCE_TEST_DATABASE_URL",
    "postgresql://postgres@127.0.0.1:5432/attendance_test_{run}_{tenant}",
)
# The mock's class 1 (the spec's example): Ada Lovelace (pupil 1) and Alan Turing (pupil 2).
CLASS_ID = 1
FULL_MARKS = [{"pupil_id": 1, "mark": "present"}, {"pupil_id": 2, "mark": "absent"}]


@pytest.fixture(autouse=True)
def students(mock_neighbours):
    """Answer every call to students from its mock; tests can set scenarios and faults."""
    return mock_neighbours


@pytest.fixture(scope="session")
def owner_app(tmp_path_factory):
    """Return the app as the migration task runs it, with every test tenant provisioned."""
    instance = tmp_path_factory.mktemp("instance")
    owner_app = create_app(
        {
            "env": "test",
            "tenant_registry": f"file://{instance}/tenants.yaml",
            "tenant_database_url": SERVER.replace("{run}", uuid.uuid4().hex[:8]),
            "flags_store": f"file://{instance}/flags.yaml",
        }
    )
    owner = owner_app.extensions["satchel.tenancy"]
    for tenant in TENANTS:
        tenancy.create_tenant(owner, tenant)
    yield owner_app
    for tenant in TENANTS:
        tenancy.drop_tenant(owner, tenant)
    owner.close()


@pytest.fixture(scope="session")
def app(owner_app):
    """Return the app as the service runs: logged in as its runtime role."""
    settings = owner_app.config["SETTINGS"]
    runtime_url = with_login(
        settings.tenant_database_url, Login(settings.tenant_db_runtime_role)
    )
    app = create_app({**vars(settings), "tenant_database_url": runtime_url})
    yield app
    app.extensions["satchel.tenancy"].close()


@pytest.fixture(autouse=True)
def empty_tables(app):
    """Start every test with no registers in any tenant."""
    yield
    runtime = app.extensions["satchel.tenancy"]
    for tenant in TENANTS:
        with tenancy.tenant_scope(tenant, tenancy=runtime) as unit:
            unit.session().execute(delete(Mark))
            unit.session().execute(delete(Register))


def token_for(app, tenant: str, subject: str | None = None) -> str:
    """Return a valid token for a teacher of ``tenant`` (bound to that tenant only)."""
    settings = app.config["SETTINGS"]
    return make_token(
        settings.jwt_key,
        issuer=settings.jwt_issuer,
        audience=settings.jwt_audience,
        subject=subject or f"teacher-of-{tenant}",
        tenant=tenant,
        tenant_claim=settings.jwt_tenant_claim,
    )


def client_for(app, tenant: str):
    """Return a test client whose requests carry the tenant's host and a valid token."""
    settings = app.config["SETTINGS"]
    client = tenant_client(app, tenant, domain=settings.base_domain)
    token = token_for(app, tenant)
    client.environ_base.update({"HTTP_AUTHORIZATION": bearer(token)["Authorization"]})
    return client


@pytest.fixture
def client(app):
    """Return a signed-in client for the tenant school-a."""
    return client_for(app, "school-a")


@pytest.fixture
def other_client(app):
    """Return a signed-in client for the tenant school-b."""
    return client_for(app, "school-b")
