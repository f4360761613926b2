"""A throwaway PostgreSQL cluster sized for the estate, with PgBouncer in front of it.

The machine's own PostgreSQL allows 100 connections; 1,500 tenant databases served
without connection churn need one server connection each, as they would across the
production's database servers. So the benchmark starts its own cluster from the same
PostgreSQL binaries (``initdb``, ``pg_ctl``), with ``max_connections`` sized to the
estate, and PgBouncer (Debian's ``pgbouncer``) in transaction mode in front of it.
Both live in a temporary directory and are stopped and removed at the end.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.tenancy.pgbouncer import PgBouncer, as_postgres, free_port, give_to_postgres


def _bindir() -> Path:
    found = subprocess.run(
        ["pg_config", "--bindir"], capture_output=True, text=True, check=False
    )
    candidates = [Path(found.stdout.strip())] if found.returncode == 0 else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for path in candidates:
        if (path / "initdb").exists():
            return path
    raise SystemExit("no PostgreSQL server binaries (initdb) found; install postgresql")


class PrivateCluster:
    """Start with :meth:`start`, stop and remove everything with :meth:`stop`."""

    def __init__(self, max_connections: int, bouncer_pool_size: int) -> None:
        self.max_connections = max_connections
        self.dir = Path(tempfile.mkdtemp(prefix="satbench-pg-"))
        self.port = free_port()
        # PgBouncer may use all but a few of the server's connections (admin, sampler).
        self.bouncer = PgBouncer(self.port, bouncer_pool_size, max_connections - 20)

    def start(self) -> PrivateCluster:
        give_to_postgres(self.dir)
        data, bindir = self.dir / "data", _bindir()
        subprocess.run(
            as_postgres(
                [str(bindir / "initdb"), "-D", str(data), "-U", "postgres"]
                + ["-A", "trust", "--no-sync", "--no-instructions"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1"
            f" -c unix_socket_directories={self.dir}"
            f" -c max_connections={self.max_connections}"
            # As on the machine's own cluster: with 1,500 databases on two cores the
            # autovacuum launcher would start a worker in another database every 40 ms.
            " -c autovacuum=off"
        )
        subprocess.run(
            as_postgres(
                [str(bindir / "pg_ctl"), "-D", str(data), "-o", options]
                + ["-l", str(self.dir / "postgres.log"), "-w", "start"]
            ),
            check=True,
            stdout=subprocess.DEVNULL,
        )
        self.bouncer.start()
        return self

    def stop(self) -> None:
        self.bouncer.stop()
        data = self.dir / "data"
        if (data / "postmaster.pid").exists():
            subprocess.run(
                as_postgres(
                    [str(_bindir() / "pg_ctl"), "-D", str(data), "-m", "immediate"]
                    + ["-w", "stop"]
                ),
                check=False,
                stdout=subprocess.DEVNULL,
            )
        shutil.rmtree(self.dir, ignore_errors=True)
