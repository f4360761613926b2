"""Run Black in check mode for the standards report (SAT-PY-001); pre-commit runs Black itself."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Sequence

from hooks.findings import Finding

WOULD_REFORMAT = re.compile(r"^would reformat (.+)$", re.MULTILINE)


def black_findings(paths: Sequence[str]) -> list[Finding] | None:
    """Return a finding per file Black would reformat; None if Black is not installed."""
    if not paths:
        return []
    result = subprocess.run(
        [sys.executable, "-m", "black", "--check", *paths],
        capture_output=True,
        text=True,
        check=False,
    )
    if "No module named black" in result.stderr:
        return None
    return [
        Finding(
            path,
            1,
            "SAT-PY-001",
            "file is not formatted with Black",
            f"run `black {path}`",
        )
        for path in WOULD_REFORMAT.findall(result.stderr)
    ]
