"""Cache keys and jobs carry the tenant by construction; work without one fails loudly."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest
import sqlalchemy as sa

from satchel import tenancy
from satchel.tenancy import NoTenantError, TenancyError, cache_key, job, run_in_tenant
from tests.tenancy.sqlite_estate import sqlite_tenancy
from tests.tenancy.support import make_app

NO_TENANT = (
    "no tenant in scope: tenant-scoped keys and jobs need one; run inside a tenant"
    " request or tenancy.tenant_scope('<tenant>'), or pass the tenant explicitly"
)


@job
def count_notes() -> tuple[str, int]:
    """A background job: how many notes does the tenant have?"""
    total = tenancy.session().execute(sa.text("SELECT count(*) FROM notes")).scalar()
    return tenancy.current_tenant(), total


def test_cache_key_is_prefixed_with_the_tenant(tmp_path):
    """Inside a tenant scope every key starts with tenant:<id>."""
    runtime = sqlite_tenancy(tmp_path, tenants=("a",))
    with tenancy.tenant_scope("a", tenancy=runtime):
        assert cache_key("students", 42) == "tenant:a:students:42"
    runtime.close()


@pytest.mark.parametrize(
    ("call", "error", "message"),
    [
        (lambda: cache_key("students", 1), NoTenantError, NO_TENANT),
        (
            lambda: cache_key(),
            ValueError,
            "cache_key() needs at least one part, e.g. cache_key('students', 42)",
        ),
        (lambda: tenancy.current_tenant(), NoTenantError, NO_TENANT),
    ],
    ids=["key outside scope", "key without parts", "current tenant outside scope"],
)
def test_tenant_scoped_helpers_fail_without_a_tenant(call, error, message):
    """Outside any tenant, tenant-scoped helpers raise instead of using a default."""
    with pytest.raises(error) as caught:
        call()
    assert str(caught.value) == message


def test_job_runs_for_the_named_tenant_only(tmp_path):
    """job(tenant, ...) runs in that tenant's database."""
    app = make_app(
        f"file://{tmp_path}/tenants.yaml",
        database_url_template=f"sqlite:///{tmp_path}/{{tenant}}.db",
    )
    runtime = app.extensions["satchel.tenancy"]
    tenancy.create_tenant(runtime, "a")
    tenancy.create_tenant(runtime, "b")
    run_in_tenant(
        "a",
        lambda: tenancy.session().execute(
            sa.text("INSERT INTO notes (body) VALUES ('x')")
        ),
        tenancy=runtime,
    )
    with app.app_context():
        assert count_notes("a") == ("a", 1)
        assert count_notes("b") == ("b", 0)
    runtime.close()


def test_bound_job_carries_tenant_and_runtime_into_another_thread(tmp_path):
    """bind() captures the tenant in scope; the job then runs anywhere, e.g. a thread pool."""
    runtime = sqlite_tenancy(tmp_path, tenants=("a", "b"))
    with tenancy.tenant_scope("b", tenancy=runtime):
        bound = tenancy.TenantJob(count_notes.fn, runtime).bind()
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(bound).result() == ("b", 0)
        with pytest.raises(NoTenantError):
            pool.submit(cache_key, "x").result()  # threads do not inherit a tenant
    runtime.close()


@pytest.mark.parametrize("tenant", [None, ""], ids=["none", "empty"])
def test_job_without_a_tenant_fails_loudly(tenant):
    """A job must name its tenant; None or empty is an error, never a default."""
    with pytest.raises(NoTenantError) as caught:
        count_notes(tenant)
    assert str(caught.value).startswith("'count_notes' was run without a tenant;")


def test_bind_outside_a_tenant_fails(tmp_path):
    """Binding a job captures the current tenant, so there must be one."""
    runtime = sqlite_tenancy(tmp_path, tenants=())
    with pytest.raises(NoTenantError):
        tenancy.TenantJob(count_notes.fn, runtime).bind()


def test_tenant_scope_without_a_runtime_explains_itself():
    """Outside an app context and without tenancy=, the error says how to fix it."""
    with pytest.raises(TenancyError) as caught:
        run_in_tenant("a", lambda: None)
    assert str(caught.value) == (
        "no tenancy runtime here: call satchel.tenancy.init_app(app, ...) and run inside the"
        " app context, or pass tenancy=<Tenancy> explicitly"
    )
