"""satchel-tenancy: no engine or session outside the tenancy API, no default tenant."""

from __future__ import annotations

from pathlib import Path

import pytest

from hooks.tenancy import check_file, collect, collect_review, main
from hooks.waivers import drop_waived
from tests.hooks.conftest import write

FIX = "(fix: use satchel.tenancy.session() for the current tenant's unit of work)"
DEFAULT_FIX = (
    "(fix: remove it; an unknown host is answered 404 by satchel.tenancy, never sent to a "
    "default database)"
)
PAYLOAD = "takes the tenant from the request's data"
PAYLOAD_FIX = (
    "(fix: use the tenant satchel.tenancy resolved from the host: tenancy.session() inside "
    "the request, tenancy.current_tenant() to hand it to a job)"
)
JOBS = """
    from flask import request
    from satchel import tenancy

    def nightly(tenant):
        with tenancy.tenant_scope(tenant):
            pass
        current = tenancy.current_tenant()
        with tenancy.tenant_scope(current), tenancy.tenant_scope("school-a"):
            pass

    def from_host():
        with tenancy.tenant_scope(tenant_of(request)):
            pass
    """

CASES = [
    pytest.param(
        "app.py",
        """
        import requests
        from satchel import tenancy

        def notes():
            http = requests.Session()
            return tenancy.session().execute("select 1"), http
        """,
        [],
        id="clean-tenancy-session-and-requests-session",
    ),
    pytest.param(
        "app.py",
        """
        from sqlalchemy import create_engine
        from sqlalchemy.orm import Session, sessionmaker as make

        engine = create_engine("postgresql://localhost/school_1")
        factory = make(bind=engine)
        session = Session(engine)
        """,
        [
            f"app.py:4: SAT-TEN-001 create_engine() outside the tenancy API {FIX}",
            f"app.py:5: SAT-TEN-001 sessionmaker() outside the tenancy API {FIX}",
            f"app.py:6: SAT-TEN-001 Session() outside the tenancy API {FIX}",
        ],
        id="engine-and-sessions-from-imports",
    ),
    pytest.param(
        "app.py",
        """
        import sqlalchemy as sa
        import sqlalchemy.orm

        engine = sa.create_engine("sqlite://")
        scoped = sqlalchemy.orm.scoped_session(None)
        with engine.connect() as connection:
            pass
        """,
        [
            f"app.py:4: SAT-TEN-001 create_engine() outside the tenancy API {FIX}",
            f"app.py:5: SAT-TEN-001 scoped_session() outside the tenancy API {FIX}",
            f"app.py:6: SAT-TEN-001 engine.connect() outside the tenancy API {FIX}",
        ],
        id="module-attributes-and-engine-connect",
    ),
    pytest.param(
        "app.py",
        """
        from sqlalchemy import create_engine

        # satchel: allow SAT-TEN-001 -- the control-plane registry is not a tenant database
        registry = create_engine("postgresql://localhost/control")
        """,
        [],
        id="waived",
    ),
    pytest.param(
        "settings.py",
        """
        import os
        from dataclasses import dataclass

        @dataclass(frozen=True)
        class Settings:
            default_tenant: str = "demo"

        FALLBACK = os.environ.get("STUDENTS_DEFAULT_TENANT")
        """,
        [
            f"settings.py:6: SAT-TEN-002 default tenant setting default_tenant: a request "
            f"without a known tenant must fail {DEFAULT_FIX}",
            f"settings.py:8: SAT-TEN-002 default tenant setting STUDENTS_DEFAULT_TENANT: a "
            f"request without a known tenant must fail {DEFAULT_FIX}",
        ],
        id="default-tenant-python",
    ),
    pytest.param(
        "app.py",
        """
        from sqlalchemy import create_engine
        from sqlalchemy.engine import Engine

        class Config:
            def __init__(self, tenant_default=None):
                self.default_tenant = tenant_default
                self.engine = create_engine("sqlite://")

            def ping(self, engine: Engine):
                with self.engine.begin(), engine.connect():
                    pass
        """,
        [
            f"app.py:5: SAT-TEN-002 default tenant setting tenant_default: a request without a "
            f"known tenant must fail {DEFAULT_FIX}",
            f"app.py:6: SAT-TEN-002 default tenant setting default_tenant: a request without a "
            f"known tenant must fail {DEFAULT_FIX}",
            f"app.py:7: SAT-TEN-001 create_engine() outside the tenancy API {FIX}",
            f"app.py:10: SAT-TEN-001 engine.connect() outside the tenancy API {FIX}",
            f"app.py:10: SAT-TEN-001 self.engine.begin() outside the tenancy API {FIX}",
        ],
        id="engines-by-assignment-and-annotation",
    ),
    pytest.param(
        "db.py",
        """
        import psycopg as pg
        import psycopg2.pool
        import sqlite3
        from asyncpg import create_pool
        from flask_sqlalchemy import SQLAlchemy
        from psycopg import connect
        from pymysql import connect as mysql_connect

        a = pg.connect("dbname=school_1")
        b = connect("dbname=school_2")
        c = pg.AsyncConnection.connect("dbname=school_3")
        d = psycopg2.pool.ThreadedConnectionPool(1, 2)
        e = sqlite3.connect("instance/school.db")
        f = create_pool("postgresql://localhost/school_4")
        g = mysql_connect(host="localhost")
        db = SQLAlchemy()
        """,
        [
            f"db.py:9: SAT-TEN-001 psycopg.connect() outside the tenancy API {FIX}",
            f"db.py:10: SAT-TEN-001 psycopg.connect() outside the tenancy API {FIX}",
            f"db.py:11: SAT-TEN-001 psycopg.AsyncConnection.connect() outside the tenancy API "
            f"{FIX}",
            f"db.py:12: SAT-TEN-001 psycopg2.pool.ThreadedConnectionPool() outside the tenancy "
            f"API {FIX}",
            f"db.py:13: SAT-TEN-001 sqlite3.connect() outside the tenancy API {FIX}",
            f"db.py:14: SAT-TEN-001 asyncpg.create_pool() outside the tenancy API {FIX}",
            f"db.py:15: SAT-TEN-001 pymysql.connect() outside the tenancy API {FIX}",
            f"db.py:16: SAT-TEN-001 flask_sqlalchemy.SQLAlchemy() outside the tenancy API {FIX}",
        ],
        id="database-drivers-through-any-import",
    ),
    pytest.param(
        "rules.py",
        """
        from dataclasses import dataclass

        from .engine import rules_engine, make_engine

        @dataclass
        class Settings:
            tenant_default_locale: str = "en-GB"
            default_tenant_locale: str = "en-GB"

        def evaluate(connect, engine):
            rules_engine.connect()
            make_engine().begin()
            engine.connect()
            return connect()
        """,
        [],
        id="clean-objects-named-like-engines-and-tenant-defaults-of-other-things",
    ),
    pytest.param(
        "students/api/notes.py",
        """
        from flask import request
        from satchel import tenancy
        from satchel.tenancy import tenant_scope

        @tenancy.job
        def reindex(tenant_id, note_id):
            pass

        def create_note(body):
            with tenant_scope(body["tenant"]):
                pass
            school = request.args.get("school")
            tenancy.run_in_tenant(school, print)
            reindex(request.headers["X-Tenant"], 1)

        def archive_note(note_id, tenant=None):
            with tenancy.tenant_scope(tenant or tenancy.current_tenant()):
                pass
        """,
        [
            f"students/api/notes.py:10: SAT-TEN-003 tenant_scope(body['tenant']) {PAYLOAD} "
            f"(parameter body of handler create_note()) {PAYLOAD_FIX}",
            f"students/api/notes.py:13: SAT-TEN-003 tenancy.run_in_tenant(school, ...) "
            f"{PAYLOAD} (request.args) {PAYLOAD_FIX}",
            f"students/api/notes.py:14: SAT-TEN-003 reindex(request.headers['X-Tenant'], ...) "
            f"{PAYLOAD} (request.headers) {PAYLOAD_FIX}",
            f"students/api/notes.py:17: SAT-TEN-003 tenancy.tenant_scope(tenant or "
            f"tenancy.current_tenant()) {PAYLOAD} (parameter tenant of handler archive_note()) "
            f"{PAYLOAD_FIX}",
        ],
        id="tenant-from-the-payload",
    ),
    pytest.param(
        "students/jobs.py",
        JOBS,
        [],
        id="clean-tenant-from-the-caller-the-scope-or-a-literal",
    ),
    pytest.param(
        ".env",
        """
        STUDENTS_DATABASE_URL=sqlite:///instance
        export STUDENTS_DEFAULT_TENANT=demo
        """,
        [
            f".env:2: SAT-TEN-002 default tenant setting STUDENTS_DEFAULT_TENANT: a request "
            f"without a known tenant must fail {DEFAULT_FIX}",
        ],
        id="default-tenant-env-file",
    ),
    pytest.param(
        "config.yaml",
        "tenancy:\n  tenant-default: demo\n  registry: file://instance/tenants.yaml\n",
        [
            f"config.yaml:2: SAT-TEN-002 default tenant setting tenant-default: a request "
            f"without a known tenant must fail {DEFAULT_FIX}",
        ],
        id="default-tenant-yaml",
    ),
]


@pytest.mark.parametrize(("name", "source", "expected"), CASES)
def test_check_file(workdir: Path, name: str, source: str, expected: list[str]) -> None:
    """The check function returns exactly the expected findings (after waivers)."""
    write(workdir, {name: source})
    assert [str(f) for f in drop_waived(check_file(Path(name)))] == expected


@pytest.mark.parametrize(("name", "source", "expected"), CASES)
def test_main(
    workdir: Path, run_main, name: str, source: str, expected: list[str]
) -> None:
    """main prints the findings and exits 1 on findings, 0 when clean."""
    write(workdir, {name: source})
    code, out, err = run_main(main, [name])
    assert (code, out.splitlines(), err) == (1 if expected else 0, expected, "")


def test_untraceable_tenant_is_listed_for_review(workdir: Path) -> None:
    """A tenant from a function's caller is no finding, but satchel-standards lists it."""
    write(workdir, {"students/jobs.py": JOBS})
    assert collect(["students/jobs.py"]) == []
    assert [str(f) for f in collect_review(["students/jobs.py"])] == [
        "students/jobs.py:5: SAT-TEN-003 tenancy.tenant_scope(tenant): the tenant is "
        "parameter tenant of nightly(), chosen by its callers (fix: check that no caller "
        "takes this tenant from a request's body, query or headers)",
        "students/jobs.py:12: SAT-TEN-003 tenancy.tenant_scope(tenant_of(request)): the "
        "tenant comes from tenant_of(request) in from_host(), which the hook cannot trace "
        "(fix: check that no caller takes this tenant from a request's body, query or "
        "headers)",
    ]
