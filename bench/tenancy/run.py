"""Tenancy benchmark: 1,500 tenant databases on the local PostgreSQL, measured in one run.

    .venv/bin/python bench/tenancy/run.py [--tenants 1500] [--parallel 4] [--requests 6000]

(a) migrate every tenant with one additive migration, against the floor of the same DDL in a
    plain loop; (b) throughput and p99 of one endpoint, round-robin over every tenant against
    a single tenant, same server and same client; (c) peak open connections (pg_stat_activity)
    and the server's RSS. Prints a table with ratios, then drops every database it made.
Not part of the test suite.
"""

from __future__ import annotations

import argparse
import http.client
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg

from satchel.tenancy import MigrationSettings, TenantRecord, migrate_tenants
from satchel.tenancy.identity import write_identity
from satchel.tenancy.upgrade import upgrade_database
from satchel.tenancy.pgregistry import PostgresRegistry, tenants_table

ROOT = Path(__file__).resolve().parents[2]
MIGRATIONS = str(ROOT / "tests" / "resources" / "tenancy" / "migrations")
ADMIN = "host=127.0.0.1 user=postgres dbname=postgres"
URL = "postgresql+psycopg://postgres@127.0.0.1:5432/{db}"
DDL = "ALTER TABLE notes ADD COLUMN pinned boolean"


def admin() -> psycopg.Connection:
    return psycopg.connect(ADMIN, autocommit=True)


def dsn(db: str) -> str:
    return f"host=127.0.0.1 user=postgres dbname={db}"


def timed(label: str, fn, *args):
    started = time.perf_counter()
    result = fn(*args)
    elapsed = time.perf_counter() - started
    print(f"  {label}: {elapsed:.1f}s", flush=True)
    return elapsed, result


class Estate:
    """The benchmark's databases: a control plane, a template and N tenants."""

    def __init__(self, size: int) -> None:
        self.prefix = f"satbench_{secrets.token_hex(3)}"
        self.tenants = [f"t{i:04d}" for i in range(size)]
        self.control = f"{self.prefix}_control"
        self.template = f"{self.prefix}_tpl"

    def db(self, tenant: str) -> str:
        return f"{self.prefix}_{tenant}"

    def provision(self) -> None:
        with admin() as conn:
            conn.execute(f'CREATE DATABASE "{self.control}"')
            conn.execute(f'CREATE DATABASE "{self.template}"')
        assert (
            upgrade_database(
                "tpl", URL.format(db=self.template), "0001", MIGRATIONS
            ).error
            is None
        )
        with admin() as conn:
            for n, tenant in enumerate(self.tenants, 1):
                conn.execute(
                    f'CREATE DATABASE "{self.db(tenant)}" TEMPLATE "{self.template}"'
                )
                if n % 250 == 0:
                    print(f"    created {n} databases", flush=True)
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(self._identity, self.tenants))
        registry = PostgresRegistry(URL.format(db=self.control))
        registry.ping()  # creates the table
        rows = [
            {
                "id": t,
                "database_url": URL.format(db=self.db(t)),
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

        engine = sa.create_engine(URL.format(db=self.db(tenant)), poolclass=NullPool)
        with engine.begin() as conn:
            write_identity(conn, tenant)
            conn.execute(sa.text("INSERT INTO notes (body) VALUES (:t)"), {"t": tenant})
        engine.dispose()

    def records(self) -> list[TenantRecord]:
        return [
            TenantRecord(t, URL.format(db=self.db(t)), revision="0001")
            for t in self.tenants
        ]

    def drop(self) -> None:
        with admin() as conn:
            names = [
                r[0]
                for r in conn.execute(
                    "SELECT datname FROM pg_database WHERE datname LIKE %s",
                    (self.prefix + "%",),
                )
            ]

        def drop_one(name: str) -> None:
            with admin() as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(drop_one, names))


def floor_loop(estate: Estate, sql: str) -> None:
    """The floor: connect, run the DDL, commit; one database after another."""
    for tenant in estate.tenants:
        with psycopg.connect(dsn(estate.db(tenant))) as conn:
            conn.execute(sql)


def connect_cost(estate: Estate, count: int = 200) -> float:
    """Return the mean milliseconds to open and close one connection to a tenant database."""
    started = time.perf_counter()
    for tenant in estate.tenants[:count]:
        psycopg.connect(dsn(estate.db(tenant))).close()
    return (time.perf_counter() - started) / min(count, len(estate.tenants)) * 1000


def revert(estate: Estate) -> None:
    """Put every tenant back at 0001 (not measured)."""

    def one(tenant: str) -> None:
        with psycopg.connect(dsn(estate.db(tenant))) as conn:
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
    """Sample the number of open connections to the estate's databases every 20 ms."""

    def __init__(self, prefix: str) -> None:
        self.prefix, self.peak, self._stop = prefix, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        with admin() as conn:
            while not self._stop.wait(0.02):
                (count,) = conn.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE datname LIKE %s"
                    " AND datname NOT LIKE %s",
                    (self.prefix + "_t%", "%_control"),
                ).fetchone()
                self.peak = max(self.peak, count)


class BenchServer:
    """The benchmark app in its own process."""

    def __init__(self, estate: Estate, budget: int) -> None:
        self.port_file = Path(tempfile.mkdtemp()) / "port"
        self.proc = subprocess.Popen(
            [
                sys.executable,
                str(Path(__file__).with_name("server.py")),
                URL.format(db=estate.control),
                str(self.port_file),
                str(budget),
            ],
            cwd=ROOT,
        )
        while not self.port_file.exists() or not self.port_file.read_text():
            time.sleep(0.05)
        self.port = int(self.port_file.read_text())

    def stats(self) -> dict:
        import json

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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=1500)
    parser.add_argument(
        "--parallel", type=int, default=4, help="migration worker processes"
    )
    parser.add_argument("--requests", type=int, default=6000)
    parser.add_argument("--threads", type=int, default=8, help="load generator threads")
    parser.add_argument(
        "--budget", type=int, default=20, help="server connection budget"
    )
    args = parser.parse_args()
    estate = Estate(args.tenants)
    print(
        f"tenancy benchmark: {args.tenants} tenants, prefix {estate.prefix}", flush=True
    )
    with admin() as conn:
        print("  max_connections:", conn.execute("SHOW max_connections").fetchone()[0])
    try:
        provision_s, _ = timed(
            "provision (CREATE DATABASE ... TEMPLATE + identity)", estate.provision
        )
        print("(a) migrations")
        floor_s, _ = timed("floor: same DDL, plain loop", floor_loop, estate, DDL)
        revert(estate)
        with ConnectionSampler(estate.prefix) as migrate_conns:
            ours_s, report = timed(
                f"orchestrator, {args.parallel} processes",
                orchestrated,
                estate,
                args.parallel,
            )
        revert(estate)
        serial_s, _ = timed("orchestrator, in-process serial", orchestrated, estate, 1)
        print("(b) endpoint throughput")
        connect_ms = connect_cost(estate)
        server = BenchServer(estate, args.budget)
        try:
            one = [f"{estate.tenants[0]}.bench.test"] * args.requests
            rotation = [f"{t}.bench.test" for t in estate.tenants]
            spread = (rotation * (args.requests // len(rotation) + 1))[: args.requests]
            load(
                server.port, rotation, args.threads
            )  # warm-up: every tenant's engine exists
            load(server.port, one[:500], args.threads)
            with ConnectionSampler(estate.prefix) as single_conns:
                single = load(server.port, one, args.threads)
            with ConnectionSampler(estate.prefix) as spread_conns:
                many = load(server.port, spread, args.threads)
            stats, rss = server.stats(), server.rss_kb()
        finally:
            server.stop()
        results = {
            "provision_s": provision_s,
            "floor_s": floor_s,
            "ours_s": ours_s,
            "serial_s": serial_s,
            "single": single,
            "many": many,
            "stats": stats,
            "rss_kb": rss,
            "migrate_peak": migrate_conns.peak,
            "serve_peak": max(single_conns.peak, spread_conns.peak),
            "connect_ms": connect_ms,
        }
        print_table(args, results)
    finally:
        timed("drop every benchmark database", estate.drop)


def print_table(args, r: dict) -> None:
    """Print the results as the markdown table the README quotes."""
    n, single, many, stats = args.tenants, r["single"], r["many"], r["stats"]
    ours, serial, floor = r["ours_s"], r["serial_s"], r["floor_s"]
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
        ("(b) single tenant: req/s, p50, p99", _load_cell(single), "-"),
        (f"(b) round-robin over {n}: req/s, p50, p99", _load_cell(many), "-"),
        (f"(b) throughput ratio {n} / 1", f"**{many[0] / single[0]:.2f}x**", ">= 0.8x"),
        (f"(b) p99 ratio {n} / 1", f"{many[2] / single[2]:.2f}x", "-"),
        (
            "(b) one new PostgreSQL connection (serial)",
            f"{r['connect_ms']:.1f} ms",
            "-",
        ),
        (
            "(c) peak open connections (pg_stat_activity)",
            str(r["serve_peak"]),
            "<= budget",
        ),
        (
            "(c) server budget peak / budget / engines",
            f"{stats['connections_peak']} / {args.budget} / {stats['engines']}",
            "-",
        ),
        (
            "(c) server RSS now / peak",
            f"{r['rss_kb'] / 1024:.0f} MiB / {stats['max_rss_kb'] / 1024:.0f} MiB",
            "-",
        ),
    ]
    print("\n| measure | value | goal |\n|---|---|---|")
    for row in rows:
        print("| " + " | ".join(row) + " |")


def _load_cell(result: tuple[float, float, float, int]) -> str:
    rps, p50, p99, errors = result
    return f"{rps:.0f}, {p50:.1f} ms, {p99:.1f} ms ({errors} errors)"


if __name__ == "__main__":
    main()
