"""A stamp with a neighbour (attendance calling students), baked once for the deploy tests."""

from __future__ import annotations

import subprocess

import pytest

from tests.kit import BIN, KIT, tool_env


@pytest.fixture(scope="session")
def service(kit_repo, tmp_path_factory):
    """Bake attendance with students as its neighbour, as the examples are made."""
    out = tmp_path_factory.mktemp("deploy-bake")
    spec = KIT / "examples" / "students" / "spec" / "openapi.yaml"
    subprocess.run(
        [BIN / "cookiecutter", str(kit_repo), "--directory", "template", "--no-input"]
        + [
            "--output-dir",
            str(out),
            "service_name=Attendance",
            f"neighbours=students={spec}",
        ],
        check=True,
        env=tool_env(SATCHEL_SKIP_HOOK_INSTALL="1"),
        capture_output=True,
    )
    return out / "attendance"
