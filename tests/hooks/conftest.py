"""Fixtures for the hook tests: a working folder, files written into it, main() run in it."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Callable
from pathlib import Path

import pytest

RESOURCES = Path(__file__).resolve().parents[1] / "resources" / "hooks"
SERVICE = RESOURCES / "service"


@pytest.fixture
def workdir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Return an empty folder that is the current directory, so findings show relative paths."""
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def service(workdir: Path) -> Path:
    """Return a copy of the clean fixture service as the current directory."""
    shutil.copytree(SERVICE, workdir, dirs_exist_ok=True)
    return workdir


def write(root: Path, files: dict[str, str | bytes]) -> None:
    """Write files (dedented text, or raw bytes) under root."""
    for name, content in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"))


@pytest.fixture
def run_main(capsys: pytest.CaptureFixture[str]) -> Callable[..., tuple[int, str, str]]:
    """Return a runner: main(argv) -> (exit code, stdout, stderr)."""

    def run(main: Callable[[list[str]], int], argv: list[str]) -> tuple[int, str, str]:
        code = main(argv)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
