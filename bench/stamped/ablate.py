"""What each platform layer really costs a request: the stamp with that layer taken out.

Usage: ``.venv/bin/python bench/stamped/ablate.py [--requests 2000] [--rounds 7]``

cProfile (``layers.py``) says where a request's time goes, but it charges every Python call
a little, so layers made of many small calls read high. This measures without a profiler:
the stamped service is built in this process as ``layers.py`` builds it, and for each layer
the same prebuilt requests are served with the layer in place and with it removed (hooks
taken off the app, listeners off the tenants' engines), alternating, ``--rounds`` times;
the layer's cost is the median difference in CPU µs per request. The hand-written app is
measured in the same rounds, so each line also says what the ratio would be without it.

Removing a layer here is a measurement, never a configuration: every layer stays in the
service (see README.md for why each is worth keeping).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from flask.sessions import NullSession, SessionInterface
from sqlalchemy import event

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import inprocess  # noqa: E402
from deployment import deployed  # noqa: E402


class _NoSessions(SessionInterface):
    """No cookie session at all: what an app without Flask sessions does."""

    def open_session(self, app, request):  # noqa: ANN001, D102
        return NullSession()

    def save_session(self, app, session, response) -> None:  # noqa: ANN001, D102
        return None


@contextmanager
def _without_hooks(app, *names: str) -> Iterator[None]:
    """Take the Flask hooks called ``names`` off ``app`` for the block."""
    removed = []
    for registry in (
        app.before_request_funcs,
        app.after_request_funcs,
        app.teardown_request_funcs,
    ):
        for funcs in registry.values():
            for index, func in reversed(list(enumerate(funcs))):
                if func.__name__ in names:
                    removed.append((funcs, index, funcs.pop(index)))
    if not removed:
        raise RuntimeError(f"no hook named {names} on the app: the stamp changed")
    try:
        yield
    finally:
        for funcs, index, func in reversed(removed):
            funcs.insert(index, func)


@contextmanager
def _without_metrics(app) -> Iterator[None]:
    """No duration histogram and no in-flight gauge (the WSGI wrapper unwrapped)."""
    wrapper = app.wsgi_app
    inner = wrapper.__closure__[
        [c for c in wrapper.__code__.co_freevars].index("inner")
    ]
    app.wsgi_app = inner.cell_contents
    try:
        with _without_hooks(app, "observe"):
            yield
    finally:
        app.wsgi_app = wrapper


@contextmanager
def _without_sessions(app) -> Iterator[None]:
    saved, app.session_interface = app.session_interface, _NoSessions()
    try:
        yield
    finally:
        app.session_interface = saved


@contextmanager
def _without_listeners(app, *names: str) -> Iterator[None]:
    """Take the engine listeners called ``names`` off every tenant engine."""
    tenancy = app.extensions["satchel.tenancy"]
    removed = []
    # Private to the bench: the engines the tenancy leased for these two tenants.
    for engine in [entry.engine for entry in tenancy.engines._entries.values()]:
        for identifier in ("before_cursor_execute", "after_cursor_execute"):
            for listener in list(getattr(engine.dispatch, identifier)):
                original = _unwrapped(listener)
                if original.__name__ in names:
                    event.remove(engine, identifier, original)
                    removed.append((engine, identifier, original))
    if not removed:
        raise RuntimeError(f"no listener named {names}: the stamp changed")
    try:
        yield
    finally:
        for engine, identifier, listener in removed:
            event.listen(engine, identifier, listener)


def _unwrapped(listener: Callable) -> Callable:
    """Return the function registered, which SQLAlchemy may have wrapped in an adapter."""
    for cell in listener.__closure__ or ():
        inner = cell.cell_contents
        if callable(inner) and hasattr(inner, "__code__"):
            return inner
    return listener


#: Layer -> how to take it out of the built app.
ABLATIONS: dict[str, Callable] = {
    "access log (one JSON line to a file)": lambda app: _without_hooks(
        app, "finish_request"
    ),
    "metrics (histogram, in-flight gauge; multi-process)": _without_metrics,
    "Flask cookie session": _without_sessions,
    "flags (snapshot pin, OpenFeature targeting)": lambda app: _without_hooks(
        app,
        "pin_flag_snapshot",
        "release_flag_snapshot",
        "set_flag_targeting_key",
        "clear_flag_targeting_key",
    ),
    # The audit's own listeners cannot go: the trigger refuses a write without a stamp.
    "SQL guard (session-level SET refused, per statement)": lambda app: (
        _without_listeners(app, "no_session_set")
    ),
}


def main(argv: list[str] | None = None) -> int:
    """Measure every ablation for reads and writes and print one table per scenario."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    load_before = os.getloadavg()
    with deployed() as deployment, inprocess.new_workdir() as workdir:
        stamped, hand = inprocess.load_apps(deployment, Path(workdir))
        inprocess.same_json(stamped, hand, deployment)
        for scenario, (method, ours, theirs) in inprocess.SCENARIOS.items():

            def cpu(app, path: str) -> float:
                requests = inprocess.environs(deployment, method, path, args.requests)
                return inprocess.drive(app, requests)[1]

            cpu(stamped, ours), cpu(hand, theirs)  # warm caches and pools
            print(f"\n### {scenario}: {method} {ours} (hand-written: {theirs})\n")
            print(
                "| layer taken out | µs CPU per request | ratio with it | without it |"
            )
            print("|---|---:|---:|---:|")
            for layer, ablate in ABLATIONS.items():
                full, without, baseline = [], [], []
                for _ in range(args.rounds):
                    full.append(cpu(stamped, ours))
                    with ablate(stamped):
                        without.append(cpu(stamped, ours))
                    baseline.append(cpu(hand, theirs))
                cost = statistics.median(f - w for f, w in zip(full, without))
                hand_us, full_us = statistics.median(baseline), statistics.median(full)
                print(
                    f"| {layer} | {cost:.0f} | {hand_us / full_us:.2f}x |"
                    f" {hand_us / (full_us - cost):.2f}x |"
                )
            print(
                f"\nwhole request, median: stamped {full_us:.0f} µs CPU,"
                f" hand-written {hand_us:.0f} µs CPU"
            )
    after = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    before = ", ".join(f"{value:.1f}" for value in load_before)
    print(f"\nLoad average (1/5/15 min) before: {before}; after: {after}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
