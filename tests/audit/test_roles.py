"""The audit is append-only for the service: its runtime role can write rows, never the trail.

Tenants are created as the provisioning login (the owner) with a runtime role; the app then
serves as the runtime role, as a production service does. Each tampering an attacker holding
the service's database credentials would try is refused by PostgreSQL itself.
"""

from __future__ import annotations

import secrets
import shutil
from contextlib import contextmanager

import psycopg
import pytest
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from satchel import audit
from satchel.tenancy import FileRegistry, ProvisioningError, create_tenant
from satchel.tenancy.engines import engine_url
from tests.audit.support import MIGRATIONS, make_audit_app, token_for
from tests.tenancy.support import host

RUNTIME = f"sat_runtime_{secrets.token_hex(3)}"
SERVER = "postgresql+psycopg://{user}@127.0.0.1:5432"


@pytest.fixture(scope="module")
def estate(audit_prefix, tmp_path_factory):
    """Return the registry of one tenant created with a runtime role, and the role."""
    registry = FileRegistry(tmp_path_factory.mktemp("roles") / "tenants.yaml")
    owner_url = SERVER.format(user="postgres") + f"/{audit_prefix}_roles_{{tenant}}"
    provisioning = make_audit_app(
        registry, database_url_template=owner_url, runtime_role=RUNTIME
    )
    create_tenant(provisioning.extensions["satchel.tenancy"], "school-a")
    provisioning.extensions["satchel.tenancy"].close()
    yield registry
    with psycopg.connect(
        "host=127.0.0.1 user=postgres dbname=postgres", autocommit=True
    ) as conn:
        conn.execute(
            f'DROP DATABASE IF EXISTS "{audit_prefix}_roles_school-a" WITH (FORCE)'
        )
        conn.execute(f'DROP ROLE IF EXISTS "{RUNTIME}"')


@pytest.fixture
def service(estate):
    """Yield the app serving as the runtime role (its own login, as in production)."""
    runtime_url = SERVER.format(user=RUNTIME) + "/unused_{tenant}"
    app = make_audit_app(
        estate, database_url_template=runtime_url, runtime_role=RUNTIME
    )
    yield app
    app.extensions["satchel.tenancy"].close()


@contextmanager
def as_runtime(estate):
    """Yield a connection to school-a's database as the runtime role, outside satchel."""
    url = estate.get("school-a").database_url
    engine = sa.create_engine(engine_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def test_registry_names_the_runtime_role_and_no_password(estate):
    """The registry entry connects as the runtime role; provisioning's login is not in it."""
    url = sa.engine.make_url(estate.get("school-a").database_url)
    assert (url.username, url.password) == (RUNTIME, None)


def test_service_writes_and_the_trigger_audits_them(service, estate):
    """As the runtime role a write succeeds and is audited, with who logged in."""
    response = service.test_client().post(
        "/notes",
        json={"body": "written by the runtime role"},
        headers={"Host": host("school-a"), **token_for("alice")},
    )
    assert response.status_code == 201, response.text
    with as_runtime(estate) as conn:
        (record,) = audit.history(conn, table="notes", limit=1)
    assert record.new["body"] == "written by the runtime role"
    assert (record.actor_id, record.db_user) == ("alice", RUNTIME)


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE satchel_audit SET actor_id = 'mallory'",
        "DELETE FROM satchel_audit",
        "TRUNCATE satchel_audit",
        "INSERT INTO satchel_audit (table_name, action) VALUES ('notes', 'INSERT')",
        "ALTER TABLE notes DISABLE TRIGGER satchel_audit",
        "ALTER TABLE notes DISABLE TRIGGER ALL",
        "DROP TRIGGER satchel_audit ON notes",
        "TRUNCATE notes",
        "ALTER TABLE satchel_audit DISABLE TRIGGER ALL",
        "CREATE TABLE shadow (id int)",
        "SET session_replication_role = replica",
        "UPDATE satchel_tenant SET tenant_id = 'school-b'",
        "UPDATE alembic_version SET version_num = 'x'",
        "CREATE OR REPLACE FUNCTION satchel_audit_row() RETURNS trigger"
        " LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END $$",
    ],
    ids=[
        "update-audit",
        "delete-audit",
        "truncate-audit",
        "insert-audit",
        "disable-trigger",
        "disable-all-triggers",
        "drop-trigger",
        "truncate-audited-table",
        "disable-audit-triggers",
        "create-table",
        "replication-role",
        "rewrite-identity",
        "rewrite-revision",
        "replace-trigger-function",
    ],
)
def test_runtime_role_cannot_tamper(estate, statement):
    """Each tampering is refused by PostgreSQL: permission denied, or must be owner."""
    with as_runtime(estate) as conn:
        with pytest.raises(sa.exc.DBAPIError) as refused:
            conn.exec_driver_sql(statement)
        conn.rollback()
    assert (
        refused.value.orig.sqlstate == "42501"
    ), refused.value.orig  # insufficient_privilege


def test_audit_stays_readable_by_the_service(estate):
    """SELECT on the audit remains: the service can show history."""
    with as_runtime(estate) as conn:
        assert conn.exec_driver_sql("SELECT count(*) FROM satchel_audit").scalar() >= 0


def test_a_runtime_role_that_is_the_owner_is_refused(audit_prefix, tmp_path_factory):
    """Provisioning refuses a runtime role that could undo the audit (here: a superuser)."""
    registry = FileRegistry(tmp_path_factory.mktemp("bad-role") / "tenants.yaml")
    app = make_audit_app(
        registry,
        database_url_template=SERVER.format(user="postgres")
        + f"/{audit_prefix}_bad_{{tenant}}",
        runtime_role="postgres",
    )
    with pytest.raises(ProvisioningError) as refused:
        create_tenant(app.extensions["satchel.tenancy"], "school-a")
    assert "the runtime role 'postgres' is the login provisioning runs as" in str(
        refused.value
    )
    assert registry.get("school-a") is None


LATER = '''"""A later migration: a new audited table, created by the owner."""

import sqlalchemy as sa
from alembic import op

from satchel import audit

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.create_table("extras", sa.Column("id", sa.Integer, primary_key=True))
    audit.track(op, "extras")


def downgrade() -> None:
    audit.untrack(op, "extras")
    op.drop_table("extras")
'''


def test_later_migrations_run_as_the_owner_and_grant_the_runtime_role(
    estate, audit_prefix, tmp_path
):
    """`flask tenants migrate` connects as its own login: new tables are the owner's, the
    runtime role may write them (audited) and may not switch their audit off."""
    registry = FileRegistry(tmp_path / "tenants.yaml")
    owner_url = SERVER.format(user="postgres") + f"/{audit_prefix}_later_{{tenant}}"
    first = make_audit_app(
        registry, database_url_template=owner_url, runtime_role=RUNTIME
    )
    create_tenant(first.extensions["satchel.tenancy"], "school-a")
    first.extensions["satchel.tenancy"].close()
    try:
        # The next release's image: the same migrations and one more.
        migrations = tmp_path / "migrations"
        shutil.copytree(
            MIGRATIONS, migrations, ignore=shutil.ignore_patterns("__pycache__")
        )
        (migrations / "versions" / "0002_extras.py").write_text(LATER)
        later = make_audit_app(
            registry,
            database_url_template=owner_url,
            runtime_role=RUNTIME,
            script_location=str(migrations),
        )
        runner = later.test_cli_runner()
        migrated = runner.invoke(args=["tenants", "migrate", "--parallel", "1"])
        assert migrated.exit_code == 0, migrated.output
        status = runner.invoke(args=["tenants", "status"])
        assert "1/1 tenants at head 0002" in status.output, status.output
        later.extensions["satchel.tenancy"].close()
        _check_extras(registry)
    finally:
        with psycopg.connect(
            "host=127.0.0.1 user=postgres dbname=postgres", autocommit=True
        ) as conn:
            name = f"{audit_prefix}_later_school-a"
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _check_extras(registry) -> None:
    with as_runtime(registry) as conn:
        conn.exec_driver_sql("INSERT INTO extras (id) VALUES (1)")
        conn.commit()
        (record,) = audit.history(conn, table="extras")
        assert (record.action, record.db_user) == ("INSERT", RUNTIME)
        with pytest.raises(sa.exc.ProgrammingError, match="must be owner"):
            conn.exec_driver_sql("ALTER TABLE extras DISABLE TRIGGER ALL")
        conn.rollback()
        owner = conn.exec_driver_sql(
            "SELECT tableowner FROM pg_tables WHERE tablename = 'extras'"
        ).scalar()
    assert owner == "postgres"
