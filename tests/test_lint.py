"""The kit's own code is Black-formatted and flake8-clean (what its pre-commit hooks check)."""

import subprocess

from tests.kit import BIN, KIT


def test_black():
    """Black would change nothing."""
    result = subprocess.run(
        [BIN / "black", "--check", "--quiet", "."],
        cwd=KIT,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stderr


def test_flake8():
    """flake8 finds nothing."""
    result = subprocess.run([BIN / "flake8"], cwd=KIT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
