"""Bad fleet input exits 2 with one clear line per problem: where, what, how to fix it."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner

from satchel_kit.cli import main
from tests.kit import tool_env


def report(fleet_file: Path):
    return CliRunner().invoke(main, ["fleet", str(fleet_file)])


@pytest.fixture
def not_a_stamp(tmp_path) -> Path:
    """Return a git repository that was never stamped from the template."""
    folder = tmp_path / "plain"
    folder.mkdir()
    subprocess.run(["git", "init", "--quiet"], cwd=folder, check=True, env=tool_env())
    return folder


CASES = {
    "yaml-error": (
        "services:\n  - a\n policy: {{}}\n",
        ["error: {file}:3: not valid YAML"],
    ),
    "unknown-keys": (
        "services: [plain]\npolcy: {{}}\n",
        [
            "error: {file}:2: unknown key 'polcy' in the fleet file (did you mean"
            " 'policy'?); expected one of kit, cache, services, policy"
        ],
    ),
    "unknown-policy": (
        "services: [plain]\npolicy:\n  max_releases_behind: 1\n  max_drift: 3\n",
        ["error: {file}:4: unknown key 'max_drift' in policy"],
    ),
    "bad-limit": (
        "services: [plain]\npolicy:\n  max_releases_behind: two\n",
        [
            "error: {file}:3: policy max_releases_behind must be a whole number >= 0, not 'two'"
        ],
    ),
    "every-problem-at-once": (
        "services:\n  - plain\n  - nowhere\n",
        [
            "error: {file}:2: service 'plain': {tmp}/plain is not a Satchel stamp",
            "error: {file}:3: service 'nowhere': no folder at {tmp}/nowhere; correct the path",
        ],
    ),
    "not-a-stamp": (
        "services:\n  - path: plain\n",
        [
            "error: {file}:2: service 'plain': {tmp}/plain is not a Satchel stamp (no .cruft.json)"
        ],
    ),
    "unclonable": (
        "services:\n  - git: file://{tmp}/gone.git\n",
        ["error: {file}:2: service 'gone': cannot clone file://{tmp}/gone.git ("],
    ),
    "no-services": (
        "policy: {{}}\n",
        ["error: {file}:1: 'services' must be a non-empty list"],
    ),
}


@pytest.mark.parametrize("text, starts", CASES.values(), ids=CASES.keys())
def test_bad_input_exits_2_saying_where(tmp_path, not_a_stamp, text, starts):
    """Each problem is one stderr line starting with file:line, and nothing on stdout."""
    fleet_file = tmp_path / "fleet.yaml"
    fleet_file.write_text(text.format(tmp=tmp_path))
    result = report(fleet_file)
    assert result.exit_code == 2, result.output
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    expected = [start.format(file=fleet_file, tmp=tmp_path) for start in starts]
    assert len(lines) == len(expected), result.stderr
    for line, start in zip(lines, expected):
        assert line.startswith(start), line


def test_a_missing_fleet_file_says_so(tmp_path):
    """A fleet file that does not exist is named, with exit 2."""
    result = report(tmp_path / "fleet.yaml")
    assert result.exit_code == 2
    assert result.stderr == (
        f"error: {tmp_path / 'fleet.yaml'}: cannot read the fleet file (No such file or"
        " directory); check the path\n"
    )
