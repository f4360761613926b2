"""Fixtures for the example services run as real processes (see examples/running.py)."""

from __future__ import annotations

import pytest
import requests

from examples.running import (
    free_port,
    mocked_students,
    provision,
    service,
    service_env,
)
from satchel.testing import bearer, make_token

DEV_JWT_KEY = "dev-only-jwt-key-change-me-0123456789"
ISSUER = "https://auth.satchel.localhost"


def auth_headers(audience: str, tenant: str) -> dict[str, str]:
    """Return a token for a teacher of ``tenant``, signed with the services' development key."""
    token = make_token(
        DEV_JWT_KEY,
        issuer=ISSUER,
        audience=audience,
        subject=f"teacher-{tenant}",
        tenant=tenant,
    )
    return bearer(token)


@pytest.fixture(scope="module")
def real_students(tmp_path_factory):
    """Run the real students service with tenant school-a holding class 4B (Ada, Alan)."""
    env = service_env("students", tmp_path_factory.mktemp("students"))
    provision("students", env, ("school-a",))
    with service("students", env, free_port()) as url:
        headers = {
            "Host": "school-a.students.localhost",
            **auth_headers("students", "school-a"),
        }
        created = requests.post(
            f"{url}/v1/classes",
            json={"name": "4B", "year_group": 4},
            headers=headers,
            timeout=5,
        )
        assert created.status_code == 201, created.text
        for given, family in (("Ada", "Lovelace"), ("Alan", "Turing")):
            added = requests.post(
                f"{url}/v1/classes/{created.json()['id']}/pupils",
                json={"given_name": given, "family_name": family},
                headers=headers,
                timeout=5,
            )
            assert added.status_code == 201, added.text
        yield url


@pytest.fixture(scope="module")
def students_mock():
    """Run the students mock from attendance's vendored spec and overlay."""
    with mocked_students(free_port()) as url:
        yield url
