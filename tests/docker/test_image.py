"""A default stamp's image: built from a clean stamp, run in production against the real
PostgreSQL and Redis, two tenants created and served through the container, stopped cleanly.

Runs through a private Docker engine (tests/docker/engine.py) on a locally built stand-in of
the pinned base image (base_image.py). Slow (a few minutes), so CI runs it as its own step:
`make test-docker`.
"""

from __future__ import annotations

import json
import secrets
import shutil
import time
import uuid

import pytest
import requests
import sqlalchemy as sa

from satchel.testing import make_token
from tests.docker.base_image import ensure_base
from tests.docker.conftest import free_port

pytestmark = pytest.mark.docker

PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
TAG = "students:image-test"


@pytest.fixture(scope="module")
def secret_file(tmp_path_factory, platform_index):
    """The build secret: a file holding the platform index's URL."""
    path = tmp_path_factory.mktemp("secret") / "satchel_index_url"
    path.write_text(platform_index[0])
    return path


@pytest.fixture(scope="module")
def image(engine, stamp, secret_file):
    """Build the stamp's image as its README says; return its `docker image inspect`."""
    ensure_base(engine, stamp / "Dockerfile")
    engine.run(
        "build",
        "--network",
        "host",
        "--secret",
        f"id=satchel_index_url,src={secret_file}",
        "--tag",
        TAG,
        str(stamp),
        timeout=1800,
    )
    [inspected] = json.loads(engine.run("image", "inspect", TAG).stdout)
    return inspected


def test_runs_as_a_numeric_non_root_user_with_a_health_check(image):
    """USER is numeric and not root; HEALTHCHECK and the satchel-serve entry point are set."""
    config = image["Config"]
    assert config["User"] == "10001:10001"
    assert "/livez" in " ".join(config["Healthcheck"]["Test"])
    assert config["Cmd"] == ["satchel-serve", "students.wsgi:app"]
    assert "STUDENTS_ENV=production" in config["Env"]


def test_build_without_the_index_secret_says_how_to_fix_it(
    engine, image, stamp, tmp_path
):
    """The lock needs the platform index: a build without its secret stops with one line."""
    # A changed lock, so the install step runs again instead of coming from the cache.
    copy = tmp_path / "students"
    shutil.copytree(stamp, copy, ignore=shutil.ignore_patterns(".git"))
    lock = json.loads((copy / "Pipfile.lock").read_text())
    lock["_meta"]["hash"] = {"sha256": "changed-for-this-test"}
    (copy / "Pipfile.lock").write_text(json.dumps(lock))
    done = engine.run("build", "--network", "host", str(copy), check=False, timeout=900)
    assert done.returncode != 0
    assert "build with --secret id=satchel_index_url" in done.stdout + done.stderr


def test_image_has_no_build_tools_or_index_url(engine, image, platform_index):
    """Neither pipenv nor the index URL (a credential in real life) reach the image."""
    history = engine.run("image", "history", "--no-trunc", TAG).stdout
    assert platform_index[0] not in history
    done = engine.run(
        "run",
        "--rm",
        "--network",
        "host",
        "--entrypoint",
        "sh",
        TAG,
        "-c",
        "ls /opt; id -u; touch /srv/students/x 2>&1; touch /srv/instance/x && echo writable",
    )
    lines = done.stdout.split()
    assert "pipenv" not in lines and "venv" in lines
    assert "10001" in lines and "writable" in lines
    assert "Permission denied" in done.stdout  # the code is not the service's to change


@pytest.fixture(scope="module")
def databases():
    """A control database and a tenant URL template of its own on the local PostgreSQL."""
    name = f"img_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(f"{PG}/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"CREATE DATABASE {name}_control"))
    yield name
    with admin.connect() as conn:
        rows = conn.execute(
            sa.text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
            {"p": f"{name}_%"},
        )
        for (db,) in list(rows):
            conn.execute(sa.text(f'DROP DATABASE "{db}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="module")
def production_env(databases):
    """Production settings: strong secrets, PostgreSQL tenants, Redis flags."""
    return {
        "STUDENTS_SECRET_KEY": secrets.token_urlsafe(48),
        "STUDENTS_JWT_KEY": secrets.token_urlsafe(48),
        "STUDENTS_TENANT_REGISTRY": f"postgresql://postgres@127.0.0.1:5432/{databases}_control",
        "STUDENTS_TENANT_DATABASE_URL": (
            f"postgresql://postgres@127.0.0.1:5432/{databases}_{{tenant}}"
        ),
        "STUDENTS_FLAGS_STORE": f"redis://127.0.0.1:6379/7?prefix={databases}",
    }


def env_args(env: dict[str, str]) -> list[str]:
    """Return ``-e NAME=value`` arguments for docker run."""
    return [arg for name, value in env.items() for arg in ("-e", f"{name}={value}")]


@pytest.fixture(scope="module")
def container(engine, image, production_env):
    """Create two tenants with the image's CLI, then serve; yield (name, base URL)."""
    for tenant in ("school-a", "school-b"):
        engine.run(
            "run",
            "--rm",
            "--network",
            "host",
            *env_args(production_env),
            TAG,
            "flask",
            "--app",
            "students.app",
            "tenants",
            "create",
            tenant,
        )
    port = free_port()
    name = f"students-{uuid.uuid4().hex[:8]}"
    engine.run(
        "run",
        "--detach",
        "--name",
        name,
        "--network",
        "host",
        *env_args(production_env),
        TAG,
        "satchel-serve",
        "--port",
        str(port),
        "students.wsgi:app",
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(base + "/readyz", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                pass
            assert time.monotonic() < deadline, engine.run("logs", name).stdout[-3000:]
            time.sleep(0.2)
        yield name, base
    finally:
        engine.run("rm", "--force", name, check=False)


def call(base, method, path, tenant, key, token_tenant=None, **kwargs):
    """Send a request to ``tenant``'s host with a token issued for ``token_tenant`` (default:
    the same tenant, which the service accepts)."""
    token = make_token(
        key,
        issuer="https://auth.satchel.localhost",
        audience="students",
        subject=f"teacher-{tenant}",
        tenant=token_tenant or tenant,
    )
    headers = {
        "Host": f"{tenant}.students.localhost",
        "Authorization": f"Bearer {token}",
    }
    return requests.request(method, base + path, headers=headers, timeout=10, **kwargs)


def test_serves_two_tenants_apart(container, production_env):
    """Through the container: a note made for school-a is not school-b's."""
    _, base = container
    key = production_env["STUDENTS_JWT_KEY"]
    made = call(
        base, "POST", "/v1/notes", "school-a", key, json={"title": "Sports day"}
    )
    assert made.status_code == 201, made.text
    assert call(base, "GET", "/v1/notes", "school-b", key).json()["items"] == []
    titles = [
        n["title"]
        for n in call(base, "GET", "/v1/notes", "school-a", key).json()["items"]
    ]
    assert titles == ["Sports day"]
    stolen = call(base, "GET", "/v1/notes", "school-b", key, token_tenant="school-a")
    assert stolen.status_code == 403, stolen.text


def test_stops_cleanly_on_sigterm(engine, container):
    """`docker stop` (SIGTERM): drained, exit 0, nothing written where it may not write."""
    name, base = container
    engine.run("stop", "--time", "60", name, timeout=120)
    state = json.loads(engine.run("inspect", name).stdout)[0]["State"]
    logs = engine.run("logs", name).stdout + engine.run("logs", name).stderr
    assert state["ExitCode"] == 0, logs[-3000:]
    assert "Permission denied" not in logs
    assert "Traceback" not in logs
