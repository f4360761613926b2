"""A throwaway PostgreSQL cluster on a free port: a second database server for tests.

Started from the installed server binaries (``initdb``, ``pg_ctl``) in a temporary
directory, trusting local users like the machine's own cluster; it can be stopped and
started again on the same port (a server going down and coming back), and is removed
with :meth:`PostgresCluster.remove`. ``bench/tenancy/cluster.py`` builds on it.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from pathlib import Path

from tests.tenancy.pgbouncer import as_postgres, free_port, give_to_postgres


def server_bindir() -> Path:
    """Return the directory of the PostgreSQL server binaries (initdb, pg_ctl, pg_dump)."""
    found = subprocess.run(
        ["pg_config", "--bindir"], capture_output=True, text=True, check=False
    )
    candidates = [Path(found.stdout.strip())] if found.returncode == 0 else []
    candidates += sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for path in candidates:
        if (path / "initdb").exists():
            return path
    raise RuntimeError(
        "no PostgreSQL server binaries (initdb) found; install postgresql"
    )


class PostgresCluster:
    """``start()`` creates and starts it, ``stop()``/``start()`` cycle it, ``remove()`` ends it."""

    def __init__(
        self,
        max_connections: int = 100,
        prefix: str = "satchel-pg-",
        settings: str = "",
    ) -> None:
        self.max_connections = max_connections
        self.settings = settings  # more "-c name=value" options
        self.dir = Path(tempfile.mkdtemp(prefix=prefix))
        self.port = free_port()
        self._bindir = server_bindir()

    @property
    def data(self) -> Path:
        return self.dir / "data"

    def url(self, database: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql+psycopg://{user}@127.0.0.1:{self.port}/{database}"

    def start(self) -> PostgresCluster:
        """Create the cluster on first call, then start the server and wait for it."""
        if not self.data.exists():
            give_to_postgres(self.dir)
            subprocess.run(
                as_postgres(
                    [
                        str(self._bindir / "initdb"),
                        "-D",
                        str(self.data),
                        "-U",
                        "postgres",
                    ]
                    + ["-A", "trust", "--no-sync", "--no-instructions"]
                ),
                check=True,
                stdout=subprocess.DEVNULL,
            )
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1"
            f" -c unix_socket_directories={self.dir}"
            f" -c max_connections={self.max_connections}"
            # As on the machine's own cluster: with many databases on two cores the
            # autovacuum launcher would start a worker in another database every 40 ms.
            " -c autovacuum=off"
            f" {self.settings}"
        )
        self._ctl("-o", options, "-l", str(self.dir / "postgres.log"), "-w", "start")
        return self

    def stop(self) -> None:
        """Stop the server at once (its clients see their connections cut), keep its data."""
        if (self.data / "postmaster.pid").exists():
            self._ctl("-m", "immediate", "-w", "stop", check=False)

    def remove(self) -> None:
        """Stop the server and delete its directory."""
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _ctl(self, *args: str, check: bool = True) -> None:
        subprocess.run(
            as_postgres([str(self._bindir / "pg_ctl"), "-D", str(self.data), *args]),
            check=check,
            stdout=subprocess.DEVNULL,
        )
