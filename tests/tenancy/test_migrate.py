"""The migration orchestrator on real PostgreSQL databases: waves, failures, resume, locks."""

from __future__ import annotations

import json

import psycopg
import pytest

from satchel.tenancy import (
    FileRegistry,
    MigrationError,
    MigrationSettings,
    migrate_tenants,
)
from satchel.tenancy.migrate import plan_waves
from satchel.tenancy.upgrade import ADVISORY_LOCK_KEY, upgrade_database
from satchel.tenancy.provision import create_tenant
from satchel.tenancy.records import TenantRecord
from satchel.tenancy.runtime import Tenancy, TenancySettings
from tests.tenancy.support import MIGRATIONS, PG, make_app

P = "https://satchel.dev/problems/"


@pytest.fixture(scope="module")
def five_databases(tmp_path_factory, migrations_v1, prefix):
    """Create five PostgreSQL tenants once for this module (creating databases is slow)."""
    registry = FileRegistry(tmp_path_factory.mktemp("registry") / "tenants.yaml")
    template = f"{PG}/{prefix}_m_{{tenant}}"
    tenancy = Tenancy(
        registry,
        TenancySettings(script_location=migrations_v1, database_url_template=template),
    )
    for i in range(5):
        create_tenant(tenancy, f"t{i}")
    return registry


@pytest.fixture
def behind(five_databases, migrations_v1):
    """Return the five tenants' registry with every database reset to revision 0001."""
    for record in five_databases.all():
        with _psql(record.database_url) as conn:
            conn.execute("DROP TABLE IF EXISTS notes, alembic_version")
        assert (
            upgrade_database(
                record.id, record.database_url, "0001", migrations_v1
            ).status
            == "upgraded"
        )
    five_databases.record_revisions({r.id: "0001" for r in five_databases.all()})
    return five_databases


def _psql(url: str) -> psycopg.Connection:
    return psycopg.connect(
        url.replace("postgresql+psycopg", "postgresql"), autocommit=True
    )


def _statuses(report) -> dict[str, str]:
    return {o.tenant: o.status for o in report.outcomes}


def test_migrate_upgrades_every_tenant_canary_first_then_waves(behind):
    """A canary wave of one, then waves of two; every database and registry entry at head."""
    settings = MigrationSettings(MIGRATIONS, parallel=1, wave_size=2, canary=("t3",))
    report = migrate_tenants(behind.all(), settings, registry=behind)
    assert [
        (o.tenant, o.wave, o.from_revision, o.to_revision) for o in report.outcomes
    ] == [
        ("t3", 0, "0001", "0002"),
        ("t0", 1, "0001", "0002"),
        ("t1", 1, "0001", "0002"),
        ("t2", 2, "0001", "0002"),
        ("t4", 2, "0001", "0002"),
    ]
    assert report.ok and report.summary()["upgraded"] == 5
    assert {r.revision for r in behind.all()} == {"0002"}
    again = migrate_tenants(behind.all(), settings, registry=behind)
    assert set(_statuses(again).values()) == {"skipped"}


def test_canary_failure_stops_the_whole_run(behind):
    """A failing canary leaves every other tenant untouched and says why it failed."""
    with _psql(behind.get("t0").database_url) as conn:
        conn.execute(
            "ALTER TABLE notes ADD COLUMN pinned boolean"
        )  # the migration will clash
    report = migrate_tenants(
        behind.all(), MigrationSettings(MIGRATIONS, parallel=1), registry=behind
    )
    assert _statuses(report) == {
        "t0": "failed",
        "t1": "not_attempted",
        "t2": "not_attempted",
        "t3": "not_attempted",
        "t4": "not_attempted",
    }
    failed = report.outcomes[0]
    assert failed.error.startswith("ProgrammingError: (psycopg.errors.DuplicateColumn)")
    assert (failed.from_revision, failed.to_revision) == ("0001", "0001")
    assert {r.revision for r in behind.all()} == {"0001"}
    assert report.summary_line() == (
        "5 tenants to 0002: 0 upgraded, 0 skipped, 1 failed, 4 not attempted"
    )


def test_stop_on_failure_then_rerun_resumes_where_it_stopped(behind):
    """A mid-run failure stops later waves; once fixed, a rerun finishes only what is left."""
    with _psql(behind.get("t2").database_url) as conn:
        conn.execute("ALTER TABLE notes ADD COLUMN pinned boolean")
    settings = MigrationSettings(MIGRATIONS, parallel=1, wave_size=2)
    first = migrate_tenants(behind.all(), settings, registry=behind)
    assert _statuses(first) == {
        "t0": "upgraded",
        "t1": "upgraded",
        "t2": "failed",
        "t3": "not_attempted",
        "t4": "not_attempted",
    }
    with _psql(behind.get("t2").database_url) as conn:
        conn.execute("ALTER TABLE notes DROP COLUMN pinned")
    second = migrate_tenants(behind.all(), settings, registry=behind)
    assert _statuses(second) == {
        "t0": "skipped",
        "t1": "skipped",
        "t2": "upgraded",
        "t3": "upgraded",
        "t4": "upgraded",
    }


def test_continue_on_error_migrates_everyone_else(behind):
    """With continue_on_error the failure is reported and every other tenant is upgraded."""
    with _psql(behind.get("t1").database_url) as conn:
        conn.execute("ALTER TABLE notes ADD COLUMN pinned boolean")
    settings = MigrationSettings(
        MIGRATIONS, parallel=1, wave_size=2, continue_on_error=True
    )
    report = migrate_tenants(behind.all(), settings, registry=behind)
    assert _statuses(report) == {
        "t0": "upgraded",
        "t1": "failed",
        "t2": "upgraded",
        "t3": "upgraded",
        "t4": "upgraded",
    }
    body = json.loads(report.to_json())
    assert body["ok"] is False
    assert body["summary"] == {
        "upgraded": 4,
        "skipped": 0,
        "failed": 1,
        "not_attempted": 0,
    }
    assert [t["tenant"] for t in body["tenants"] if t["error"]] == ["t1"]
    assert behind.get("t1").revision == "0001" and behind.get("t2").revision == "0002"


def test_parallel_waves_run_in_worker_processes(behind):
    """Two worker processes migrate the estate; the result is the same as in-process."""
    report = migrate_tenants(
        behind.all(), MigrationSettings(MIGRATIONS, parallel=2), registry=behind
    )
    assert _statuses(report) == {f"t{i}": "upgraded" for i in range(5)}


def test_a_database_locked_by_another_run_fails_fast(behind):
    """The per-database advisory lock keeps two runners off the same database."""
    with _psql(behind.get("t0").database_url) as conn, conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (ADVISORY_LOCK_KEY,))
        report = migrate_tenants(
            behind.all(), MigrationSettings(MIGRATIONS, parallel=1), registry=behind
        )
    assert report.outcomes[0].error == (
        "MigrationError: another migration run holds this database's advisory lock"
    )


def test_lock_timeout_stops_a_migration_waiting_on_a_busy_table(behind):
    """SET LOCAL lock_timeout bounds how long DDL waits behind application traffic."""
    with _psql(behind.get("t0").database_url) as conn, conn.transaction():
        conn.execute("LOCK TABLE notes IN ACCESS SHARE MODE")
        settings = MigrationSettings(MIGRATIONS, parallel=1, lock_timeout="100ms")
        report = migrate_tenants(behind.all(), settings, registry=behind)
    assert report.outcomes[0].error.startswith(
        "OperationalError: (psycopg.errors.LockNotAvailable) canceling statement due to lock"
    )


def test_app_refuses_tenants_below_its_minimum_revision_until_migrated(behind):
    """min_revision: a tenant at 0001 gets 503 tenant-migrating, then 200 once migrated."""
    app = make_app(behind, min_revision="0002", cache_ttl=0)
    client = app.test_client()
    env = {"HTTP_HOST": "t0.students.test"}
    try:
        refused = client.get("/notes", environ_overrides=env)
        assert (refused.status_code, refused.json["type"]) == (
            503,
            P + "tenant-migrating",
        )
        assert refused.headers["Retry-After"] == "30"
        migrate_tenants(
            behind.all(), MigrationSettings(MIGRATIONS, parallel=1), registry=behind
        )
        served = client.get("/notes", environ_overrides=env)
        assert served.status_code == 200
    finally:
        app.extensions["satchel.tenancy"].close()


def test_unknown_minimum_revision_is_a_configuration_error(behind):
    """An app configured with a revision that does not exist fails at start-up, clearly."""
    with pytest.raises(
        MigrationError, match=r"^minimum revision '9999' is not in the migrations"
    ):
        make_app(behind, min_revision="9999")


RECORDS = [TenantRecord(f"s{i}", f"sqlite:///s{i}.db") for i in range(5)]
WAVES = [
    ("default canary", (), 2, [["s0"], ["s1", "s2"], ["s3", "s4"]]),
    ("named canaries", ("s4", "s2"), 10, [["s4", "s2"], ["s0", "s1", "s3"]]),
    ("one big wave", (), 100, [["s0"], ["s1", "s2", "s3", "s4"]]),
]


@pytest.mark.parametrize(
    ("canary", "size", "expected"), [w[1:] for w in WAVES], ids=[w[0] for w in WAVES]
)
def test_plan_waves(canary, size, expected):
    """The plan is the canary wave, then the rest in registry order, wave_size at a time."""
    waves = plan_waves(RECORDS, canary, size)
    assert [[r.id for r in wave] for wave in waves] == expected


def test_plan_waves_rejects_unknown_canaries():
    """A canary that is not a tenant is a mistake worth stopping for."""
    with pytest.raises(
        MigrationError, match=r"^canary tenants \['nope'\] are not in the registry"
    ):
        plan_waves(RECORDS, ("nope",), 2)


BAD_SETTINGS = [
    (
        "zero parallel",
        {"parallel": 0},
        "parallel (0), per_server (2) and wave_size (250) must be >= 1",
    ),
    (
        "zero wave",
        {"wave_size": 0},
        "parallel (4), per_server (2) and wave_size (0) must be >= 1",
    ),
    (
        "zero per server",
        {"per_server": 0},
        "parallel (4), per_server (0) and wave_size (250) must be >= 1",
    ),
    (
        "injected lock timeout",
        {"lock_timeout": "1s'; DROP TABLE notes; --"},
        'lock_timeout "1s\'; DROP TABLE notes; --" is not a PostgreSQL duration;'
        " expected e.g. '500ms', '5s', '15min'",
    ),
    (
        "worded statement timeout",
        {"statement_timeout": "ten minutes"},
        "statement_timeout 'ten minutes' is not a PostgreSQL duration;"
        " expected e.g. '500ms', '5s', '15min'",
    ),
]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [b[1:] for b in BAD_SETTINGS],
    ids=[b[0] for b in BAD_SETTINGS],
)
def test_bad_settings_are_refused(kwargs, message):
    """Settings are validated before any database is touched."""
    with pytest.raises(MigrationError) as caught:
        MigrationSettings(MIGRATIONS, **kwargs)
    assert str(caught.value) == message
