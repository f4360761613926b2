"""Probe a freshly stamped service as an attacker and an operator would (issue 12).

The template is baked once for the module and run as production runs it: two tenants on the
real PostgreSQL, created by ``flask tenants create`` as an owner role (a login with CREATEDB
and CREATEROLE, no superuser), served by granian as the runtime role, strong secrets. Then:
a token for one tenant is sent to the other (cross-tenant probe), the service is started
with weak or misspelt settings (weak-secret probe), and the runtime role's own credential is
used to rewrite the audit (audit-tampering probe).
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import uuid

import psycopg
import pytest
import requests

from examples.running import free_port, provision, service
from satchel.testing import bearer, make_token
from tests.kit import BIN, tool_env

PACKAGE = "gradebook"
PREFIX = PACKAGE.upper()
RUN = uuid.uuid4().hex[:8]
OWNER, RUNTIME = f"gradebook_owner_{RUN}", f"gradebook_runtime_{RUN}"
DATABASES = f"gradebook_probe_{RUN}_{{tenant}}"
SERVER = "postgresql://{user}@127.0.0.1:5432/" + DATABASES
JWT_KEY = secrets.token_urlsafe(48)
ISSUER = "https://auth.satchel.localhost"
TENANTS = ("school-a", "school-b")


def admin() -> psycopg.Connection:
    return psycopg.connect(
        "host=127.0.0.1 user=postgres dbname=postgres", autocommit=True
    )


@pytest.fixture(scope="module")
def baked(kit_repo, tmp_path_factory):
    """Bake the template once, as a team starting the gradebook service would."""
    out = tmp_path_factory.mktemp("probes")
    subprocess.run(
        [BIN / "cookiecutter", str(kit_repo), "--directory", "template", "--no-input"]
        + ["--output-dir", str(out), "service_name=Gradebook"],
        check=True,
        env=tool_env(SATCHEL_SKIP_HOOK_INSTALL="1"),
        capture_output=True,
    )
    return out / PACKAGE


def production_env(baked, instance, user: str, **settings: str) -> dict[str, str]:
    """Return the production environment of one task, logging in to tenants as ``user``."""
    env = tool_env(PYTHONPATH=str(baked))
    values = {
        "ENV": "production",
        "SECRET_KEY": secrets.token_urlsafe(48),
        "JWT_KEY": JWT_KEY,
        "TENANT_REGISTRY": f"file://{instance}/tenants.yaml",
        "TENANT_DATABASE_URL": SERVER.replace("{user}", user),
        "TENANT_DB_RUNTIME_ROLE": RUNTIME,
        "FLAGS_STORE": f"file://{instance}/flags.yaml",
        **settings,
    }
    env.update({f"{PREFIX}_{name}": value for name, value in values.items()})
    return env


@pytest.fixture(scope="module")
def running(baked, tmp_path_factory):
    """Provision both tenants as the owner, then serve them as the runtime role."""
    instance = tmp_path_factory.mktemp("instance")
    with admin() as conn:
        conn.execute(f'CREATE ROLE "{OWNER}" LOGIN CREATEDB CREATEROLE')
    try:
        owner_env = production_env(baked, instance, OWNER)
        provision(PACKAGE, owner_env, TENANTS, root=baked)
        service_env = production_env(baked, instance, RUNTIME)
        with service(PACKAGE, service_env, free_port(), root=baked) as url:
            yield url
    finally:
        with admin() as conn:
            for tenant in TENANTS:
                name = DATABASES.format(tenant=tenant)
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            for role in (RUNTIME, OWNER):
                conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def token(tenant: str, subject: str = "teacher-1") -> dict[str, str]:
    """Return a production-signed token for a teacher of ``tenant``."""
    return bearer(
        make_token(
            JWT_KEY, issuer=ISSUER, audience=PACKAGE, subject=subject, tenant=tenant
        )
    )


def call(url: str, method: str, tenant: str, headers: dict, **kwargs):
    host = {"Host": f"{tenant}.{PACKAGE}.localhost"}
    return requests.request(
        method, f"{url}/v1/notes", headers={**host, **headers}, timeout=10, **kwargs
    )


def test_cross_tenant_token_is_refused(running):
    """School A's token reads and writes school A, and gets 403 problem+json at school B."""
    a = token("school-a")
    assert call(running, "POST", "school-a", a, json={"title": "A"}).status_code == 201
    assert call(running, "GET", "school-a", a).status_code == 200
    read = call(running, "GET", "school-b", a)
    write = call(running, "POST", "school-b", a, json={"title": "from A"})
    assert (read.status_code, write.status_code) == (403, 403)
    assert read.headers["Content-Type"] == "application/problem+json"
    assert read.json()["type"] == "https://satchel.dev/problems/tenant-forbidden"
    assert call(running, "GET", "school-b", token("school-b")).json()["items"] == []


def runtime_connection(tenant: str) -> psycopg.Connection:
    """Connect as the service's runtime role: the credential an attacker would steal."""
    name = DATABASES.format(tenant=tenant)
    return psycopg.connect(
        f"host=127.0.0.1 user={RUNTIME} dbname={name}", autocommit=True
    )


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE satchel_audit SET actor_id = 'mallory'",
        "DELETE FROM satchel_audit",
        "TRUNCATE satchel_audit",
        "INSERT INTO satchel_audit (table_name, action) VALUES ('notes', 'DELETE')",
        "ALTER TABLE notes DISABLE TRIGGER ALL",
        "DROP TRIGGER satchel_audit ON notes",
    ],
    ids=["update", "delete", "truncate", "insert", "disable-trigger", "drop-trigger"],
)
def test_audit_cannot_be_tampered_with_as_the_service(running, statement):
    """Every rewrite of the audit with the service's own credential is refused."""
    with runtime_connection("school-a") as conn:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            conn.execute(statement)


def test_the_audit_names_the_verified_identity(running):
    """A write is audited with the token's subject and the runtime role that logged in."""
    made = call(
        running,
        "POST",
        "school-a",
        token("school-a", "teacher-77"),
        json={"title": "t"},
    )
    assert made.status_code == 201
    with runtime_connection("school-a") as conn:
        row = conn.execute(
            "SELECT actor_id, actor_type, db_user FROM satchel_audit"
            " WHERE new_row->>'id' = %s",
            (str(made.json()["id"]),),
        ).fetchone()
    assert row == ("teacher-77", "user", RUNTIME)


def start(baked, **settings: str) -> subprocess.CompletedProcess:
    """Import the production entry point with ``settings``, as granian would."""
    env = production_env(baked, baked, RUNTIME)
    env.update({f"{PREFIX}_{name}": value for name, value in settings.items()})
    return subprocess.run(
        [sys.executable, "-c", f"import {PACKAGE}.wsgi"],
        cwd=baked,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


@pytest.mark.parametrize(
    ("settings", "said"),
    [
        ({"JWT_KEY": "k"}, f"jwt_key ({PREFIX}_JWT_KEY) is 1 byte long"),
        ({"SECRET_KEY": "s"}, f"secret_key ({PREFIX}_SECRET_KEY) is 1 byte long"),
        ({"JWT_KEY": ""}, f"jwt_key ({PREFIX}_JWT_KEY) is missing or empty"),
        ({"ENV": "Production"}, "is not a valid choice: expected one of 'development'"),
        ({"ENV": "prod"}, "is not a valid choice: expected one of 'development'"),
        ({"JWT_ALGORITHMS": "RS256,HS256"}, "need HMAC secret and RSA keys"),
    ],
    ids=["short-jwt-key", "short-secret-key", "empty-jwt-key", "capitalised-env",
         "abbreviated-env", "mixed-algorithms"],
)  # fmt: skip
def test_weak_production_settings_stop_the_service(baked, settings, said):
    """Each weak or misspelt setting stops the service at start with one line, exit 2."""
    done = start(baked, **settings)
    assert done.returncode == 2, done.stderr
    assert "Traceback" not in done.stderr
    assert said in done.stderr


def test_strong_production_settings_start(baked):
    """The same entry point starts with strong secrets (the probes above are not vacuous)."""
    done = start(baked)
    assert done.returncode == 0, done.stderr


def test_readyz_shows_no_addresses_to_the_internet(running):
    """A caller a proxy forwarded sees statuses only: no registry path or database host."""
    public = requests.get(
        f"{running}/readyz", headers={"X-Forwarded-For": "203.0.113.9"}, timeout=5
    )
    assert public.status_code == 200
    checks = public.json()["checks"]
    assert checks and all(set(check) == {"status"} for check in checks.values())
    local = requests.get(f"{running}/readyz", timeout=5).json()
    assert "output" in json.dumps(local)
