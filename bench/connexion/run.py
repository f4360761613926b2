"""Connexion's own examples on Connexion 3 and on satchel's compat mode (one run, ratios).

Usage: ``.venv/bin/python bench/connexion/run.py [--duration 10] [--connections 16]``

Copies the vendored hello-world and SQLAlchemy examples (tests/connexion/examples) twice: as
published, served by Connexion 3's ``FlaskApp`` under uvicorn, and with the port's
app-construction edits (tests/connexion/ports.py), served by satchel under granian (WSGI).
One worker each. wrk measures ``POST /openapi/greeting/dave`` (hello world) and
``GET /openapi/pets/1`` (an in-memory SQLite row via the SQLAlchemy ORM). Servers are measured
in turn, ``--rounds`` times, and the median of each is reported, so a burst of load from
elsewhere on the machine hits both alike. Prints req/s, p50 and p99 per server, the ratio
satchel / Connexion, and whether the goals (>= 3x throughput, lower p99) hold.
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import ExitStack, contextmanager
from pathlib import Path

import requests

HERE = Path(__file__).parent
KIT = HERE.parent.parent
sys.path.insert(0, str(KIT))

from tests.connexion import ports  # noqa: E402 - after the kit path

_spec = importlib.util.spec_from_file_location(
    "service_run", HERE.parent / "service" / "run.py"
)
service_run = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(
    service_run
)  # free_port and wrk's latency units, as bench/service

# example -> (module, method, path, body): one request shape per example.
TARGETS = {
    "helloworld": ("hello", "POST", "/openapi/greeting/dave", "{}"),
    "sqlalchemy": ("app", "GET", "/openapi/pets/1", None),
}


@contextmanager
def server(command: list[str], cwd: Path, url: str, method: str, body: str | None):
    """Run a server subprocess until ``url`` answers 200; stop it afterwards."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(cwd), str(ports.SUPPORT), str(KIT)]),
    }
    process = subprocess.Popen(
        command, cwd=cwd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                answer = requests.request(
                    method, url, data=body, timeout=2, headers=_json(body)
                )
                if answer.status_code != 200:
                    raise RuntimeError(
                        f"{url} answered {answer.status_code}: {answer.text}"
                    )
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(
                        f"{command} did not start: {process.stderr.read().decode()[-2000:]}"
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        process.stderr.close()


def _json(body: str | None) -> dict[str, str]:
    return {"Content-Type": "application/json"} if body is not None else {}


def wrk_script(directory: Path, method: str, body: str | None) -> Path:
    """Write the wrk Lua script sending ``method`` with ``body``."""
    script = directory / f"{method.lower()}.lua"
    lines = [f'wrk.method = "{method}"']
    if body is not None:
        lines += [
            f"wrk.body = '{body}'",
            'wrk.headers["Content-Type"] = "application/json"',
        ]
    script.write_text("\n".join(lines) + "\n")
    return script


def measure(
    url: str, script: Path, duration: int, connections: int
) -> dict[str, float]:
    """Warm up, then measure ``url`` with wrk driven by ``script``; req/s, p50 and p99 in ms."""
    base = ["wrk", "-t2", f"-c{connections}", "--latency", "-s", str(script)]
    subprocess.run([*base, "-d2s", url], check=True, capture_output=True)
    output = subprocess.run(
        [*base, f"-d{duration}s", url], check=True, capture_output=True, text=True
    ).stdout
    if "Non-2xx" in output or "Socket errors" in output:
        raise RuntimeError(f"{url} answered errors under load:\n{output}")
    latency = service_run._latency_ms
    return {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": latency(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
        "p99": latency(re.search(r"99%\s+([\d.]+\w+)", output).group(1)),
    }


def main(argv: list[str] | None = None) -> int:
    """Start both servers per example, measure them in interleaved rounds, print the result."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--duration", type=int, default=10, help="seconds per measurement"
    )
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--rounds", type=int, default=3, help="measurements per server")
    args = parser.parse_args(argv)
    if shutil.which("wrk") is None:
        print("wrk is not installed: apt-get install -y wrk", file=sys.stderr)
        return 2
    granian = [sys.executable, "-m", "granian", "--interface", "wsgi", "--workers", "1"]
    granian += ["--host", "127.0.0.1", "--no-log"]
    uvicorn = [sys.executable, "-m", "uvicorn", "--workers", "1", "--host", "127.0.0.1"]
    uvicorn += ["--log-level", "warning", "--no-access-log"]
    results: dict[tuple[str, str], dict[str, float]] = {}
    met = True
    with tempfile.TemporaryDirectory(prefix="bench-connexion-") as scratch:
        root = Path(scratch)
        for example, (module, method, path, body) in TARGETS.items():
            script = wrk_script(root, method, body)
            servers = {
                "Connexion 3 / uvicorn": (uvicorn, False),
                "satchel compat / granian": (granian, True),
            }
            urls = {}
            with ExitStack() as running:
                for label, (command, ported) in servers.items():
                    directory = ports.copy_example(
                        example, root / f"{example}-{ported}", ported=ported
                    )
                    port = service_run.free_port()
                    url = f"http://127.0.0.1:{port}{path}"
                    full = [*command, "--port", str(port), f"{module}:app"]
                    running.enter_context(server(full, directory, url, method, body))
                    urls[label] = url
                samples: dict[str, list[dict[str, float]]] = {
                    label: [] for label in urls
                }
                for _ in range(args.rounds):
                    for label, url in urls.items():
                        samples[label].append(
                            measure(url, script, args.duration, args.connections)
                        )
            for label, runs in samples.items():
                results[(example, label)] = {
                    key: statistics.median(run[key] for run in runs) for key in runs[0]
                }
    print(
        f"one worker each, wrk -t2 -c{args.connections} -d{args.duration}s, "
        f"median of {args.rounds} interleaved rounds"
    )
    print(f"{'example':<12}{'server':<26}{'req/s':>10}{'p50 ms':>10}{'p99 ms':>10}")
    for (example, label), result in results.items():
        print(
            f"{example:<12}{label:<26}{result['rps']:>10.0f}"
            f"{result['p50']:>10.2f}{result['p99']:>10.2f}"
        )
    for example in TARGETS:
        theirs = results[(example, "Connexion 3 / uvicorn")]
        ours = results[(example, "satchel compat / granian")]
        ratio = ours["rps"] / theirs["rps"]
        ok = ratio >= 3 and ours["p99"] < theirs["p99"]
        met = met and ok
        print(
            f"{example}: satchel / Connexion 3 = {ratio:.2f}x req/s (goal >= 3), p99 "
            f"{ours['p99']:.2f} vs {theirs['p99']:.2f} ms (goal lower): "
            f"{'met' if ok else 'NOT met'}"
        )
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"Load average at the end (1/5/15 min): {load} on {os.cpu_count()} CPUs")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
