"""A tenant of a service stamped before the audit gets it from a platform migration.

The service's deployed migrations are never edited: `cruft update` brings
``migrations/platform.yaml``, and `flask tenants migrate` applies its steps once per tenant
database, after the service's own revisions, on the real PostgreSQL.
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
from satchel.tenancy import FileRegistry, MigrationError, create_tenant
from satchel.tenancy.engines import engine_url
from satchel.tenancy.platform_migrations import declared
from tests.audit.support import make_audit_app, token_for
from tests.kit import KIT
from tests.tenancy.support import host

PRE_AUDIT = KIT / "tests" / "resources" / "tenancy" / "migrations"
DECLARATION = (
    KIT / "template" / "{{cookiecutter.service_slug}}" / "migrations" / "platform.yaml"
)
RUNTIME = f"sat_platform_{secrets.token_hex(3)}"
SERVER = "postgresql+psycopg://{user}@127.0.0.1:5432"


@contextmanager
def database(url: str):
    engine = sa.create_engine(engine_url(url), poolclass=NullPool)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


def facts(registry) -> dict:
    """Return what the platform migration changes in school-a's database, as the owner."""
    url = registry.get("school-a").database_url.replace(RUNTIME, "postgres", 1)
    with database(url) as conn:
        tables = set(sa.inspect(conn).get_table_names())
        ledger = (
            conn.exec_driver_sql("SELECT id FROM satchel_platform_migrations").all()
            if "satchel_platform_migrations" in tables
            else []
        )
        triggers = conn.exec_driver_sql(
            "SELECT count(*) FROM pg_trigger WHERE tgrelid = 'notes'::regclass"
            " AND NOT tgisinternal"
        ).scalar()
    return {
        "audit": "satchel_audit" in tables,
        "ledger": [row[0] for row in ledger],
        "triggers": triggers,
    }


@pytest.fixture
def pre_audit_estate(audit_prefix, tmp_path):
    """Yield (registry, migrations) of a tenant made by a service without the audit."""
    migrations = tmp_path / "migrations"
    shutil.copytree(PRE_AUDIT, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    registry = FileRegistry(tmp_path / "tenants.yaml")
    owner_url = SERVER.format(user="postgres") + f"/{audit_prefix}_pre_{{tenant}}"
    older = make_audit_app(
        registry,
        database_url_template=owner_url,
        runtime_role=RUNTIME,
        script_location=str(migrations),
    )
    create_tenant(older.extensions["satchel.tenancy"], "school-a")
    older.extensions["satchel.tenancy"].close()
    yield registry, migrations, owner_url
    with psycopg.connect(
        "host=127.0.0.1 user=postgres dbname=postgres", autocommit=True
    ) as conn:
        conn.execute(
            f'DROP DATABASE IF EXISTS "{audit_prefix}_pre_school-a" WITH (FORCE)'
        )
        conn.execute(f'DROP ROLE IF EXISTS "{RUNTIME}"')


def write_note(registry, body: str) -> None:
    app = make_audit_app(
        registry,
        database_url_template=SERVER.format(user=RUNTIME) + "/unused_{tenant}",
        runtime_role=RUNTIME,
        script_location=str(PRE_AUDIT),
    )
    response = app.test_client().post(
        "/notes",
        json={"body": body},
        headers={"Host": host("school-a"), **token_for("alice")},
    )
    app.extensions["satchel.tenancy"].close()
    assert response.status_code == 201, response.text


def test_migrate_audits_a_pre_audit_tenant_once(pre_audit_estate):
    """`flask tenants migrate` installs the audit once; later writes are audited, once each."""
    registry, migrations, owner_url = pre_audit_estate
    assert facts(registry) == {"audit": False, "ledger": [], "triggers": 0}
    shutil.copy(DECLARATION, migrations / "platform.yaml")  # what `cruft update` brings
    updated = make_audit_app(
        registry,
        database_url_template=owner_url,
        runtime_role=RUNTIME,
        script_location=str(migrations),
    )
    runner = updated.test_cli_runner()
    for _ in range(2):  # the second run finds nothing to do
        migrated = runner.invoke(args=["tenants", "migrate", "--parallel", "1"])
        assert migrated.exit_code == 0, migrated.output
        assert facts(registry) == {
            "audit": True,
            "ledger": ["audit-existing"],
            "triggers": 1,
        }
    assert (
        "1/1 tenants at head 0002" in runner.invoke(args=["tenants", "status"]).output
    )
    updated.extensions["satchel.tenancy"].close()
    write_note(registry, "written after the platform migration")
    with database(registry.get("school-a").database_url) as conn:
        records = audit.history(conn, table="notes")
        assert [(r.action, r.actor_id, r.db_user) for r in records] == [
            ("INSERT", "alice", RUNTIME)
        ]
        assert records[0].new["body"] == "written after the platform migration"
        for statement in (
            "DELETE FROM satchel_audit",
            "DELETE FROM satchel_platform_migrations",
        ):
            with pytest.raises(sa.exc.ProgrammingError, match="permission denied"):
                conn.exec_driver_sql(statement)
            conn.rollback()


BAD_DECLARATIONS = {
    "yaml-error": ("apply: [audit-existing\n", r"platform\.yaml:2: not valid YAML"),
    "unknown-key": ("apply: []\nskip: [x]\n", r"unknown keys \['skip'\]"),
    "unknown-id": (
        "apply: [audit-everything]\n",
        r"unknown platform migrations \['audit-everything'\]; satchel provides"
        r" \['audit-existing'\]",
    ),
    "not-a-list": ("apply: audit-existing\n", r"'apply' must be a list"),
}


@pytest.mark.parametrize(
    "text, message", BAD_DECLARATIONS.values(), ids=BAD_DECLARATIONS.keys()
)
def test_a_bad_declaration_says_where_and_what(tmp_path, text, message):
    """A broken platform.yaml is refused naming the file (and line) and what is accepted."""
    (tmp_path / "platform.yaml").write_text(text)
    with pytest.raises(MigrationError, match=message):
        declared(str(tmp_path))


def test_a_new_sqlite_tenant_of_a_pre_audit_service_is_audited(tmp_path):
    """On the embedded default too: a tenant created after the update audits its notes."""
    migrations = tmp_path / "migrations"
    shutil.copytree(PRE_AUDIT, migrations, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(DECLARATION, migrations / "platform.yaml")
    app = make_audit_app(
        FileRegistry(tmp_path / "tenants.yaml"),
        database_url_template=f"sqlite:///{tmp_path}/{{tenant}}.db",
        script_location=str(migrations),
    )
    create_tenant(app.extensions["satchel.tenancy"], "school-a")
    response = app.test_client().post(
        "/notes",
        json={"body": "on SQLite"},
        headers={"Host": host("school-a"), **token_for("bob")},
    )
    assert response.status_code == 201, response.text
    app.extensions["satchel.tenancy"].close()
    with database(f"sqlite:///{tmp_path}/school-a.db") as conn:
        (record,) = audit.history(conn, table="notes")
    assert (record.action, record.actor_id, record.new["body"]) == (
        "INSERT",
        "bob",
        "on SQLite",
    )
