"""Tenancy benchmark: 1,500 tenant databases on a local PostgreSQL, measured in one run.

    .venv/bin/python bench/tenancy/run.py [--tenants 1500] [--parallel 4] [--requests 6000]

(a) migrate every tenant with one additive migration, against the floor of the same DDL in a
    plain loop; (b) throughput and p99 of one endpoint, round-robin over every tenant against
    a single tenant, same server and same client, connected directly and through PgBouncer;
    (c) peak open connections (the process's budget and pg_stat_activity) and the server's
    RSS. Prints a table with ratios, then drops every database it made (and, by default,
    the private cluster it started: see cluster.py). Not part of the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import json
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import psycopg

from satchel.tenancy import (
    EngineOptions,
    MigrationSettings,
    TenantRecord,
    migrate_tenants,
)
from satchel.tenancy.identity import write_identity
from satchel.tenancy.upgrade import upgrade_database
from satchel.tenancy.pgregistry import PostgresRegistry, tenants_table

ROOT = Path(__file__).resolve().parents[2]
sys.path[:0] = [str(ROOT), str(Path(__file__).parent)]  # tests.*, and the sibling below
from cluster import PrivateCluster  # noqa: E402  (a sibling script, not a package)

MIGRATIONS = str(ROOT / "tests" / "resources" / "tenancy" / "migrations")
DDL = "ALTER TABLE notes ADD COLUMN pinned boolean"


@dataclass(frozen=True)
class Target:
    """Where the estate lives: the server's port, and PgBouncer's if one is in front."""

    port: int = 5432
    bouncer_port: int | None = None

    def dsn(self, db: str) -> str:
        return f"host=127.0.0.1 port={self.port} user=postgres dbname={db}"

    def url(self, db: str, port: int | None = None) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{port or self.port}/{db}"

    def admin(self) -> psycopg.Connection:
        return psycopg.connect(self.dsn("postgres"), autocommit=True)


def timed(label: str, fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    elapsed = time.perf_counter() - started
    print(f"  {label}: {elapsed:.1f}s", flush=True)
    return elapsed, result


class Estate:
    """The benchmark's databases: a control plane, a template and N tenants."""

    def __init__(self, size: int, target: Target) -> None:
        self.target = target
        self.prefix = f"satbench_{secrets.token_hex(3)}"
        self.tenants = [f"t{i:04d}" for i in range(size)]
        self.control = f"{self.prefix}_control"
        self.template = f"{self.prefix}_tpl"

    def db(self, tenant: str) -> str:
        return f"{self.prefix}_{tenant}"

    def provision(self) -> None:
        with self.target.admin() as conn:
            conn.execute(f'CREATE DATABASE "{self.control}"')
            conn.execute(f'CREATE DATABASE "{self.template}"')
        assert (
            upgrade_database(
                "tpl", self.target.url(self.template), "0001", MIGRATIONS
            ).error
            is None
        )
        with self.target.admin() as conn:
            for n, tenant in enumerate(self.tenants, 1):
                conn.execute(
                    f'CREATE DATABASE "{self.db(tenant)}" TEMPLATE "{self.template}"'
                )
                if n % 250 == 0:
                    print(f"    created {n} databases", flush=True)
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(self._identity, self.tenants))
        registry = PostgresRegistry(self.target.url(self.control))
        registry.ping()  # creates the table
        rows = [
            {
                "id": t,
                "database_url": self.target.url(self.db(t)),
                "status": "active",
                "revision": "0001",
            }
            for t in self.tenants
        ]
        with registry._engine.begin() as conn:
            conn.execute(tenants_table.insert(), rows)
        registry.dispose()

    def _identity(self, tenant: str) -> None:
        import sqlalchemy as sa
        from sqlalchemy.pool import NullPool

        engine = sa.create_engine(self.target.url(self.db(tenant)), poolclass=NullPool)
        with engine.begin() as conn:
            write_identity(conn, tenant)
            conn.execute(sa.text("INSERT INTO notes (body) VALUES (:t)"), {"t": tenant})
        engine.dispose()

    def records(self) -> list[TenantRecord]:
        return [
            TenantRecord(t, self.target.url(self.db(t)), revision="0001")
            for t in self.tenants
        ]

    def route_through(self, port: int) -> None:
        """Point every registry entry at ``port`` (the server itself, or PgBouncer)."""
        with psycopg.connect(self.target.dsn(self.control), autocommit=True) as conn:
            conn.execute(
                "UPDATE satchel_tenants SET database_url ="
                " regexp_replace(database_url, ':[0-9]+/', %s)",
                (f":{port}/",),
            )

    def drop(self) -> None:
        with self.target.admin() as conn:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s",
                    (self.prefix + "%",),
                )
            ]

        def drop_one(name: str) -> None:
            with self.target.admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(drop_one, names))


def floor_loop(estate: Estate, sql: str) -> None:
    """The floor: connect, run the DDL, commit; one database after another."""
    for tenant in estate.tenants:
        with psycopg.connect(estate.target.dsn(estate.db(tenant))) as conn:
            conn.execute(sql)


def connect_cost(estate: Estate, port: int, count: int = 200) -> float:
    """Return the mean milliseconds to open a connection to a tenant database and use it."""
    started = time.perf_counter()
    for tenant in estate.tenants[:count]:
        dsn = estate.target.dsn(estate.db(tenant)).replace(
            f"port={estate.target.port}", f"port={port}"
        )
        with psycopg.connect(dsn, autocommit=True) as conn:
            conn.execute("SELECT 1")
    return (time.perf_counter() - started) / min(count, len(estate.tenants)) * 1000


def revert(estate: Estate) -> None:
    """Put every tenant back at 0001 (not measured)."""

    def one(tenant: str) -> None:
        with psycopg.connect(estate.target.dsn(estate.db(tenant))) as conn:
            conn.execute("ALTER TABLE notes DROP COLUMN IF EXISTS pinned")
            conn.execute("UPDATE alembic_version SET version_num = '0001'")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(one, estate.tenants))


def orchestrated(estate: Estate, parallel: int):
    report = migrate_tenants(
        estate.records(),
        MigrationSettings(MIGRATIONS, parallel=parallel, wave_size=500),
    )
    assert report.ok, report.summary()
    return report


class ConnectionSampler:
    """Sample the number of server backends on the estate's tenant databases every 20 ms."""

    def __init__(self, estate: Estate) -> None:
        self.estate, self.peak, self._stop = estate, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with self.estate.target.admin() as conn:
            while not self._stop.wait(0.02):
                (count,) = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname LIKE %s"
                    " AND datname NOT LIKE %s",
                    (self.estate.prefix + "_t%", "%_control"),
                ).fetchone()
                self.peak = max(self.peak, count)


class BenchServer:
    """The benchmark app in its own process."""

    def __init__(self, estate: Estate, budget: int, pooler: str) -> None:
        self.port_file = Path(tempfile.mkdtemp()) / "port"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).with_name("server.py")),
                estate.target.url(estate.control),
                str(self.port_file),
                str(budget),
                pooler,
            ],
            cwd=ROOT,
        )
        while not self.port_file.exists() or not self.port_file.read_text():
            time.sleep(0.05)
        self.port = int(self.port_file.read_text())

    def stats(self) -> dict:
        conn = http.client.HTTPConnection("127.0.0.1", self.port)
        conn.request("GET", "/_stats", headers={"Host": "localhost"})
        body = json.loads(conn.getresponse().read())
        conn.close()
        return body

    def rss_kb(self) -> int:
        for line in Path(f"/proc/{self.proc.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
        return 0

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait()


def load(port: int, hosts: list[str], threads: int) -> tuple[float, float, float, int]:
    """Send one GET per host, spread over keep-alive connections; return rps, p50, p99, errors."""
    latencies: list[float] = []
    errors = [0]
    lock = threading.Lock()
    chunks = [hosts[i::threads] for i in range(threads)]

    def worker(chunk: list[str]) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port)
        mine = []
        for host in chunk:
            started = time.perf_counter()
            conn.request("GET", "/notes", headers={"Host": host})
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                with lock:
                    errors[0] += 1
        conn.close()
        with lock:
            latencies.extend(mine)

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(worker, chunks))
    wall = time.perf_counter() - started
    latencies.sort()
    p99 = latencies[int(len(latencies) * 0.99) - 1]
    return len(hosts) / wall, statistics.median(latencies) * 1000, p99 * 1000, errors[0]


def serve(estate: Estate, args, port: int, pooler: str, budget: int) -> dict:
    """Measure one topology: registry entries point at ``port``; same server and client."""
    estate.route_through(port)
    server = BenchServer(estate, budget, pooler)
    try:
        one = [f"{estate.tenants[0]}.bench.test"] * args.requests
        rotation = [f"{t}.bench.test" for t in estate.tenants]
        spread = (rotation * (args.requests // len(rotation) + 1))[: args.requests]
        load(server.port, rotation, args.threads)  # warm-up: every engine exists
        load(server.port, one[:500], args.threads)
        opened_before = server.stats()["connections_opened"]
        with ConnectionSampler(estate) as single_conns:
            single = load(server.port, one, args.threads)
        opened_single = server.stats()["connections_opened"] - opened_before
        opened_before += opened_single
        with ConnectionSampler(estate) as spread_conns:
            many = load(server.port, spread, args.threads)
        stats = server.stats()
        return {
            "opened": stats["connections_opened"] - opened_before,
            "opened_single": opened_single,
            "single": single,
            "many": many,
            "stats": stats,
            "rss_kb": server.rss_kb(),
            "backends": max(single_conns.peak, spread_conns.peak),
            "connect_ms": connect_cost(estate, port),
            "budget": budget,
        }
    finally:
        server.stop()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=1500)
    parser.add_argument(
        "--parallel", type=int, default=4, help="migration worker processes"
    )
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--threads", type=int, default=8, help="load generator threads")
    parser.add_argument(
        "--budget", type=int, default=20, help="connection budget, direct"
    )
    parser.add_argument(
        "--bouncer-budget",
        type=int,
        default=EngineOptions.for_pooler("pgbouncer").connection_budget,
        help="connection budget through PgBouncer (client connections)",
    )
    parser.add_argument(
        "--server",
        choices=["private", "local"],
        default="private",
        help="private: a throwaway cluster sized for the estate, PgBouncer in front"
        " (default); local: the machine's PostgreSQL on 5432, direct connections only",
    )
    args = parser.parse_args()
    cluster = None
    if args.server == "private":
        cluster = PrivateCluster(args.tenants + 200, bouncer_pool_size=args.threads)
        try:
            cluster.start()
        except RuntimeError as error:  # e.g. pgbouncer missing: say so, no traceback
            cluster.stop()
            raise SystemExit(f"cannot start the private cluster: {error}") from None
        target = Target(cluster.port, cluster.bouncer.port)
    else:
        target = Target()
    estate = Estate(args.tenants, target)
    print(f"tenancy benchmark: {args.tenants} tenants, prefix {estate.prefix}")
    with target.admin() as conn:
        max_conns = conn.execute("SHOW max_connections").fetchone()[0]
        print(f"  server port {target.port}, max_connections {max_conns}", flush=True)
    try:
        provision_s, _ = timed(
            "provision (CREATE DATABASE ... TEMPLATE + identity)", estate.provision
        )
        print("(a) migrations")
        floor_s, _ = timed("floor: same DDL, plain loop", floor_loop, estate, DDL)
        revert(estate)
        with ConnectionSampler(estate) as migrate_conns:
            ours_s, report = timed(
                f"orchestrator, {args.parallel} processes",
                orchestrated,
                estate,
                args.parallel,
            )
        revert(estate)
        serial_s, _ = timed("orchestrator, in-process serial", orchestrated, estate, 1)
        print("(b) endpoint throughput, direct connections", flush=True)
        served = {"direct": serve(estate, args, target.port, "direct", args.budget)}
        if target.bouncer_port:
            print("(b) endpoint throughput, through PgBouncer", flush=True)
            served["pgbouncer"] = serve(
                estate, args, target.bouncer_port, "pgbouncer", args.bouncer_budget
            )
        results = {
            "provision_s": provision_s,
            "floor_s": floor_s,
            "ours_s": ours_s,
            "serial_s": serial_s,
            "migrate_peak": migrate_conns.peak,
            "max_connections": max_conns,
            "served": served,
        }
        print_table(args, results)
    finally:
        if cluster is not None:
            timed("stop and remove the private cluster", cluster.stop)
        else:
            timed("drop every benchmark database", estate.drop)


def print_table(args, r: dict) -> None:
    """Print the results as the markdown table the README quotes."""
    n, ours, serial, floor = args.tenants, r["ours_s"], r["serial_s"], r["floor_s"]
    rows = [
        (f"provision {n} tenant databases", f"{r['provision_s']:.1f} s", "-"),
        ("(a) floor: same DDL in a plain loop", f"{floor:.1f} s", "-"),
        (
            f"(a) migrate all, {args.parallel} worker processes",
            f"{ours:.1f} s (**{ours / floor:.2f}x floor**)",
            "<= 60 s, <= 1.5x",
        ),
        (
            "(a) migrate all, in-process serial",
            f"{serial:.1f} s ({serial / floor:.2f}x)",
            "-",
        ),
        (
            "(a) peak connections while migrating",
            str(r["migrate_peak"]),
            f"<= {args.parallel}",
        ),
    ]
    for topology, m in r["served"].items():
        single, many, stats = m["single"], m["many"], m["stats"]
        via = f"(b) {topology}:"
        rows += [
            (f"{via} single tenant: req/s, p50, p99", _load_cell(single), "-"),
            (f"{via} round-robin over {n}: req/s, p50, p99", _load_cell(many), "-"),
            (
                f"{via} throughput ratio {n} / 1",
                f"**{many[0] / single[0]:.2f}x**",
                ">= 0.8x",
            ),
            (f"{via} p99 ratio {n} / 1", f"{many[2] / single[2]:.2f}x", "-"),
            (
                f"{via} connections opened: single tenant, round-robin",
                f"{m['opened_single']}, {m['opened']} (of {args.requests} requests each)",
                "-",
            ),
            (f"{via} one new connection (serial)", f"{m['connect_ms']:.2f} ms", "-"),
            (
                f"(c) {topology}: process budget peak / budget / engines",
                f"{stats['connections_peak']} / {m['budget']} / {stats['engines']}",
                "peak <= budget",
            ),
            (
                f"(c) {topology}: peak server backends (pg_stat_activity)",
                str(m["backends"]),
                f"<= {r['max_connections']} (max_connections)",
            ),
            (
                f"(c) {topology}: server RSS now / peak",
                f"{m['rss_kb'] / 1024:.0f} MiB / {stats['max_rss_kb'] / 1024:.0f} MiB",
                "-",
            ),
        ]
    if "pgbouncer" in r["served"]:
        strict = (
            r["served"]["pgbouncer"]["many"][0] / r["served"]["direct"]["single"][0]
        )
        rows.append(
            (
                f"(b) round-robin over {n} via PgBouncer / single tenant direct",
                f"{strict:.2f}x",
                "-",
            )
        )
    print("\n| measure | value | goal |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def _load_cell(result: tuple[float, float, float, int]) -> str:
    rps, p50, p99, errors = result
    return f"{rps:.0f}, {p50:.1f} ms, {p99:.1f} ms ({errors} errors)"


if __name__ == "__main__":
    main()
