"""Time `pre-commit run --all-files` on the fixture service once hook environments exist.

The issue's goal: under 3 s on a fresh service. Prints the median of N runs, and as baselines
measured in the same run, the median of the same run without hadolint (`SKIP=hadolint`: what
the hadolint hook adds), of Black alone and of `git status` (the cheapest git command a hook
run does), so the figure can be read on any machine.

    .venv/bin/python bench/hooks/run.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))


def _median_seconds(
    command: list[str], cwd: Path, env: dict[str, str], runs: int
) -> float:
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        done = subprocess.run(command, cwd=cwd, env=env, capture_output=True, text=True)
        times.append(time.perf_counter() - start)
        if done.returncode != 0:
            raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout}{done.stderr}")
    return statistics.median(times)


def main() -> int:
    """Build the hook repository and service, warm the environments, time the runs."""
    # The end-to-end test's helpers build the hook repository and the service the same way.
    from tests.hooks.test_pre_commit_e2e import bake_service, make_env, make_hook_repo

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        env = make_env(Path(tmp) / "pre-commit-home")
        repo = Path(tmp) / "hook-repo"
        repo.mkdir()
        service = bake_service(
            Path(tmp) / "students", repo, make_hook_repo(repo, env), env
        )
        pre_commit = [sys.executable, "-m", "pre_commit", "run", "--all-files"]
        hooks = _median_seconds(pre_commit, service, env, args.runs)
        skip = {**env, "SKIP": "hadolint"}
        without = _median_seconds(pre_commit, service, skip, args.runs)
        black = _median_seconds(
            [*pre_commit[:-1], "black", "--all-files"], service, env, args.runs
        )
        git = _median_seconds(["git", "status", "--short"], service, env, args.runs)
    print(
        f"pre-commit run --all-files (Black, hadolint + 10 satchel hooks): median "
        f"{hooks:.2f} s over {args.runs} runs (goal < 3 s)"
    )
    print(
        f"baseline, the same without hadolint (SKIP=hadolint): median {without:.2f} s "
        f"-> hadolint adds {hooks - without:.2f} s ({hooks / without:.2f}x)"
    )
    print(
        f"baseline, pre-commit running Black alone: median {black:.2f} s "
        f"-> all hooks cost {hooks / black:.1f}x Black alone"
    )
    print(f"baseline, git status: median {git:.3f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
