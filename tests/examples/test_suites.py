"""Each example service's own test suite passes, run from its folder as its team runs it.

The examples' suites live in ``examples/<service>/tests`` (each a ``tests`` package of its own),
so they run in their own pytest process rather than inside the kit's; attendance's runs offline
against the mocked students. PostgreSQL and Redis are the real local ones.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


@pytest.mark.parametrize("service", ["students", "attendance"])
def test_service_suite_passes(service):
    """`python -m pytest` in the service's folder passes with no failure or error."""
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"],
        cwd=EXAMPLES / service,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert done.returncode == 0, done.stdout[-5000:] + done.stderr[-2000:]
    assert " passed" in done.stdout and "failed" not in done.stdout
