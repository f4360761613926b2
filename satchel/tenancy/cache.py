"""An in-process cache in front of the registry, so a request never waits on it when warm.

The whole registry (1,500 rows is small) is held as one snapshot, refreshed after ``ttl``
seconds by one thread at a time while the others wait for its result. A name missing from
the snapshot is looked up once and remembered as missing for ``negative_ttl`` seconds, so
random sub-domains cannot hammer the registry. A failed read caches nothing.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from satchel.tenancy.errors import TenantNotFound
from satchel.tenancy.records import TenantRecord
from satchel.tenancy.registry import Registry

MAX_NEGATIVE_ENTRIES = 10_000


class CachedRegistry:
    """Look tenants up through a TTL snapshot with a short negative cache."""

    def __init__(
        self,
        registry: Registry,
        *,
        ttl: float = 60.0,
        negative_ttl: float = 5.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.registry = registry
        self.ttl = ttl
        self.negative_ttl = negative_ttl
        self._clock = clock
        self._snapshot: dict[str, TenantRecord] = {}
        self._loaded_at: float | None = None
        self._missing: dict[str, float] = {}
        self._refresh_lock = threading.Lock()

    def lookup(self, tenant_id: str) -> TenantRecord:
        """Return the tenant's record; raise TenantNotFound or RegistryUnavailable."""
        if self._is_stale():
            self._refresh()
        record = self._snapshot.get(tenant_id)
        if record is not None:
            return record
        return self._lookup_missing(tenant_id)

    def invalidate(self) -> None:
        """Forget everything; the next lookup reloads the registry."""
        with self._refresh_lock:
            self._loaded_at = None
            self._missing = {}

    @property
    def size(self) -> int:
        """Return how many tenants the snapshot holds."""
        return len(self._snapshot)

    def _is_stale(self) -> bool:
        loaded_at = self._loaded_at
        return loaded_at is None or self._clock() - loaded_at >= self.ttl

    def _refresh(self) -> None:
        with self._refresh_lock:
            if not self._is_stale():
                return  # another thread refreshed while this one waited
            records = self.registry.all()
            self._snapshot = {record.id: record for record in records}
            self._missing = {}
            self._loaded_at = self._clock()

    def _lookup_missing(self, tenant_id: str) -> TenantRecord:
        now = self._clock()
        expires = self._missing.get(tenant_id)
        if expires is None or expires <= now:
            record = self.registry.get(tenant_id)
            if record is not None:
                # A tenant created since the last refresh: serve it without waiting a TTL.
                self._snapshot = {**self._snapshot, record.id: record}
                return record
            if len(self._missing) >= MAX_NEGATIVE_ENTRIES:
                self._missing = {}
            self._missing[tenant_id] = now + self.negative_ttl
        raise TenantNotFound(
            f"tenant {tenant_id!r} is not in the registry; create it with"
            " 'flask tenants create' or check the host",
            detail=f"No tenant named {tenant_id!r} exists.",
        )
