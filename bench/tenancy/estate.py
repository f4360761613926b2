"""Two database servers: migrate an estate spread over both, and move one big tenant.

    .venv/bin/python bench/tenancy/estate.py [--tenants 1500] [--parallel 4] [--per-server 2]
                                             [--rows 100000]

Starts two private PostgreSQL clusters (tests/tenancy/clusters.py), provisions the tenants
half on each (``CREATE DATABASE ... TEMPLATE`` at revision 0001, identity row, one note,
control-plane registry rows naming their server), then measures in the same run:
(a) the floor (the same DDL in a plain loop, one database after another) and
``migrate_tenants`` over both servers (``--parallel`` workers, at most ``--per-server`` per
server), with each server's peak sessions sampled from ``pg_stat_activity``;
(b) one tenant with ``--rows`` notes moved to the other server (``pg_dump | pg_restore``),
its unavailable time against the floor of a bare ``pg_dump | pg_restore`` of the same
database, then moved again within that server (``CREATE DATABASE ... TEMPLATE``).
Removes both clusters at the end. Not part of the test suite.
"""

from __future__ import annotations

import argparse
import os
import secrets
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import sqlalchemy as sa
from sqlalchemy.pool import NullPool

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT)]

from satchel.tenancy import (  # noqa: E402 (after sys.path: tests.* below)
    MigrationSettings,
    create_tenant,
    migrate_tenants,
)  # noqa: E402
from satchel.tenancy.identity import write_identity  # noqa: E402
from satchel.tenancy.move import move_tenant  # noqa: E402
from satchel.tenancy.pgregistry import PostgresRegistry, tenants_table  # noqa: E402
from satchel.tenancy.runtime import Tenancy, TenancySettings  # noqa: E402
from satchel.tenancy.servers import ServerRecord  # noqa: E402
from satchel.tenancy.upgrade import upgrade_database  # noqa: E402
from tests.tenancy.clusters import PostgresCluster  # noqa: E402

MIGRATIONS = str(ROOT / "tests" / "resources" / "tenancy" / "migrations")
DDL = "ALTER TABLE notes ADD COLUMN pinned boolean"


def dsn(port: int, db: str = "postgres") -> str:
    return f"host=127.0.0.1 port={port} user=postgres dbname={db}"


def url(port: int, db: str) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/{db}"


class Estate:
    """Tenants spread over servers: t0000 on s1, t0001 on s2, ..."""

    def __init__(self, size: int, ports: list[int]) -> None:
        self.prefix = f"satest_{secrets.token_hex(3)}"
        self.ports = ports
        self.tenants = [f"t{i:04d}" for i in range(size)]
        self.control = f"{self.prefix}_control"
        self.template = f"{self.prefix}_tpl"

    def db(self, tenant: str) -> str:
        return f"{self.prefix}_{tenant}"

    def port(self, tenant: str) -> int:
        return self.ports[int(tenant[1:]) % len(self.ports)]

    def server(self, tenant: str) -> str:
        return f"s{self.ports.index(self.port(tenant)) + 1}"

    def provision(self) -> None:
        for port in self.ports:
            with psycopg.connect(dsn(port), autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{self.template}"')
            outcome = upgrade_database(
                "tpl", url(port, self.template), "0001", MIGRATIONS
            )
            assert outcome.error is None, outcome
        with psycopg.connect(dsn(self.ports[0]), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{self.control}"')

        def create(port: int) -> None:
            mine = [t for t in self.tenants if self.port(t) == port]
            with psycopg.connect(dsn(port), autocommit=True) as conn:
                for n, tenant in enumerate(mine, 1):
                    conn.execute(
                        f'CREATE DATABASE "{self.db(tenant)}" TEMPLATE "{self.template}"'
                    )
                    if n % 250 == 0:
                        print(f"    port {port}: created {n} databases", flush=True)

        with ThreadPoolExecutor(max_workers=len(self.ports)) as pool:
            list(pool.map(create, self.ports))
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(self._identity, self.tenants))
        registry = self.registry()
        for n, port in enumerate(self.ports, 1):
            registry.put_server(
                ServerRecord(
                    f"s{n}",
                    f"postgresql://127.0.0.1:{port}",
                    capacity=len(self.tenants),
                )
            )
        rows = [
            {
                "id": t,
                "database_url": url(self.port(t), self.db(t)),
                "status": "active",
                "revision": "0001",
                "server": self.server(t),
            }
            for t in self.tenants
        ]
        with registry._engine.begin() as conn:
            conn.execute(tenants_table.insert(), rows)
        registry.dispose()

    def registry(self) -> PostgresRegistry:
        return PostgresRegistry(url(self.ports[0], self.control))

    def _identity(self, tenant: str) -> None:
        engine = sa.create_engine(
            url(self.port(tenant), self.db(tenant)), poolclass=NullPool
        )
        with engine.begin() as conn:
            write_identity(conn, tenant)
            conn.execute(sa.text("INSERT INTO notes (body) VALUES (:t)"), {"t": tenant})
        engine.dispose()

    def revert(self) -> None:
        def one(tenant: str) -> None:
            with psycopg.connect(dsn(self.port(tenant), self.db(tenant))) as conn:
                conn.execute("ALTER TABLE notes DROP COLUMN IF EXISTS pinned")
                conn.execute("UPDATE alembic_version SET version_num = '0001'")

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(one, self.tenants))


class Sampler:
    """Peak sessions on this estate's tenant databases, per server, every 20 ms."""

    def __init__(self, estate: Estate) -> None:
        self.estate, self.peaks = estate, dict.fromkeys(estate.ports, 0)
        self._stop = threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(p,)) for p in estate.ports
        ]

    def __enter__(self) -> Sampler:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _run(self, port: int) -> None:
        like = self.estate.prefix + "_t%"
        with psycopg.connect(dsn(port), autocommit=True) as conn:
            while not self._stop.wait(0.02):
                (count,) = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname LIKE %s",
                    (like,),
                ).fetchone()
                self.peaks[port] = max(self.peaks[port], count)


def timed(label: str, fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    elapsed = time.perf_counter() - started
    print(f"  {label}: {elapsed:.1f}s", flush=True)
    return elapsed, result


def floor_loop(estate: Estate) -> None:
    for tenant in estate.tenants:
        with psycopg.connect(dsn(estate.port(tenant), estate.db(tenant))) as conn:
            conn.execute(DDL)


def orchestrated(estate: Estate, parallel: int, per_server: int):
    registry = estate.registry()
    try:
        report = migrate_tenants(
            registry.all(),
            MigrationSettings(
                MIGRATIONS, parallel=parallel, per_server=per_server, wave_size=500
            ),
            registry=registry,
        )
    finally:
        registry.dispose()
    assert report.ok, report.summary()
    return report


def bare_copy(port_from: int, port_to: int, db: str) -> None:
    """The floor of a move's copy: pg_dump | pg_restore of the same database, nothing else."""
    target = db + "_floor"
    with psycopg.connect(dsn(port_to), autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{target}"')
    dump = subprocess.Popen(
        ["pg_dump", "--format=custom", "--dbname", dsn(port_from, db)],
        stdout=subprocess.PIPE,
    )
    subprocess.run(
        ["pg_restore", "--no-owner", "--exit-on-error", "--single-transaction"]
        + ["--dbname", dsn(port_to, target)],
        stdin=dump.stdout,
        check=True,
    )
    dump.stdout.close()
    assert dump.wait() == 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=1500)
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--per-server", type=int, default=2)
    parser.add_argument("--rows", type=int, default=100_000)
    args = parser.parse_args()
    clusters = [PostgresCluster(100, prefix="satbench-estate-") for _ in range(2)]
    try:
        for cluster in clusters:
            cluster.start()
        run(args, [c.port for c in clusters])
    finally:
        for cluster in clusters:
            cluster.remove()


def run(args: argparse.Namespace, ports: list[int]) -> None:
    estate = Estate(args.tenants, ports)
    print(
        f"two servers on ports {ports}; {args.tenants} tenants, half on each",
        flush=True,
    )
    provision_s, _ = timed(
        f"provision {args.tenants} tenant databases", estate.provision
    )
    floor_s, _ = timed("(a) floor: same DDL in a plain loop", floor_loop, estate)
    estate.revert()
    with Sampler(estate) as sampler:
        migrate_s, report = timed(
            f"(a) migrate over 2 servers ({args.parallel} workers, {args.per_server}/server)",
            orchestrated,
            estate,
            args.parallel,
            args.per_server,
        )
    per_server = report.by_server()

    tenancy = Tenancy(
        estate.registry(),
        TenancySettings(
            script_location=MIGRATIONS,
            database_url_template=f"postgresql://postgres@x/{estate.prefix}_{{tenant}}",
            cache_ttl=0,
        ),
    )
    create_tenant(tenancy, "big", server="s1", template=estate.template)
    with psycopg.connect(dsn(ports[0], estate.db("big")), autocommit=True) as conn:
        conn.execute(
            "INSERT INTO notes (body) SELECT repeat('x', 40) || i FROM generate_series(1, %s) i",
            (args.rows,),
        )
        conn.execute("VACUUM ANALYZE notes")
    copy_s, _ = timed(
        "(b) floor: bare pg_dump | pg_restore",
        bare_copy,
        ports[0],
        ports[1],
        estate.db("big"),
    )
    dump_move = move_tenant(tenancy, "big", "s2", settle=0)
    print(
        f"  (b) move s1 -> s2 by {dump_move.plan.method}: unavailable"
        f" {dump_move.unavailable_ms:.0f} ms",
        flush=True,
    )
    tenancy.registry.put_server(
        ServerRecord("s2b", f"postgresql://127.0.0.1:{ports[1]}")
    )
    template_move = move_tenant(tenancy, "big", "s2b", settle=0)
    print(
        f"  (b) move s2 -> s2b by {template_move.plan.method}: unavailable"
        f" {template_move.unavailable_ms:.0f} ms",
        flush=True,
    )
    tenancy.close()

    load = os.getloadavg()
    print()
    print(
        f"| measure | value |  (load average {load[0]:.1f} {load[1]:.1f} {load[2]:.1f})"
    )
    print("|---|---|")
    print(
        f"| provision {args.tenants} tenant databases on 2 servers | {provision_s:.1f} s |"
    )
    print(f"| (a) floor: same DDL in a plain loop | {floor_s:.1f} s |")
    print(
        f"| (a) migrate all over 2 servers, {args.parallel} workers, {args.per_server}/server"
        f" | {migrate_s:.1f} s (**{migrate_s / floor_s:.2f}x floor**) |"
    )
    for n, port in enumerate(ports, 1):
        counts = per_server.get(f"s{n}", {})
        print(
            f"| (a) server s{n}: upgraded, peak sessions | {counts.get('upgraded', 0)},"
            f" {sampler.peaks[port]} (bound {args.per_server}) |"
        )
    rows = sum(dump_move.rows.values())
    print(
        f"| (b) floor: bare pg_dump \\| pg_restore of {rows} rows | {copy_s * 1000:.0f} ms |"
    )
    print(
        f"| (b) move across servers: unavailable | {dump_move.unavailable_ms:.0f} ms"
        f" (**{dump_move.unavailable_ms / 1000 / copy_s:.2f}x floor**) |"
    )
    print(
        f"| (b) move within one server (TEMPLATE): unavailable |"
        f" {template_move.unavailable_ms:.0f} ms |"
    )


if __name__ == "__main__":
    main()
