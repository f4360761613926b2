"""Per-layer breakdown of a stamped service's request: microseconds spent in each layer.

Usage: ``.venv/bin/python bench/stamped/layers.py [--requests 2000]``

Stamps and provisions the service as ``run.py`` does, builds it in this process with the same
production settings, and serves prebuilt WSGI requests (no server, no wrk): first without a
profiler, for the CPU and wall time per request of the stamp and of the hand-written app;
then under cProfile, once with a CPU clock and once with a wall clock (which adds the
waits on PostgreSQL). Each layer's share of the profiled request is applied to the
unprofiled time, so the table reads in real microseconds per request; the profiler's own
overhead is spread evenly, which is an approximation.

Layers are attributed by their entry functions (cumulative time); the handler's time is
what is left of it after the tenancy, pool and audit work it triggers, and "Flask, Werkzeug
and glue" is the rest of the request.
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import inprocess  # noqa: E402
from deployment import deployed  # noqa: E402

#: Layer -> entry functions, as (path suffix, function name) pairs.
LAYERS = {
    "routing (URL map)": [("werkzeug/routing/map.py", "match")],
    "request id scope": [
        ("satchel/request_id.py", "accept_or_generate"),
        ("structlog/contextvars.py", "clear_contextvars"),
    ],
    "Flask cookie session": [
        ("flask/sessions.py", "open_session"),
        ("flask/sessions.py", "save_session"),
    ],
    "auth (bearer JWT)": [("satchel/auth.py", "authenticate")],
    "validation (spec)": [
        ("satchel/openapi/request.py", "__call__"),
        ("satchel/api/storable.py", "check_storable"),
    ],
    "tenancy: resolution": [("satchel/tenancy/runtime.py", "resolve_host")],
    "tenancy: unit and session": [
        ("satchel/tenancy/unit.py", "enter_unit"),
        ("satchel/tenancy/unit.py", "exit_unit"),
        ("satchel/tenancy/unit.py", "session"),
        ("satchel/tenancy/unit.py", "get_bind"),
    ],
    "tenancy: pool checkout": [("sqlalchemy/pool/base.py", "_checkout")],
    "of which pre-ping": [
        ("sqlalchemy/engine/default.py", "_do_ping_w_event"),
        ("satchel/tenancy/liveness.py", "ping_if_idle"),
    ],
    # Queueing the stamp; the pipeline's sync is the write's own round trip (handler).
    "audit stamping": [
        ("satchel/audit/stamping.py", "_stamp_before_write"),
        ("satchel/audit/stamping.py", "_stamp_in_pipeline"),
    ],
    "flags": [
        ("satchel/flags/extension.py", "pin_flag_snapshot"),
        ("satchel/flags/extension.py", "release_flag_snapshot"),
    ],
    "access log": [("satchel/logs.py", "finish_request")],
    "metrics": [
        ("satchel/metrics.py", "observe"),
        ("prometheus_client/metrics.py", "inc"),
        ("prometheus_client/metrics.py", "dec"),
    ],
    "JSON rendering": [("satchel/api/responses.py", "to_response")],
    "commit": [("satchel/tenancy/web.py", "_commit")],
    "handler: ORM and query": [
        ("notebook/api/notes.py", "get_note"),
        ("notebook/api/notes.py", "create_note"),
    ],
}
#: Layers whose time is inside another layer's, subtracted from it.
NESTED = {
    "tenancy: pool checkout": ["of which pre-ping"],
    "handler: ORM and query": [
        "tenancy: unit and session",
        "tenancy: pool checkout",
        "of which pre-ping",
        "audit stamping",
    ],
}
TOTAL = ("flask/app.py", "__call__")
#: The hand-written app's layers, for comparison: its view does the whole unit of work.
HAND_LAYERS = {
    "routing (URL map)": [("werkzeug/routing/map.py", "match")],
    "view: session, ORM, query, commit/close": [
        ("stamped/hand_app.py", "get_note"),
        ("stamped/hand_app.py", "_create"),
    ],
}


def cumulative(stats: pstats.Stats, entries: list[tuple[str, str]]) -> float:
    """Return the cumulative seconds of the functions ``entries`` name."""
    total = 0.0
    for (path, _line, name), (_cc, _nc, _tt, ct, _callers) in stats.stats.items():
        if any(path.endswith(suffix) and name == fn for suffix, fn in entries):
            total += ct
    return total


def breakdown(stats: pstats.Stats) -> dict[str, float]:
    """Return each layer's share of the profiled request (nested layers subtracted)."""
    total = cumulative(stats, [TOTAL])
    raw = {layer: cumulative(stats, entries) for layer, entries in LAYERS.items()}
    # The unit's session is opened inside the handler only; exit_unit runs after it.
    inside_handler = dict(raw)
    inside_handler["tenancy: unit and session"] = cumulative(
        stats,
        [
            ("satchel/tenancy/unit.py", "session"),
            ("satchel/tenancy/unit.py", "get_bind"),
        ],
    )
    shares = {}
    for layer, seconds in raw.items():
        for nested in NESTED.get(layer, []):
            if nested == "of which pre-ping" and layer != "tenancy: pool checkout":
                continue  # already out of the pool checkout subtracted here
            source = inside_handler if layer.startswith("handler") else raw
            seconds -= source[nested]
        shares[layer] = seconds / total
    counted = sum(s for layer, s in shares.items() if layer != "of which pre-ping")
    shares["Flask, Werkzeug and glue"] = 1 - counted
    return shares


def hand_breakdown(stats: pstats.Stats) -> dict[str, float]:
    """Return the hand-written app's layer shares."""
    total = cumulative(stats, [TOTAL])
    shares = {
        layer: cumulative(stats, entries) / total
        for layer, entries in HAND_LAYERS.items()
    }
    shares["Flask, Werkzeug and glue"] = 1 - sum(shares.values())
    return shares


def profiled(app, requests: list[dict], clock) -> pstats.Stats:
    """Serve ``requests`` under cProfile with ``clock``; return the statistics."""
    profile = cProfile.Profile(clock)
    profile.enable()
    inprocess.drive(app, requests)
    profile.disable()
    return pstats.Stats(profile)


def main(argv: list[str] | None = None) -> int:
    """Measure, profile and print the per-layer table for reads and writes."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    args = parser.parse_args(argv)
    n = args.requests
    load_before = os.getloadavg()
    with deployed() as deployment, inprocess.new_workdir() as workdir:
        stamped, hand = inprocess.load_apps(deployment, Path(workdir))
        inprocess.same_json(stamped, hand, deployment)
        for scenario, (method, ours, theirs) in inprocess.SCENARIOS.items():

            def make(path: str, method: str = method) -> list[dict]:
                return inprocess.environs(deployment, method, path, n)

            for app, path in ((stamped, ours), (hand, theirs)):
                inprocess.drive(app, make(path)[: n // 5])  # warm caches and pools
            # Interleaved, best of three: other work on the machine only ever adds time.
            times = {"stamped": [], "hand-written": []}
            for _ in range(3):
                times["stamped"].append(inprocess.drive(stamped, make(ours)))
                times["hand-written"].append(inprocess.drive(hand, make(theirs)))
            wall = {k: min(t[0] for t in v) for k, v in times.items()}
            cpu = {k: min(t[1] for t in v) for k, v in times.items()}
            shares_cpu = breakdown(profiled(stamped, make(ours), time.process_time))
            shares_wall = breakdown(profiled(stamped, make(ours), time.perf_counter))
            print_table(
                scenario, method, ours, theirs, wall, cpu, shares_cpu, shares_wall
            )
            hand_cpu = hand_breakdown(profiled(hand, make(theirs), time.process_time))
            print("\nThe hand-written app, for comparison:\n")
            print("| layer | µs CPU |")
            print("|---|---:|")
            for layer, share in hand_cpu.items():
                print(f"| {layer} | {share * cpu['hand-written']:.0f} |")
    after = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    before = ", ".join(f"{value:.1f}" for value in load_before)
    print(f"Load average (1/5/15 min) before: {before}; after: {after}")
    return 0


def print_table(
    scenario, method, ours, theirs, wall, cpu, shares_cpu, shares_wall
) -> None:
    """Print one scenario's per-request times and per-layer table (markdown)."""
    print(f"\n### {scenario}: {method} {ours} (hand-written: {theirs})\n")
    print(
        f"per request, best of 3: stamped {cpu['stamped']:.0f} µs CPU /"
        f" {wall['stamped']:.0f} µs wall; hand-written {cpu['hand-written']:.0f} µs CPU /"
        f" {wall['hand-written']:.0f} µs wall; CPU ratio (hand/stamped)"
        f" {cpu['hand-written'] / cpu['stamped']:.2f}x\n"
    )
    print("| layer | µs CPU | µs wall (incl. PostgreSQL) |")
    print("|---|---:|---:|")
    for layer in shares_cpu:
        print(
            f"| {layer} | {shares_cpu[layer] * cpu['stamped']:.0f} |"
            f" {shares_wall[layer] * wall['stamped']:.0f} |"
        )


if __name__ == "__main__":
    sys.exit(main())
