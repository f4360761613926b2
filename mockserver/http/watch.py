"""Background work: hot reload of config, specs (every file they reference) and overlays,
and building the answers of big specs after start.

On a change the mocks are rebuilt off the event loop; when the new version is invalid, the
old one keeps serving and the error is logged with its file and line.
"""

from __future__ import annotations

import asyncio
import gc
import threading
import time
from pathlib import Path

from watchfiles import watch

from satchel.openapi import SpecError

from mockserver.core.errors import MockError
from mockserver.http.accesslog import JsonLog
from mockserver.runtime.mockset import MockSet

__all__ = ["log_warnings", "warm_up", "watch_and_reload", "watched_files"]

_WARM_DELAY = 0.5  # seconds after start: the first requests go first
_WARM_SLICE = 0.002  # seconds of building between two turns of the event loop


def watched_files(mocks: MockSet) -> set[Path]:
    """Return every file the mocks were built from, including files reached by ``$ref``."""
    files = {path.resolve() for path in mocks.files()}
    for engine in mocks.engines.values():
        docs = getattr(getattr(engine.spec, "compiler", None), "docs", None)
        for path in getattr(docs, "_paths", {}).values():
            files.add(Path(path).resolve())
    return files


def watch_and_reload(mocks: MockSet, log: JsonLog, stop: threading.Event) -> None:
    """Reload whenever a watched file changes, until ``stop`` is set (run in a thread).

    A plain thread rather than ``awatch`` on the event loop: granian's Rust task
    implementation, which serves faster, does not drive anyio's worker threads.
    """
    while not stop.is_set():
        files = watched_files(mocks)
        folders = sorted({str(path.parent) for path in files})
        log.event("watching", files=len(files))
        # Folders, not files: editors often save by renaming a new file over the old one.
        for changes in watch(*folders, stop_event=stop, recursive=False):
            changed = sorted({p for _, p in changes if Path(p).resolve() in files})
            if (
                changed
                and _reload(mocks, log, changed)
                and watched_files(mocks) != files
            ):
                break  # the set of files changed ($ref added or removed): watch again


def _reload(mocks: MockSet, log: JsonLog, changed: list[str]) -> bool:
    """Reload the mocks and log the outcome; return whether the new version serves."""
    try:
        names = mocks.reload()
    except (MockError, SpecError) as exc:
        log.event(
            "reload failed",
            level="error",
            error=str(exc),
            changed=changed,
            note="still serving the previous version",
        )
        return False
    gc.freeze()  # as at start: keep the new specs out of full collections
    log.event("reloaded", neighbours=list(names), changed=changed)
    for name, engine in mocks.engines.items():
        if engine.lazy:  # a big spec: check the rest here, off the event loop
            failures = [f for op in engine.pending() for f in engine.warm(op)]
            _log_warm(log, name, failures)
    log_warnings(mocks, log)
    return True


def log_warnings(
    mocks: MockSet, log: JsonLog, logged: dict[str, int] | None = None
) -> None:
    """Log each engine's warnings (a lenient load's flaws) not yet in ``logged``'s counts."""
    for name, engine in mocks.engines.items():
        warnings = engine.warnings
        start = logged.get(name, 0) if logged is not None else 0
        for warning in warnings[start:]:
            log.event(
                "spec warning", level="warning", neighbour=name, warning=str(warning)
            )
        if logged is not None:
            logged[name] = len(warnings)


def _log_warm(log: JsonLog, name: str, failures: list[MockError]) -> None:
    """Log the outcome of building a big spec's answers."""
    for failure in failures:
        log.event("invalid answer", level="error", neighbour=name, error=str(failure))
    log.event("warmed up", neighbour=name, invalid_answers=len(failures))


async def warm_up(mocks: MockSet, log: JsonLog) -> None:
    """Build the remaining answers of big specs between requests; log any invalid one.

    It runs on the event loop in slices of a few milliseconds rather than in a thread: a
    CPU-bound thread would hold the GIL for 5 ms at a time and stall requests far longer.
    """
    await asyncio.sleep(_WARM_DELAY)
    logged = {name: len(engine.warnings) for name, engine in mocks.engines.items()}
    for name, engine in list(mocks.engines.items()):
        if not engine.lazy:
            continue
        failures = []
        pending = engine.pending()
        while pending:
            deadline = time.perf_counter() + _WARM_SLICE
            while pending and time.perf_counter() < deadline:
                failures.extend(engine.warm(pending.pop()))
            await asyncio.sleep(0)
        for failure in failures:
            log.event(
                "invalid answer", level="error", neighbour=name, error=str(failure)
            )
        log.event("warmed up", neighbour=name, invalid_answers=len(failures))
    log_warnings(mocks, log, logged)
