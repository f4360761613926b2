"""satchel-tenancy: no engine or session outside the tenancy API, no default tenant."""

from __future__ import annotations

from pathlib import Path

import pytest

from hooks.tenancy import check_file, main
from hooks.waivers import drop_waived
from tests.hooks.conftest import write

FIX = "(fix: use satchel.tenancy.session() for the current tenant's unit of work)"
DEFAULT_FIX = (
    "(fix: remove it; an unknown host is answered 404 by satchel.tenancy, never sent to a "
    "default database)"
)

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
        class Config:
            def __init__(self, tenant_default=None):
                self.default_tenant = tenant_default

        with make_engine().begin() as connection:
            pass
        """,
        [
            f"app.py:2: SAT-TEN-002 default tenant setting tenant_default: a request without a "
            f"known tenant must fail {DEFAULT_FIX}",
            f"app.py:3: SAT-TEN-002 default tenant setting default_tenant: a request without a "
            f"known tenant must fail {DEFAULT_FIX}",
            f"app.py:5: SAT-TEN-001 make_engine.begin() outside the tenancy API {FIX}",
        ],
        id="arguments-attributes-and-engine-from-a-call",
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
