"""A default stamp's image: its size, and its cold start from `docker run` to /readyz 200.

``python bench/ship/image.py [--runs 5]``

Builds the image as `make test-docker` does (a private engine, the stand-in base, the kit's
wheel on a local platform index) and starts it ``--runs`` times against the local PostgreSQL
and Redis, timing `docker run` to the first 200 from /readyz. The baseline, measured in the
same run, is the same image started as a bare `python -m http.server` until it answers: the
container and interpreter's share, which no service code can remove.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import statistics
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

from tests.docker.base_image import ensure_base  # noqa: E402
from tests.docker.conftest import free_port  # noqa: E402
from tests.docker.engine import private_engine  # noqa: E402
from tests.docker.index import (  # noqa: E402
    add_locked,
    release_index,
    serve_index,
)
from tests.kit import BIN, snapshot_kit, tool_env  # noqa: E402

PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
TAG = "students:bench"


def stamp(work: Path) -> tuple[Path, subprocess.Popen, str]:
    """Bake a default stamp pinned to a local platform index; return it, the server, URL."""
    kit = snapshot_kit(work / "kit")
    root, _, _ = release_index(kit)
    port = free_port()
    server = serve_index(root, port)
    subprocess.run(
        [BIN / "cookiecutter", str(kit), "--directory", "template", "--no-input"]
        + ["--output-dir", str(work / "out")],
        check=True,
        env=tool_env(SATCHEL_SKIP_HOOK_INSTALL="1"),
        capture_output=True,
    )
    service = work / "out" / "students"
    add_locked(service, "async-timeout", "5.0.1", work / "wheels")  # Debian's 3.11.2
    return service, server, f"http://127.0.0.1:{port}/"


def until_ok(url: str, timeout: float = 120) -> float:
    """Poll ``url`` until it answers 200; return when it did (monotonic)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).status_code == 200:
                return time.monotonic()
        except requests.ConnectionError:
            pass
        time.sleep(0.02)
    raise SystemExit(f"{url} never answered 200")


def timed_start(engine, args: list[str], url: str) -> float:
    """Seconds from `docker run` to ``url`` answering 200; the container is removed."""
    name = f"bench-{uuid.uuid4().hex[:8]}"
    started = time.monotonic()
    engine.run("run", "--detach", "--name", name, "--network", "host", *args)
    try:
        return until_ok(url) - started
    finally:
        engine.run("rm", "--force", name, check=False)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="satchel-image-bench-"))
    database = f"imgbench_{uuid.uuid4().hex[:6]}"
    admin = sa.create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {database}_control"))
    service, index, index_url = stamp(work)
    try:
        with private_engine() as engine:
            ensure_base(engine, service / "Dockerfile")
            (work / "secret").write_text(index_url)
            built = time.monotonic()
            engine.run(
                "build",
                "--network",
                "host",
                "--secret",
                f"id=satchel_index_url,src={work / 'secret'}",
                "--tag",
                TAG,
                str(service),
                timeout=1800,
            )
            build_seconds = time.monotonic() - built
            size = json.loads(engine.run("image", "inspect", TAG).stdout)[0]["Size"]
            pg = f"postgresql://postgres@127.0.0.1/{database}"
            env = {
                "STUDENTS_SECRET_KEY": secrets.token_urlsafe(48),
                "STUDENTS_JWT_KEY": secrets.token_urlsafe(48),
                "STUDENTS_TENANT_REGISTRY": f"{pg}_control",
                "STUDENTS_TENANT_DATABASE_URL": f"{pg}_{{tenant}}",
                "STUDENTS_FLAGS_STORE": f"redis://127.0.0.1:6379/6?prefix={database}",
            }
            env_args = [a for k, v in env.items() for a in ("-e", f"{k}={v}")]
            engine.run(
                "run",
                "--rm",
                "--network",
                "host",
                *env_args,
                TAG,
                "flask",
                "--app",
                "students.app",
                "tenants",
                "create",
                "school-a",
            )
            service_runs, baseline_runs = [], []
            for _ in range(options.runs):
                port = free_port()
                baseline_runs.append(
                    timed_start(
                        engine,
                        [
                            TAG,
                            "python",
                            "-m",
                            "http.server",
                            "--bind",
                            "127.0.0.1",
                            str(port),
                        ],
                        f"http://127.0.0.1:{port}/",
                    )
                )
                port = free_port()
                service_runs.append(
                    timed_start(
                        engine,
                        [
                            *env_args,
                            TAG,
                            "satchel-serve",
                            "--port",
                            str(port),
                            "students.wsgi:app",
                        ],
                        f"http://127.0.0.1:{port}/readyz",
                    )
                )
        service_median = statistics.median(service_runs)
        baseline_median = statistics.median(baseline_runs)
        print(
            json.dumps(
                {
                    "image_mb": round(size / 1e6, 1),
                    "build_seconds": round(build_seconds, 1),
                    "cold_start_s": [round(x, 2) for x in service_runs],
                    "cold_start_median_s": round(service_median, 2),
                    "baseline_http_server_median_s": round(baseline_median, 2),
                    "ratio_to_baseline": round(service_median / baseline_median, 2),
                    "load": round(os.getloadavg()[0], 2),
                },
                indent=2,
            )
        )
        return 0
    finally:
        index.terminate()
        index.wait()
        with admin.connect() as conn:
            rows = conn.execute(
                sa.text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                {"p": f"{database}_%"},
            ).scalars()
            for db in list(rows):
                conn.execute(sa.text(f'DROP DATABASE "{db}" WITH (FORCE)'))
        admin.dispose()


if __name__ == "__main__":
    sys.exit(main())
