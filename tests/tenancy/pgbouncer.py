"""PgBouncer in transaction mode in front of a PostgreSQL server, for tests and benchmarks.

Debian's ``pgbouncer`` binary with a config file in a temporary directory, on a free
port, trusting the server's users like the server itself does; stopped and removed with
:meth:`PgBouncer.stop`.
"""

from __future__ import annotations

import os
import resource
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path


def free_port() -> int:
    """Return a TCP port on 127.0.0.1 that nothing listens on now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def as_postgres(command: list[str]) -> list[str]:
    """Run ``command`` as the ``postgres`` user when we are root (servers refuse root)."""
    return (
        ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command
    )


def give_to_postgres(path: Path) -> None:
    if os.geteuid() == 0:
        shutil.chown(path, "postgres")


def wait_for_port(port: int, what: str, timeout: float = 30.0) -> None:
    """Return once 127.0.0.1:``port`` accepts connections; raise after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{what} did not start listening on 127.0.0.1:{port}")


def _raise_fd_limit() -> None:
    _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def pgbouncer_binary() -> str | None:
    return shutil.which("pgbouncer") or (
        "/usr/sbin/pgbouncer" if Path("/usr/sbin/pgbouncer").exists() else None
    )


class PgBouncer:
    """PgBouncer (transaction mode) forwarding every database to ``server_port``."""

    def __init__(
        self, server_port: int = 5432, pool_size: int = 4, max_server: int = 50
    ) -> None:
        self.server_port = server_port
        self.pool_size = pool_size
        self.max_server = max_server  # server connections PgBouncer may hold in all
        self.dir = Path(tempfile.mkdtemp(prefix="satchel-pgbouncer-"))
        self.port = free_port()

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def start(self) -> PgBouncer:
        binary = pgbouncer_binary()
        if binary is None:
            raise RuntimeError("pgbouncer is not installed: apt-get install pgbouncer")
        (self.dir / "users.txt").write_text('"postgres" ""\n"root" ""\n')
        ini = self.dir / "pgbouncer.ini"
        ini.write_text(
            "[databases]\n"
            f"* = host=127.0.0.1 port={self.server_port}\n"
            "[pgbouncer]\n"
            f"listen_addr = 127.0.0.1\nlisten_port = {self.port}\n"
            f"unix_socket_dir = {self.dir}\n"
            f"auth_type = trust\nauth_file = {self.dir / 'users.txt'}\n"
            "pool_mode = transaction\n"
            f"default_pool_size = {self.pool_size}\n"
            "max_client_conn = 10000\n"
            # When the cap is reached PgBouncer closes another database's idle connection.
            f"max_user_connections = {self.max_server}\n"
            "server_idle_timeout = 600\n"
            f"logfile = {self.dir / 'pgbouncer.log'}\n"
            f"pidfile = {self.dir / 'pgbouncer.pid'}\n"
            "log_connections = 0\nlog_disconnections = 0\n"
        )
        give_to_postgres(self.dir)
        for path in self.dir.iterdir():
            give_to_postgres(path)
        # One descriptor per client and per server connection: lift the soft limit (1,024
        # by default) to the hard one. As root, PgBouncer drops to postgres itself (-u),
        # keeping the limit (runuser would reset it).
        user = ["-u", "postgres"] if os.geteuid() == 0 else []
        subprocess.run(
            [binary, "-d", *user, str(ini)], check=True, preexec_fn=_raise_fd_limit
        )
        wait_for_port(self.port, "pgbouncer")
        return self

    def stop(self) -> None:
        pidfile = self.dir / "pgbouncer.pid"
        if pidfile.exists():
            subprocess.run(["kill", pidfile.read_text().strip()], check=False)
        shutil.rmtree(self.dir, ignore_errors=True)


@contextmanager
def running_pgbouncer(pool_size: int, max_server: int) -> Iterator[PgBouncer]:
    """Run PgBouncer in front of the machine's PostgreSQL for a test module, then stop it."""
    if pgbouncer_binary() is None:
        import pytest  # tests only: the benchmark imports this module without pytest

        pytest.fail("pgbouncer is not installed; `make system-packages` installs it")
    bouncer = PgBouncer(server_port=5432, pool_size=pool_size, max_server=max_server)
    try:
        yield bouncer.start()
    finally:
        bouncer.stop()
