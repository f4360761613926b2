"""The bake installs the git hooks when pre-commit is at hand, and says so plainly when not."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from tests.kit import BIN, tool_env

# git, and nothing of the kit's virtualenv: pre-commit is not on this PATH.
GIT_ONLY = os.pathsep.join(
    sorted({str(Path(shutil.which("git")).parent), "/usr/bin", "/bin"})
)


def bake(cookiecutter: Path, kit_repo: Path, out: Path) -> subprocess.CompletedProcess:
    """Run a cookiecutter command line with PATH holding git but no pre-commit."""
    assert shutil.which("pre-commit", path=GIT_ONLY) is None
    return subprocess.run(
        [cookiecutter, str(kit_repo), "--directory", "template", "--no-input"]
        + ["--output-dir", str(out)],
        capture_output=True,
        text=True,
        env={**tool_env(), "PATH": GIT_ONLY},
        timeout=300,
    )


def test_hooks_installed_with_cookiecutters_python(kit_repo, tmp_path):
    """Without pre-commit on PATH, the pre-commit importable by cookiecutter's Python is used."""
    done = bake(BIN / "cookiecutter", kit_repo, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "students/.git/hooks/pre-commit").is_file()
    python = re.escape(str(BIN / "python"))
    installed = (
        rf"^The git hooks are installed \({python}[\d.]* -m pre_commit install\)\.$"
    )
    assert re.search(installed, done.stdout, re.MULTILINE), done.stdout


@pytest.fixture(scope="module")
def bare_cookiecutter(tmp_path_factory) -> Path:
    """Return a cookiecutter installed alone in a fresh virtualenv: no pre-commit there."""
    venv = tmp_path_factory.mktemp("bare-venv")
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pin = f"cookiecutter=={version('cookiecutter')}"
    install = [venv / "bin" / "python", "-m", "pip", "install", "--quiet", pin]
    subprocess.run(install, check=True, capture_output=True, timeout=600)
    return venv / "bin" / "cookiecutter"


def test_no_pre_commit_says_the_hooks_are_not_installed(
    kit_repo, tmp_path, bare_cookiecutter
):
    """Where pre-commit is nowhere, the bake succeeds and says how to install the hooks."""
    done = bake(bare_cookiecutter, kit_repo, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert not (tmp_path / "students/.git/hooks/pre-commit").exists()
    python = re.escape(str(bare_cookiecutter.parent / "python"))
    missing = (
        r"^NOTE: the git hooks are NOT installed: pre-commit is neither on PATH nor importable "
        rf"by {python}[\d.]*\. Install them in {re.escape(str(tmp_path / 'students'))} with "
        r"`pipenv install --dev && pipenv run pre-commit install`\.$"
    )
    assert re.search(missing, done.stdout, re.MULTILINE), done.stdout
    readme = (tmp_path / "students/README.md").read_text()
    assert "once installed in a clone: `pipenv run pre-commit install`" in readme
