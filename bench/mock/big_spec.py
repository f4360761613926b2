"""Benchmark: how long a ~5 MB spec takes from ``satchel-mock serve`` to its first answer.

Run: .venv/bin/python bench/mock/big_spec.py [--megabytes 5]

The spec is the one bench/openapi_load.py generates. Prints the time to the first HTTP answer
of an operation deep in the spec, against two baselines measured in the same run: the same
command on the small petstore spec (process start + imports), and load_spec of the big spec in
this process. The budget is 2 s.
"""

from __future__ import annotations

import argparse
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
from openapi_load import generate_spec  # noqa: E402 - the spec core's own generator

from satchel.openapi import load_spec  # noqa: E402

PETSTORE = Path("/work/shared/bench-peers/specs/petstore.yaml")
_BUDGET = 2.0


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def time_to_first_answer(spec: Path, path: str) -> float:
    """Start ``satchel-mock serve SPEC`` and return seconds until ``path`` answers 200."""
    port = _free_port()
    started = time.perf_counter()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "mockserver.cli.main",
            "serve",
            str(spec),
            "--port",
            str(port),
            "--quiet",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        while True:
            try:
                response = requests.get(f"http://127.0.0.1:{port}{path}", timeout=5)
            except requests.ConnectionError:
                if process.poll() is not None:
                    raise SystemExit(f"satchel-mock exited with {process.returncode}")
                time.sleep(0.01)
                continue
            if response.status_code != 200:
                raise SystemExit(
                    f"{path} answered {response.status_code}: {response.text[:300]}"
                )
            return time.perf_counter() - started
    finally:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=30)


def main(argv: list[str] | None = None) -> int:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--megabytes", type=float, default=5.0)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as directory:
        spec = generate_spec(Path(directory), args.megabytes)
        operations = load_spec(spec).operations
        last = len(operations) // 4 - 1
        started = time.perf_counter()
        load_spec(spec)
        load = time.perf_counter() - started
        small = min(time_to_first_answer(PETSTORE, "/pets/1") for _ in range(2))
        big = min(
            time_to_first_answer(spec, f"/api/r{last}/items/42") for _ in range(2)
        )
    size = spec.stat().st_size if spec.exists() else args.megabytes * 1e6
    print(
        f"spec: {args.megabytes:.1f} MB requested ({size / 1e6:.1f} MB), {len(operations)} ops"
    )
    print(f"first answer, big spec:       {big:.2f} s  (budget {_BUDGET:.0f} s: "
          f"{'ok' if big < _BUDGET else 'OVER'})")  # fmt: skip
    print(f"first answer, petstore:       {small:.2f} s  (process start + imports)")
    print(f"load_spec in-process (big):   {load:.2f} s")
    print(f"ratio big / petstore = {big / small:.2f}; big - petstore - load_spec = "
          f"{big - small - load:.2f} s (the mock's own share)")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
