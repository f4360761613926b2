"""compose.yaml: the production topology on one machine, checked by structure.

Debian bookworm ships only docker-compose 1.29, which predates the Compose Specification's
build secrets this file uses, so it cannot run or validate it; these checks stand in for
`docker compose config` (Compose v2): every reference resolves, every backing service is
there, and the service is wired to PgBouncer, Redis and its neighbours' mocks.
"""

from __future__ import annotations

import yaml

from tests.kit import KIT


def compose(root):
    """Load a service's compose.yaml."""
    return yaml.safe_load((root / "compose.yaml").read_text())


def test_stack_has_the_production_topology(service):
    """Service, migration job, PostgreSQL, PgBouncer, Redis and the students mock."""
    services = compose(service)["services"]
    assert set(services) == {
        "attendance",
        "migrate",
        "postgres",
        "pgbouncer",
        "redis",
        "students-mock",
    }
    env = services["attendance"]["environment"]
    assert env["ATTENDANCE_TENANT_DB_POOLER"] == "pgbouncer"
    assert "@pgbouncer:6432/" in env["ATTENDANCE_TENANT_DATABASE_URL"]
    assert env["ATTENDANCE_FLAGS_STORE"] == "redis://redis:6379/0?prefix=attendance"
    assert env["ATTENDANCE_STUDENTS_URL"] == "http://students-mock:8000"
    assert services["pgbouncer"]["environment"]["POOL_MODE"] == "transaction"


def test_every_reference_resolves(service):
    """depends_on, build secrets and volumes name things the file defines; images are pinned."""
    document = compose(service)
    services = document["services"]
    for name, spec in services.items():
        for dependency in spec.get("depends_on", {}):
            assert dependency in services, f"{name} depends on unknown {dependency}"
        for secret in spec.get("build", {}).get("secrets", []):
            assert secret in document["secrets"]
        image = spec.get("image", "")
        assert ":" in image and not image.endswith(":latest"), f"{name}: {image}"
    assert set(document["volumes"]) == {"postgres-data"}
    assert document["secrets"]["satchel_index_url"] == {
        "environment": "SATCHEL_INDEX_URL"
    }


def test_a_service_without_neighbours_has_no_mocks():
    """students calls nobody: its stack has no mock containers."""
    services = compose(KIT / "examples" / "students")["services"]
    assert not [name for name in services if name.endswith("-mock")]
    assert "STUDENTS_TENANT_REGISTRY" in services["students"]["environment"]
