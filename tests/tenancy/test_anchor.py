"""Relative registry and SQLite paths are taken from the app's root, not the working dir."""

from pathlib import Path

import pytest

from satchel.tenancy.web import anchor_url

ROOT = Path("/srv/students")


@pytest.mark.parametrize(
    "url, expected",
    [
        ("file://instance/tenants.yaml", "file:///srv/students/instance/tenants.yaml"),
        ("file:///etc/tenants.yaml", "file:///etc/tenants.yaml"),
        (
            "sqlite:///instance/t/{tenant}.db",
            "sqlite:////srv/students/instance/t/{tenant}.db",
        ),
        ("sqlite:////var/t/{tenant}.db", "sqlite:////var/t/{tenant}.db"),
        ("postgresql://pg/{tenant}", "postgresql://pg/{tenant}"),
    ],
    ids=[
        "relative-file",
        "absolute-file",
        "relative-sqlite",
        "absolute-sqlite",
        "postgres",
    ],
)
def test_anchor_url(url, expected):
    """Only relative file and SQLite paths change."""
    assert anchor_url(url, ROOT) == expected
