"""The default bake installs from its lock, passes its own tests and its own hooks."""

from __future__ import annotations

import subprocess

import pytest

from tests.kit import BIN, tool_env


@pytest.fixture(scope="module")
def service(kit_repo, tmp_path_factory):
    """Bake the template with no input, as a newcomer would, with its git hooks installed."""
    out = tmp_path_factory.mktemp("bake")
    subprocess.run(
        [BIN / "cookiecutter", str(kit_repo), "--directory", "template", "--no-input"]
        + ["--output-dir", str(out)],
        check=True,
        env=tool_env(),
        capture_output=True,
    )
    return out / "students"


def run(command: list, cwd, **env: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        command,
        cwd=cwd,
        capture_output=True,
        text=True,
        env=tool_env(**env),
        timeout=900,
    )


def test_installs_from_lock_and_passes_its_tests(service):
    """`pipenv install --dev` then `pipenv run pytest` pass, against the real PostgreSQL."""
    env = {"PIPENV_VENV_IN_PROJECT": "1", "PIPENV_NOSPIN": "1", "PIPENV_YES": "1"}
    install = run([BIN / "pipenv", "install", "--dev", "--deploy"], service, **env)
    assert install.returncode == 0, install.stdout[-3000:] + install.stderr[-3000:]
    tests = run(
        [BIN / "pipenv", "run", "pytest", "-q", "-p", "no:cacheprovider"],
        service,
        **env,
    )
    assert tests.returncode == 0, tests.stdout[-5000:]
    assert " passed" in tests.stdout and "failed" not in tests.stdout


def test_passes_its_own_hooks(service, tmp_path_factory):
    """A fresh service passes `pre-commit run --all-files` with no findings."""
    home = str(tmp_path_factory.mktemp("pre-commit-home"))
    hooks = run(
        [BIN / "pre-commit", "run", "--all-files"], service, PRE_COMMIT_HOME=home
    )
    assert hooks.returncode == 0, hooks.stdout[-5000:] + hooks.stderr[-2000:]
    assert "satchel-spec" in hooks.stdout and "Failed" not in hooks.stdout
