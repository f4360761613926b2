"""Migration waves over two real PostgreSQL servers: bounded per server, one server stopped."""

from __future__ import annotations

import json
import threading

import psycopg
import pytest

from satchel.tenancy import create_tenant
from satchel.tenancy.migrate import MigrationSettings, migrate_tenants
from satchel.tenancy.registry import FileRegistry
from satchel.tenancy.servers import ServerRecord
from tests.tenancy.support import MIGRATIONS, make_app

PER_SERVER = 6


@pytest.fixture(scope="module")
def estate_v1(tmp_path_factory, prefix, second_server, migrations_v1):
    """Return an app whose registry holds 6 tenants at 0001 on each of db-1 and db-2."""
    registry = FileRegistry(tmp_path_factory.mktemp("waves") / "tenants.yaml")
    registry.put_server(ServerRecord("db-1", "postgresql://127.0.0.1:5432"))
    registry.put_server(
        ServerRecord("db-2", f"postgresql://127.0.0.1:{second_server.port}")
    )
    old = make_app(
        registry,
        database_url_template=f"postgresql://postgres@x/{prefix}_wv_{{tenant}}",
        script_location=migrations_v1,
        cache_ttl=0,
    )
    for i in range(PER_SERVER):
        for server in ("db-1", "db-2"):
            create_tenant(
                old.extensions["satchel.tenancy"], f"w{server[-1]}-{i}", server=server
            )
    old.extensions["satchel.tenancy"].close()
    app = make_app(
        registry,
        database_url_template=f"postgresql://postgres@x/{prefix}_wv_{{tenant}}",
        cache_ttl=0,
    )
    yield app
    app.extensions["satchel.tenancy"].close()


class Sampler:
    """Count, every 10 ms, sessions in a transaction on a server's tenant databases.

    Idle sessions are left out: a closed connection's backend stays listed (idle) while it
    exits, after the next tenant's has begun.
    """

    def __init__(self, port: int, like: str) -> None:
        self.port, self.like, self.peak = port, like, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Sampler:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        dsn = f"host=127.0.0.1 port={self.port} user=postgres dbname=postgres"
        with psycopg.connect(dsn, autocommit=True) as conn:
            while not self._stop.wait(0.01):
                (count,) = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity"
                    " WHERE datname LIKE %s AND state <> 'idle'",
                    (self.like,),
                ).fetchone()
                self.peak = max(self.peak, count)


def test_a_server_stopped_midway_fails_only_its_tenants_and_a_rerun_resumes(
    estate_v1, second_server, prefix, tmp_path
):
    """db-2 stops after its first tenant: db-1 completes, db-2's rest waits for the rerun."""
    tenancy = estate_v1.extensions["satchel.tenancy"]
    settings = MigrationSettings(
        MIGRATIONS, parallel=2, per_server=1, wave_size=4, continue_on_error=False
    )
    stopped = threading.Event()

    def stop_db2_after_its_first(outcome):
        if outcome.server == "db-2" and not stopped.is_set():
            stopped.set()
            second_server.stop()

    records = tenancy.registry.all()
    like = f"{prefix}_wv_%"
    try:
        with Sampler(5432, like) as db1:
            report = migrate_tenants(
                records,
                settings,
                registry=tenancy.registry,
                on_outcome=stop_db2_after_its_first,
            )
    finally:
        second_server.start()
    by_server = report.by_server()
    assert by_server["db-1"]["upgraded"] == PER_SERVER
    assert by_server["db-2"]["upgraded"] >= 1
    assert by_server["db-2"]["upgraded"] + by_server["db-2"]["failed"] < PER_SERVER
    assert by_server["db-2"]["not_attempted"] >= 1
    assert set(report.servers_down) == {"db-2"}
    assert not report.ok
    assert db1.peak <= settings.per_server  # one server never gets more than its share

    rerun = estate_v1.test_cli_runner().invoke(
        args=[
            "tenants",
            "migrate",
            "--parallel",
            "1",
            "--report",
            str(tmp_path / "r.json"),
        ]
    )
    assert rerun.exit_code == 0, rerun.output
    servers = json.loads((tmp_path / "r.json").read_text())["servers"]
    assert servers["db-1"] == {
        "upgraded": 0,
        "skipped": PER_SERVER,
        "failed": 0,
        "not_attempted": 0,
        "down": None,
    }
    lines = rerun.output.splitlines()
    assert (
        f"server db-1: 0 upgraded, {PER_SERVER} skipped, 0 failed, 0 not attempted"
        in lines
    )
    db2 = next(line for line in lines if line.startswith("server db-2: "))
    assert db2.endswith(", 0 failed, 0 not attempted")
    assert by_server["db-2"]["upgraded"] == int(
        db2.split(", ")[1].split()[0]
    )  # skipped
    status = estate_v1.test_cli_runner().invoke(args=["tenants", "status"])
    assert status.exit_code == 0 and status.output.endswith(
        f"{2 * PER_SERVER}/{2 * PER_SERVER} tenants at head 0002\n"
    )
