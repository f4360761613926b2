"""Rolling restart under load: several satchel-serve processes behind HAProxy, 0 failures?

``python bench/ship/rolling.py [--tenants 40] [--processes 3] [--seconds 45]``

The students example runs as K processes (``satchel-serve``, one worker each) behind HAProxy
(Debian's), which health-checks ``/readyz`` as an ALB does; tenant databases are on the local
PostgreSQL behind PgBouncer in transaction mode. wrk keeps load on it, spread over every
tenant, while each process in turn gets SIGTERM (it fails readiness, drains, exits) and is
started again, as a rolling deploy replaces tasks. Every non-2xx answer and socket error wrk
counts is a failed request. Then it measures throughput through 1 and 2 processes in the same
run (the ratio is the figure; the machine is shared). Needs haproxy, pgbouncer and wrk.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import requests
import sqlalchemy as sa

KIT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(KIT))

from tests.tenancy.pgbouncer import PgBouncer, free_port  # noqa: E402

STUDENTS = KIT / "examples" / "students"
BIN = Path(sys.executable).parent
PG = "postgresql+psycopg://postgres@127.0.0.1:5432"


def service_env(name: str, bouncer: PgBouncer, work: Path, key: str) -> dict[str, str]:
    """Production settings: tenants in PostgreSQL through PgBouncer, the registry a file."""
    return dict(
        os.environ,
        PYTHONPATH=str(STUDENTS),
        STUDENTS_ENV="production",
        STUDENTS_SECRET_KEY=secrets.token_urlsafe(48),
        STUDENTS_JWT_KEY=key,
        STUDENTS_TENANT_REGISTRY=f"file://{work}/tenants.yaml",
        STUDENTS_TENANT_DATABASE_URL=(
            f"postgresql://postgres@127.0.0.1:{bouncer.port}/{name}_{{tenant}}"
        ),
        STUDENTS_TENANT_DB_POOLER="pgbouncer",
        STUDENTS_FLAGS_STORE=f"redis://127.0.0.1:6379/5?prefix={name}",
        STUDENTS_WORKERS="1",
        STUDENTS_DRAIN_SECONDS="5",
    )


def create_tenants(env: dict[str, str], tenants: list[str]) -> None:
    """Create every tenant with the service's own CLI, in one process."""
    code = (
        "import sys; from students.app import create_app\n"
        "runner = create_app().test_cli_runner()\n"
        "for t in sys.argv[1:]:\n"
        "    r = runner.invoke(args=['tenants', 'create', t])\n"
        "    assert r.exit_code == 0, r.output\n"
    )
    subprocess.run(
        [sys.executable, "-c", code, *tenants], cwd=STUDENTS, env=env, check=True
    )


class Process:
    """One satchel-serve process of the service on its own port."""

    def __init__(self, port: int, env: dict[str, str], log: Path):
        self.port, self.env, self.log = port, env, log
        self.popen: subprocess.Popen | None = None

    def start(self) -> None:
        with open(self.log, "a") as out:
            self.popen = subprocess.Popen(
                [
                    str(BIN / "satchel-serve"),
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ]
                + ["students.wsgi:app"],
                cwd=STUDENTS,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"http://127.0.0.1:{self.port}/readyz", timeout=1).ok:
                    return
            except requests.ConnectionError:
                pass
            if time.monotonic() > deadline or self.popen.poll() is not None:
                raise SystemExit(
                    f"process on {self.port} did not get ready; see {self.log}"
                )
            time.sleep(0.1)

    def stop(self) -> int:
        self.popen.send_signal(signal.SIGTERM)
        return self.popen.wait(timeout=60)


def haproxy_config(port: int, admin: Path, servers: list[int]) -> str:
    """An ALB-like balancer: /readyz checks, retries of connection failures elsewhere."""
    lines = [
        "global",
        f"  stats socket {admin} mode 600 level admin",
        "  maxconn 4096",
        "defaults",
        "  mode http",
        "  timeout connect 2s",
        "  timeout client 30s",
        "  timeout server 30s",
        "  retries 3",
        "  option redispatch",
        "  retry-on conn-failure empty-response response-timeout",
        "frontend web",
        f"  bind 127.0.0.1:{port}",
        "  default_backend app",
        "backend app",
        "  balance roundrobin",
        "  option httpchk GET /readyz",
        "  http-check expect status 200",
        # A loaded worker answers its probe late: allow for it, and need two misses.
        "  timeout check 3s",
        "  default-server inter 1s fall 2 rise 1",
    ]
    lines += [f"  server s{i} 127.0.0.1:{p} check" for i, p in enumerate(servers)]
    return "\n".join(lines) + "\n"


def admin(socket_path: Path, command: str) -> str:
    """Send one command to HAProxy's runtime API."""
    with socket.socket(socket.AF_UNIX) as sock:
        sock.connect(str(socket_path))
        sock.sendall(command.encode() + b"\n")
        return sock.makefile().read()


def wait_up(socket_path: Path, server: str, timeout: float = 30) -> None:
    """Wait until HAProxy's checks mark ``server`` UP."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for row in admin(socket_path, "show stat").splitlines():
            fields = row.split(",")
            if len(fields) > 17 and fields[1] == server and fields[17] == "UP":
                return
        time.sleep(0.1)
    raise SystemExit(f"haproxy never saw {server} UP")


def lua_script(path: Path, tenants: list[str], key: str) -> dict[str, str]:
    """A wrk script sending GET /v1/classes for a random tenant each time."""
    from satchel.testing import make_token

    tokens = {
        t: make_token(
            key,
            issuer="https://auth.satchel.localhost",
            audience="students",
            subject=f"teacher-{t}",
            expires_in=3600,
            tenant=t,
        )
        for t in tenants
    }
    entries = ",\n".join(f'{{"{t}", "{tok}"}}' for t, tok in tokens.items())
    path.write_text(
        f"local tenants = {{\n{entries}\n}}\n"
        "math.randomseed(os.time())\n"
        "request = function()\n"
        "  local t = tenants[math.random(#tenants)]\n"
        '  return wrk.format("GET", "/v1/classes", {["Host"] = t[1] .. ".students.localhost",'
        ' ["Authorization"] = "Bearer " .. t[2]})\n'
        "end\n"
    )
    return tokens


def wrk(port: int, script: Path, seconds: int) -> subprocess.Popen:
    """Start wrk (2 threads, 32 connections) against the balancer."""
    return subprocess.Popen(
        ["wrk", "-t2", "-c32", f"-d{seconds}s", "--latency", "-s", str(script)]
        + [f"http://127.0.0.1:{port}/"],
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )


def summary(output: str) -> dict[str, float]:
    """Requests, rate, non-2xx answers and socket errors from wrk's report."""
    found = {
        "requests": float(re.search(r"(\d+) requests in", output).group(1)),
        "rate": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "non_2xx": 0.0,
        "socket_errors": 0.0,
    }
    non = re.search(r"Non-2xx or 3xx responses: (\d+)", output)
    if non:
        found["non_2xx"] = float(non.group(1))
    errors = re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    )
    if errors:
        found["socket_errors"] = float(sum(int(g) for g in errors.groups()))
    return found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tenants", type=int, default=40)
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--seconds", type=int, default=45)
    options = parser.parse_args()
    for tool in ("haproxy", "wrk"):
        if not shutil.which(tool) and not Path(f"/usr/sbin/{tool}").exists():
            raise SystemExit(
                f"{tool} is missing: bash .ci/docker-packages installs haproxy"
            )
    name = f"roll_{uuid.uuid4().hex[:6]}"
    work = Path(tempfile.mkdtemp(prefix="satchel-rolling-"))
    bouncer = PgBouncer(server_port=5432, pool_size=2, max_server=60).start()
    key = secrets.token_urlsafe(48)
    env = service_env(name, bouncer, work, key)
    tenants = [f"school-{i:03d}" for i in range(options.tenants)]
    processes: list[Process] = []
    haproxy = None
    try:
        print(
            f"load: {os.getloadavg()[0]:.2f}; creating {len(tenants)} tenants",
            flush=True,
        )
        create_tenants(env, tenants)
        ports = [free_port() for _ in range(options.processes)]
        processes = [Process(p, env, work / f"serve-{p}.log") for p in ports]
        for process in processes:
            process.start()
        front, sock = free_port(), work / "haproxy.sock"
        (work / "haproxy.cfg").write_text(haproxy_config(front, sock, ports))
        haproxy = subprocess.Popen(
            [
                shutil.which("haproxy") or "/usr/sbin/haproxy",
                "-f",
                str(work / "haproxy.cfg"),
            ]
        )
        time.sleep(1)
        for i in range(len(ports)):
            wait_up(sock, f"s{i}")
        script = work / "load.lua"
        tokens = lua_script(script, tenants, key)
        probe = requests.get(
            f"http://127.0.0.1:{front}/v1/classes",
            headers={
                "Host": f"{tenants[0]}.students.localhost",
                "Authorization": f"Bearer {tokens[tenants[0]]}",
            },
            timeout=10,
        )
        if probe.status_code != 200:
            raise SystemExit(
                f"the load's request fails: {probe.status_code} {probe.text}"
            )

        load = wrk(front, script, options.seconds)
        time.sleep(3)
        codes = []
        for i, process in enumerate(processes):
            codes.append(process.stop())
            process.start()
            wait_up(sock, f"s{i}")
        rolled = summary(load.communicate()[0])
        failed = rolled["non_2xx"] + rolled["socket_errors"]

        rates = {}
        for count in (1, 2):
            for i in range(len(ports)):
                state = "enable" if i < count else "disable"
                admin(sock, f"{state} server app/s{i}")
            time.sleep(1.5)
            run = wrk(front, script, 10)
            rates[count] = summary(run.communicate()[0])["rate"]
        result = {
            "tenants": len(tenants),
            "processes": len(ports),
            "rolling": {**rolled, "failed": failed, "exit_codes": codes},
            "rate_1": rates[1],
            "rate_2": rates[2],
            "ratio_2_to_1": round(rates[2] / rates[1], 2),
            "load_after": round(os.getloadavg()[0], 2),
        }
        print(json.dumps(result, indent=2))
        return 0 if failed == 0 else 1
    finally:
        if haproxy:
            haproxy.terminate()
            haproxy.wait()
        for process in processes:
            if process.popen and process.popen.poll() is None:
                process.stop()
        bouncer.stop()
        admin_engine = sa.create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
        with admin_engine.connect() as conn:
            names = conn.execute(
                sa.text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                {"p": f"{name}_%"},
            ).scalars()
            for db in list(names):
                conn.execute(sa.text(f'DROP DATABASE "{db}" WITH (FORCE)'))
        admin_engine.dispose()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
