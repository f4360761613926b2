"""A small embedded (SQLite) estate for tests that need tenants but not PostgreSQL."""

from __future__ import annotations

from pathlib import Path

from satchel.tenancy import EngineOptions, FileRegistry, Tenancy, create_tenant
from satchel.tenancy.runtime import TenancySettings
from tests.tenancy.support import MIGRATIONS


def sqlite_tenancy(root: Path, tenants=("a", "b", "c"), **engine_options) -> Tenancy:
    """Return a Tenancy over SQLite files in ``root`` with the given tenants provisioned."""
    settings = TenancySettings(
        script_location=MIGRATIONS,
        database_url_template=f"sqlite:///{root}/{{tenant}}.db",
        engine_options=EngineOptions(**engine_options),
    )
    tenancy = Tenancy(FileRegistry(root / "tenants.yaml"), settings)
    for tenant in tenants:
        create_tenant(tenancy, tenant)
    return tenancy
