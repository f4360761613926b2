"""Fixtures shared by the kit's test areas."""

from __future__ import annotations

import pytest

from tests.kit import snapshot_kit


@pytest.fixture(scope="session")
def kit_repo(tmp_path_factory: pytest.TempPathFactory):
    """Return a committed snapshot of the kit (see tests.kit.snapshot_kit)."""
    return snapshot_kit(tmp_path_factory.mktemp("kit"))
