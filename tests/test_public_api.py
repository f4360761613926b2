"""satchel's public modules all import, and importing satchel alone loads none of them."""

import subprocess
import sys

import pytest

import satchel


@pytest.mark.parametrize("name", satchel.MODULES)
def test_public_module_imports(name):
    """Every module named in satchel.__all__ is importable through the package."""
    assert getattr(satchel, name).__name__ == f"satchel.{name}"


def test_importing_satchel_is_cheap():
    """`import satchel` pulls in neither Flask nor SQLAlchemy (hooks and CLIs stay fast)."""
    code = "import sys, satchel; print('flask' in sys.modules, 'sqlalchemy' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.stdout.split() == ["False", "False"], done.stderr
