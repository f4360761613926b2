"""Stamp a service from the kit's template and provision it as production runs it.

Shared by ``run.py`` (the wrk benchmark) and ``profile.py`` (the per-layer breakdown):

- bake the template with cookiecutter's API and the default answers (service "Notebook");
- create an owner login (CREATEDB, CREATEROLE, no superuser) and provision two tenants with
  ``flask tenants create`` as that owner (migrations, audit triggers, the runtime role);
- seed each tenant with notes, and add ``notes_unaudited``: the same columns without the
  audit trigger, for the hand-written app's write baseline;
- hand out the production environment the service runs with as the runtime role (strong
  secrets, ``ENV=production``) and tenant-bound tokens.

Everything is dropped at the end (databases, roles, the baked folder).
"""

from __future__ import annotations

import os
import secrets
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import psycopg

KIT = Path(__file__).resolve().parent.parent.parent
sys.path.insert(0, str(KIT))

# The kit's root is put on the path above.
from examples.running import provision  # noqa: E402
from satchel.testing import make_token  # noqa: E402

PACKAGE = "notebook"
PREFIX = PACKAGE.upper()
TENANTS = ("school-a", "school-b")
BASE_DOMAIN = f"{PACKAGE}.localhost"
ISSUER = "https://auth.satchel.localhost"
NOTES_PER_TENANT = 1000
GIT_IDENTITY = {
    "GIT_AUTHOR_NAME": "Satchel Bench",
    "GIT_AUTHOR_EMAIL": "bench@satchel.localhost",
    "GIT_COMMITTER_NAME": "Satchel Bench",
    "GIT_COMMITTER_EMAIL": "bench@satchel.localhost",
}


@dataclass(frozen=True)
class Deployment:
    """A provisioned stamp: where it is, how to run it, and who may call it."""

    root: Path
    instance: Path
    runtime_role: str
    database_template: str  # postgresql://{user}@.../notebook_<run>_{tenant}
    jwt_key: str

    def database_url(self, tenant: str, user: str | None = None) -> str:
        """Return a tenant's database URL for ``user`` (default: the runtime role)."""
        return self.database_template.format(
            user=user or self.runtime_role, tenant=tenant
        )

    def env(self, **settings: str) -> dict[str, str]:
        """Return the production environment of a task serving as the runtime role."""
        values = {
            "ENV": "production",
            "SECRET_KEY": secrets.token_urlsafe(48),
            "JWT_KEY": self.jwt_key,
            "TENANT_REGISTRY": f"file://{self.instance}/tenants.yaml",
            "TENANT_DATABASE_URL": self.database_template.replace(
                "{user}", self.runtime_role
            ),
            "TENANT_DB_RUNTIME_ROLE": self.runtime_role,
            "FLAGS_STORE": f"file://{self.instance}/flags.yaml",
            "DRAIN_SECONDS": "0",
            **settings,
        }
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(self.root), str(KIT)]))
        env.update({f"{PREFIX}_{name}": value for name, value in values.items()})
        return env

    def token(self, tenant: str, subject: str = "teacher-1") -> str:
        """Return a production-signed token for a teacher of ``tenant``."""
        return make_token(
            self.jwt_key,
            issuer=ISSUER,
            audience=PACKAGE,
            subject=subject,
            tenant=tenant,
        )

    def host(self, tenant: str) -> str:
        """Return the Host header that reaches ``tenant``."""
        return f"{tenant}.{BASE_DOMAIN}"


def _admin(dbname: str = "postgres") -> psycopg.Connection:
    return psycopg.connect(
        f"host=127.0.0.1 user=postgres dbname={dbname}", autocommit=True
    )


def bake(output: Path) -> Path:
    """Stamp the template with its default answers (service name: Notebook)."""
    from cookiecutter.main import cookiecutter

    os.environ.update(GIT_IDENTITY, SATCHEL_SKIP_HOOK_INSTALL="1")
    return Path(
        cookiecutter(
            str(KIT),
            directory="template",
            no_input=True,
            output_dir=str(output),
            extra_context={"service_name": "Notebook"},
        )
    )


def seed(deployment: Deployment, owner: str) -> None:
    """Give each tenant notes to read and an unaudited twin table for the write baseline."""
    for tenant in TENANTS:
        url = deployment.database_url(tenant, owner).replace(
            "postgresql://", "postgres://"
        )
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute(
                "INSERT INTO notes (title, body, archived, created_by, created_at,"
                " updated_at) SELECT 'note ' || n, 'body of note ' || n, false,"
                " 'teacher-1', now(), now() FROM generate_series(1, %s) AS n",
                (NOTES_PER_TENANT,),
            )
            conn.execute("CREATE TABLE notes_unaudited (LIKE notes INCLUDING ALL)")
            conn.execute(
                f'GRANT SELECT, INSERT ON notes_unaudited TO "{deployment.runtime_role}"'
            )
            conn.execute("ANALYZE")


@contextmanager
def deployed() -> Iterator[Deployment]:
    """Bake, provision two tenants and seed them; drop everything afterwards."""
    run = uuid.uuid4().hex[:8]
    owner, runtime = f"perf_owner_{run}", f"perf_runtime_{run}"
    template = f"postgresql://{{user}}@127.0.0.1:5432/perf_{run}_{{tenant}}"
    with tempfile.TemporaryDirectory(prefix="perf-stamped-") as workdir:
        root = bake(Path(workdir))
        instance = Path(workdir) / "instance"
        instance.mkdir()
        deployment = Deployment(
            root, instance, runtime, template, secrets.token_urlsafe(48)
        )
        with _admin() as conn:
            conn.execute(f'CREATE ROLE "{owner}" LOGIN CREATEDB CREATEROLE')
        try:
            owner_env = deployment.env(
                TENANT_DATABASE_URL=template.replace("{user}", owner)
            )
            provision(PACKAGE, owner_env, TENANTS, root=root)
            seed(deployment, owner)
            yield deployment
        finally:
            with _admin() as conn:
                for tenant in TENANTS:
                    name = f"perf_{run}_{tenant}"
                    conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
                for role in (runtime, owner):
                    conn.execute(f'DROP ROLE IF EXISTS "{role}"')


def served_command(workers: int, port: int) -> list[str]:
    """Return the production entry point's command line (satchel-serve runs granian)."""
    bin_dir = Path(sys.executable).parent
    return [
        str(bin_dir / "satchel-serve"),
        f"{PACKAGE}.wsgi:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--workers",
        str(workers),
        "--drain-seconds",
        "0",
    ]
