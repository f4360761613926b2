"""Cost per mocked call: the in-process transport vs a plain ``responses`` registration.

Both answer ``GET /pets/1`` of the test petstore with the same bytes, in the same process and
run; the figure that matters is the ratio (the plugin's routing, validation, journal and
fault check against a canned response). Run: ``.venv/bin/python bench/mock/inprocess.py``.
"""

from __future__ import annotations

import argparse
import statistics
import socket
import sys
import tempfile
import time
from pathlib import Path

import requests
import responses

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

# Both imports come after the path set-up above (hence E402).
from mockserver.cli.pin import pin_digests  # noqa: E402
from mockserver.harness.inprocess import InProcessMocks  # noqa: E402

PETSTORE = ROOT / "tests" / "resources" / "mockserver" / "petstore.yaml"


def free_port() -> int:
    """Return a TCP port nobody listens on (only used to build a URL)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def per_call(session: requests.Session, url: str, calls: int) -> float:
    """Return the mean seconds per ``GET url`` over ``calls`` calls."""
    started = time.perf_counter()
    for _ in range(calls):
        session.get(url, timeout=5).content
    return (time.perf_counter() - started) / calls


def main(argv: list[str] | None = None) -> int:
    """Measure both transports; print microseconds per call and the ratio."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=1000, help="calls per round")
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    port = free_port()
    url = f"http://127.0.0.1:{port}/pets/1"
    with tempfile.TemporaryDirectory() as folder:
        config = Path(folder) / "mocks.yaml"
        config.write_text(
            f"neighbours:\n  pets:\n    spec: {PETSTORE}\n    port: {port}\n"
        )
        pin_digests(config)
        mocks = InProcessMocks.from_config(config)
    session = requests.Session()
    with mocks:
        answer = session.get(url, timeout=5)
    plain = responses.RequestsMock()
    plain.add(
        responses.GET,
        url,
        body=answer.content,
        status=answer.status_code,
        headers={
            k: v for k, v in answer.headers.items() if k.lower() != "content-type"
        },
        content_type=answer.headers["content-type"],
    )
    # Alternating rounds, median of each: the machine is shared, so noise hits both alike.
    plugin_rounds, plain_rounds = [], []
    for _ in range(args.rounds):
        for registry, rounds in ((mocks, plugin_rounds), (plain, plain_rounds)):
            registry.start()
            per_call(session, url, 100)  # warm up
            rounds.append(per_call(session, url, args.calls))
            registry.stop()
    plugin = statistics.median(plugin_rounds)
    baseline = statistics.median(plain_rounds)
    print(f"{args.rounds} alternating rounds of {args.calls} calls; medians:")
    print(f"plain responses.add:        {baseline * 1e6:8.1f} us/call")
    print(f"satchel in-process plugin:  {plugin * 1e6:8.1f} us/call")
    print(f"ratio (plugin / plain):     {plugin / baseline:8.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
