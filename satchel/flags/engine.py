"""The per-process flag engine: current snapshot, poller, last known good, forced values."""

from __future__ import annotations

import os
import threading
import weakref
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from satchel.flags.declarations import FlagRegistry, is_of_type
from satchel.flags.errors import FlagStoreError, FlagValueError, StoreDataError
from satchel.flags.rules import CompiledFlag, parse_value
from satchel.flags.snapshot import (
    Snapshot,
    compile_flags,
    load_last_good,
    log,
    parse_snapshot,
    save_last_good,
)
from satchel.flags.store import EMPTY, ChangeRecord, FlagStore, RuleChange

#: Every live engine, so the pytest fixture can force values in whichever app a test built.
ENGINES: weakref.WeakSet[FlagEngine] = weakref.WeakSet()


class FlagEngine:
    """Serve flags from an in-memory snapshot that a background poller keeps fresh."""

    def __init__(
        self,
        registry: FlagRegistry,
        store: FlagStore,
        *,
        last_good_path: Path,
        forced: dict[str, Any] | None = None,
        poll_interval: float = 2.0,
    ) -> None:
        self.registry = registry
        self.store = store
        self.last_good_path = last_good_path
        self.poll_interval = poll_interval
        self._env_forced = dict(forced or {})
        self._test_forced: dict[str, Any] = {}
        self._test_forced_by_tenant: dict[str, dict[str, Any]] = {}
        self.snapshot: Snapshot | None = None
        self.compiled: dict[str, CompiledFlag] = {}
        self._seen_version: str | None = None
        self._failure: FlagStoreError | None = None
        self._lock = threading.RLock()
        self._poller_pid = 0
        self._stop = threading.Event()
        self._recompile()
        ENGINES.add(self)

    def start(self) -> None:
        """Load the first snapshot, holding the persisted last known good one in reserve.

        The last good snapshot is installed before the first poll so that a store that
        answers empty (a Redis restarted without persistence) cannot flip flags to defaults
        on a cold start either. It is only used if it came from the same store.
        """
        last_good = load_last_good(self.last_good_path, self.registry)
        if last_good is not None and last_good.source == self.store.describe():
            self._install(last_good, persist=False)
        if not self.refresh() and self.snapshot is not None:
            log().warning(
                "flags.last_good.loaded",
                path=str(self.last_good_path),
                version=self.snapshot.version,
                loaded_at=self.snapshot.loaded_at.isoformat(),
            )

    def refresh(self) -> bool:
        """Poll the store once; return whether the snapshot now matches the store."""
        with self._lock:
            try:
                result = self.store.fetch_if_changed(self._seen_version)
                if result is None:
                    # Unchanged: still good, unless that version was garbage.
                    if not isinstance(self._failure, StoreDataError):
                        self._recover()
                    return self._failure is None
                version, raw = result
                self._seen_version = version
                snapshot = parse_snapshot(
                    self.registry, raw, version=version, source=self.store.describe()
                )
                if (
                    version == EMPTY
                    and self.snapshot is not None
                    and self.snapshot.rules
                ):
                    raise StoreDataError(
                        f"{self.store.describe()} holds no flag data (restarted without "
                        "persistence?); write rules again with `flask flags set`."
                    )
            except FlagStoreError as error:
                self._fail(error)
                return False
            self._install(snapshot, persist=True)
            self._recover()
            return True

    def _install(self, snapshot: Snapshot, *, persist: bool) -> None:
        self.snapshot = snapshot
        self._recompile()
        if persist:
            try:
                save_last_good(self.last_good_path, snapshot)
            except OSError as error:
                log().error(
                    "flags.last_good.unwritable",
                    path=str(self.last_good_path),
                    error=str(error),
                )

    def _recompile(self) -> None:
        snapshot = self.snapshot or Snapshot(
            "defaults", "declarations", datetime.now(timezone.utc)
        )
        forced = {**self._env_forced, **self._test_forced}
        self.compiled = compile_flags(
            self.registry, snapshot, forced, self._test_forced_by_tenant
        )

    def _fail(self, error: FlagStoreError) -> None:
        if self._failure is None or str(self._failure) != str(error):
            log().error(
                "flags.store.failed",
                error=str(error),
                serving=self.snapshot.version if self.snapshot else "declared defaults",
            )
        self._failure = error

    def _recover(self) -> None:
        if self._failure is not None:
            log().info("flags.store.recovered", store=self.store.describe())
        self._failure = None

    def health(self) -> tuple[str, str]:
        """Return ("pass"|"warn"|"fail", detail) for the readiness endpoint."""
        if self._failure is None and self.snapshot is not None:
            return (
                "pass",
                f"snapshot version {self.snapshot.version} from {self.snapshot.source}",
            )
        if self.snapshot is not None:
            return "warn", (
                f"serving last known good snapshot from {self.snapshot.loaded_at.isoformat()}: "
                f"{self._failure}"
            )
        return "fail", f"no flag snapshot, serving declared defaults: {self._failure}"

    def ensure_polling(self) -> None:
        """Start this process's poller thread if it has none (lazily, so forks get their own)."""
        if self._poller_pid == os.getpid():
            return
        with self._lock:
            if self._poller_pid == os.getpid():
                return
            self._poller_pid = os.getpid()
            self._stop = threading.Event()
            thread = threading.Thread(
                target=self._poll, name="satchel-flags-poller", daemon=True
            )
            thread.start()

    def _poll(self) -> None:
        stop = self._stop
        while not stop.wait(self.poll_interval):
            self.refresh()

    def stop(self) -> None:
        """Stop the poller thread (tests and shutdown)."""
        self._stop.set()
        self._poller_pid = 0

    def resolve(self, key: str, tenant: str | None) -> tuple[Any, str]:
        """Return (value, reason) for ``key`` and ``tenant``; raise for an undeclared key."""
        compiled = self.compiled.get(key)
        if compiled is None:
            self.registry[key]  # raises UndeclaredFlagError with the fix
        return compiled.resolve(tenant)

    def change(self, key: str, change: RuleChange, who: str, why: str) -> ChangeRecord:
        """Write a rule change to the store (recorded), then reload the snapshot."""
        self.registry[key]  # raises UndeclaredFlagError before anything is written
        record = self.store.update(key, change, who, why)
        self.refresh()
        return record

    def force(self, key: str, value: Any, tenant: str | None = None) -> None:
        """Force a value (test fixture): for everyone, or for one tenant."""
        flag = self.registry[key]
        if isinstance(value, str) and flag.type is not str:
            value = parse_value(flag, value)
        if not is_of_type(value, flag.type):
            raise FlagValueError(
                f"Flag {key!r}: cannot force {value!r}; expected {flag.type.__name__}."
            )
        if tenant is None:
            self._test_forced[key] = value
        else:
            self._test_forced_by_tenant.setdefault(key, {})[tenant] = value
        self._recompile()

    def clear_forced(self) -> None:
        """Drop every value forced by tests (environment overrides stay)."""
        self._test_forced.clear()
        self._test_forced_by_tenant.clear()
        self._recompile()
