"""An in-process cache in front of the registry, so a request never waits on it when warm.

The whole registry (1,500 rows is small) is held as one snapshot, refreshed after ``ttl``
seconds by one thread while the others keep serving the old snapshot (only a cold cache
waits). When the registry cannot be read the last snapshot stays in service: known tenants
keep working, and the registry is tried again at most every ``retry_interval`` seconds, not
on every request. A name missing from the snapshot is looked up once, however many requests
ask for it at the same time (single flight), and remembered as missing for ``negative_ttl``
seconds; while the change feed (:mod:`satchel.tenancy.notify`) is live, the snapshot is
complete and a miss costs no registry round trip at all.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import structlog

from satchel.tenancy.errors import RegistryUnavailable, TenantNotFound
from satchel.tenancy.records import TenantRecord
from satchel.tenancy.registry import Registry

MAX_NEGATIVE_ENTRIES = 10_000
UNAVAILABLE_DETAIL = "The tenant registry is unavailable; try again shortly."
log = structlog.get_logger("satchel.tenancy")


@dataclass
class _Flight:
    """One registry lookup of a missing name that concurrent requests for it share."""

    done: threading.Event = field(default_factory=threading.Event)
    record: TenantRecord | None = None
    failure: str | None = None


class CachedRegistry:
    """Look tenants up through a TTL snapshot with a short negative cache."""

    def __init__(
        self,
        registry: Registry,
        *,
        ttl: float = 60.0,
        negative_ttl: float = 5.0,
        retry_interval: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.registry = registry
        self.ttl = ttl
        self.negative_ttl = negative_ttl
        self.retry_interval = retry_interval
        self._clock = clock
        self._snapshot: dict[str, TenantRecord] = {}
        self._loaded_at: float | None = None  # when the current snapshot's read began
        self._ever_loaded = False
        # When the snapshot in service was read; kept when it expires.
        self._snapshot_at = 0.0
        self._missing: dict[str, float] = {}
        self._flights: dict[str, _Flight] = {}
        self._failure: str | None = None  # why the registry's last read failed
        self._retry_at = 0.0
        self._feed_since: float | None = None  # the change feed is subscribed since
        self._refresh_lock = threading.Lock()
        # Guards edits of the snapshot, negative cache and flights; never held during I/O.
        self._lock = threading.Lock()

    def lookup(self, tenant_id: str) -> TenantRecord:
        """Return the tenant's record; raise TenantNotFound or RegistryUnavailable."""
        if self._is_due():
            self._refresh(wait=not self._ever_loaded)
        record = self._snapshot.get(tenant_id)
        if record is not None:
            return record
        return self._lookup_missing(tenant_id)

    def invalidate(self) -> None:
        """Forget everything; the next lookup reloads the registry."""
        with self._lock:
            self._loaded_at = None
            self._retry_at = 0.0
            self._missing = {}

    def warm(self) -> None:
        """Load the first snapshot if none was ever loaded (raise RegistryUnavailable)."""
        if not self._ever_loaded:
            self._refresh(wait=True)
            if not self._ever_loaded:
                raise self._unavailable()

    def reload(self, tenant_id: str) -> None:
        """Read one tenant's entry again (the change feed announced a write to it)."""
        with self._refresh_lock:  # a full read in flight must not overwrite this one
            try:
                record = self.registry.get(tenant_id)
            except RegistryUnavailable as exc:
                self._note_failure(exc)
                with self._lock:
                    self._loaded_at = None  # read everything once the registry is back
                return
            with self._lock:
                snapshot = dict(self._snapshot)
                if record is None:
                    snapshot.pop(tenant_id, None)
                else:
                    snapshot[tenant_id] = record
                    self._missing.pop(tenant_id, None)
                self._snapshot = snapshot

    def reload_all(self) -> bool:
        """Read the whole registry now (a read already under way does not count)."""
        self._refresh(wait=True, force=True)
        return self._failure is None

    def feed_connected(self, connected: bool) -> None:
        """Record whether the change feed is subscribed, so misses may trust the snapshot."""
        with self._lock:
            self._feed_since = self._clock() if connected else None

    @property
    def complete(self) -> bool:
        """Whether the snapshot holds every tenant: read after the change feed subscribed."""
        since, loaded_at = self._feed_since, self._loaded_at
        return since is not None and loaded_at is not None and loaded_at >= since

    @property
    def size(self) -> int:
        """Return how many tenants the snapshot holds."""
        return len(self._snapshot)

    @property
    def failure(self) -> str | None:
        """Return why the registry's last read failed, or None if it succeeded."""
        return self._failure

    def snapshot_age(self) -> float | None:
        """Return the age in seconds of the snapshot in service, None if there is none."""
        if not self._ever_loaded:
            return None
        return self._clock() - self._snapshot_at

    def _is_due(self) -> bool:
        loaded_at = self._loaded_at
        if loaded_at is not None and self._clock() - loaded_at < self.ttl:
            return False
        return self._clock() >= self._retry_at  # a failed registry is retried sparingly

    def _refresh(self, *, wait: bool, force: bool = False) -> None:
        # With a snapshot in hand, a request never queues behind another thread's read.
        if not self._refresh_lock.acquire(blocking=wait):
            return
        try:
            if not force and not self._is_due():
                return  # another thread refreshed while this one waited
            started = self._clock()
            try:
                records = self.registry.all()
            except RegistryUnavailable as exc:
                self._note_failure(exc)
                return
            with self._lock:
                self._snapshot = {record.id: record for record in records}
                self._missing = {}
                self._loaded_at = self._snapshot_at = started
                self._ever_loaded = True
            self._note_success()
        finally:
            self._refresh_lock.release()

    def _lookup_missing(self, tenant_id: str) -> TenantRecord:
        now = self._clock()
        expires = self._missing.get(tenant_id)
        if expires is not None and expires > now:
            raise _not_found(tenant_id)
        if self.complete:
            with self._lock:
                self._remember_missing(tenant_id, now)
            raise _not_found(tenant_id)
        if self._failure is not None and now < self._retry_at:
            raise self._unavailable()  # no round trip per request to a registry that is down
        return self._fetch_once(tenant_id)

    def _fetch_once(self, tenant_id: str) -> TenantRecord:
        with self._lock:
            flight = self._flights.get(tenant_id)
            leading = flight is None
            if leading:
                flight = self._flights[tenant_id] = _Flight()
        if leading:
            self._fetch(tenant_id, flight)
        else:
            flight.done.wait()
        if flight.failure is not None:
            raise RegistryUnavailable(flight.failure, detail=UNAVAILABLE_DETAIL)
        if flight.record is None:
            raise _not_found(tenant_id)
        return flight.record

    def _fetch(self, tenant_id: str, flight: _Flight) -> None:
        try:
            flight.record = self.registry.get(tenant_id)
        except RegistryUnavailable as exc:
            self._note_failure(exc)
            flight.failure = str(exc)
        except BaseException:
            flight.failure = f"looking tenant {tenant_id!r} up in the registry failed"
            raise  # the leader's request reports it; the followers get 503, nothing cached
        finally:
            with self._lock:
                if flight.record is not None:
                    # A tenant created since the last refresh: serve it without waiting.
                    self._snapshot = {**self._snapshot, tenant_id: flight.record}
                elif flight.failure is None:
                    self._remember_missing(tenant_id, self._clock())
                self._flights.pop(tenant_id, None)
            flight.done.set()

    def _remember_missing(self, tenant_id: str, now: float) -> None:
        # Called with self._lock held; a flood of random names evicts expired ones first.
        if len(self._missing) >= MAX_NEGATIVE_ENTRIES:
            self._missing = {t: e for t, e in self._missing.items() if e > now}
            if len(self._missing) >= MAX_NEGATIVE_ENTRIES:
                self._missing = {}
        self._missing[tenant_id] = now + self.negative_ttl

    def _note_failure(self, exc: RegistryUnavailable) -> None:
        if self._failure is None:
            log.warning(
                "tenancy.registry.unavailable",
                error=str(exc),
                serving_tenants=len(self._snapshot),
            )
        self._failure = str(exc)
        self._retry_at = self._clock() + self.retry_interval

    def _note_success(self) -> None:
        if self._failure is not None:
            log.info("tenancy.registry.recovered", tenants=len(self._snapshot))
        self._failure = None
        self._retry_at = 0.0

    def _unavailable(self) -> RegistryUnavailable:
        return RegistryUnavailable(
            self._failure or "the tenant registry has not been read yet",
            detail=UNAVAILABLE_DETAIL,
        )


def _not_found(tenant_id: str) -> TenantNotFound:
    return TenantNotFound(
        f"tenant {tenant_id!r} is not in the registry; create it with"
        " 'flask tenants create' or check the host",
        detail=f"No tenant named {tenant_id!r} exists.",
    )
