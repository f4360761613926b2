"""One SQLAlchemy engine per tenant, created lazily, LRU-capped, inside connection budgets.

Engines are leased for a unit of work and only ever disposed when no lease is out, so a
request never loses its connection under it. Every connection counts against the process's
:class:`ConnectionBudget` for its database server (one budget per server, so a slow or
sick server cannot take the connections the others need) and passes the identity check
(see :mod:`guards`). Connection failures are remembered per server for the readiness check.
"""

from __future__ import annotations

import threading
import time
import weakref
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.pool import NullPool

from satchel.audit.stamping import stamp_transactions
from satchel.tenancy.budget import ConnectionBudget
from satchel.tenancy.guards import guard_connections
from satchel.tenancy.liveness import ping_idle_connections
from satchel.tenancy.records import TenantRecord, redact_url
from satchel.tenancy.roles import Login, with_login
from satchel.tenancy.servers import server_key

EngineFactory = Callable[[TenantRecord, dict[str, Any]], sa.Engine]


#: How tenant URLs reach PostgreSQL: straight to the server, or through PgBouncer.
POOLERS = ("direct", "pgbouncer")


@dataclass(frozen=True)
class EngineOptions:
    """How tenant engines are built and bounded in one process."""

    max_engines: int = 2000
    # Connections this process holds open to each database server, idle pooled ones included.
    connection_budget: int = 20
    acquire_timeout: float = 2.0
    idle_timeout: float = 60.0
    # Idle connections a tenant keeps; the budget, not these, bounds the process in total.
    pool_size: int = 5
    max_overflow: int = 5
    # Connect on every checkout and keep nothing idle (rarely right: see for_pooler).
    null_pool: bool = False
    pool_pre_ping: bool = True
    # With pool_pre_ping, ping only connections idle this many seconds (0: every checkout,
    # one round trip per request); see satchel.tenancy.liveness.
    ping_after_idle: float = 1.0
    # Off only to prove the leak probe can fail; never in production.
    identity_check: bool = True
    engine_factory: EngineFactory | None = None
    # Connect as this login whatever user the registry URL names (satchel.tenancy.roles).
    login: Login | None = None
    # Server-side prepared statements (psycopg prepares a query on its fifth run): the
    # server parses and plans it once per connection instead of on every request. Off
    # unless the URLs name PostgreSQL itself: PgBouncer in transaction mode lends each
    # transaction any server connection, where the statement was never prepared.
    prepared_statements: bool = False

    @classmethod
    def for_pooler(cls, pooler: str = "direct", **overrides: Any) -> EngineOptions:
        """Return options for tenant URLs that reach PostgreSQL ``direct`` or via ``pgbouncer``.

        Direct, each open connection is a server backend, so the budget stays small and a
        process serving more tenants than its budget opens backends as it goes. Through
        PgBouncer in transaction mode, an idle client connection holds no backend (PgBouncer
        lends one per transaction, bounded by its own pool settings), so the process keeps
        one per recently used tenant and the budget is sized to the tenant working set.
        An override given as None keeps the preset's value.
        """
        overrides = {
            key: value for key, value in overrides.items() if value is not None
        }
        if pooler not in POOLERS:
            raise ValueError(
                f"unknown pooler {pooler!r}: use 'direct' when tenant URLs name the"
                " PostgreSQL server, 'pgbouncer' when they name PgBouncer in transaction mode"
            )
        if pooler == "pgbouncer":
            overrides = {
                "connection_budget": 2000,
                # Idle client connections are cheap: keep enough for a busy tenant's
                # concurrency, so it does not reconnect on every burst.
                "pool_size": 10,
                "max_overflow": 10,
                **overrides,
            }
        else:
            overrides = {"prepared_statements": True, **overrides}
        return cls(**overrides)


@dataclass
class _Entry:
    engine: sa.Engine
    url: str
    server: str
    leases: int = 0
    last_used: float = 0.0


def engine_url(url: str) -> str:
    """Return ``url`` with the psycopg 3 driver named when a plain postgresql URL is given."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


class TenantEngines:
    """The process's tenant engines: lease one per unit of work, release it after."""

    def __init__(self, options: EngineOptions | None = None) -> None:
        self.options = options or EngineOptions()
        self._budgets: dict[str, ConnectionBudget] = {}
        self._watchers: dict[str, Callable[[], None]] | None = None
        # server -> (monotonic time, error) of its last failed connection, until one succeeds
        self._failures: dict[str, tuple[float, str]] = {}
        self.evictions = 0
        self._entries: OrderedDict[str, _Entry] = OrderedDict()
        self._lock = threading.Lock()
        self._budget_lock = threading.Lock()
        self._instrumented: weakref.WeakSet[sa.Engine] = weakref.WeakSet()
        self._stop = threading.Event()
        self._reaper: threading.Thread | None = None

    def lease(self, record: TenantRecord) -> sa.Engine:
        """Return the tenant's engine (creating it on first use) and hold it until release."""
        self._start_reaper()
        stale: list[sa.Engine] = []
        with self._lock:
            entry = self._entries.get(record.id)
            if entry is not None and entry.url != record.database_url:
                stale.append(
                    self._entries.pop(record.id).engine
                )  # the registry moved it
                entry = None
            if entry is None:
                server = server_key(record)
                entry = _Entry(
                    self._create(record, server), record.database_url, server
                )
                self._entries[record.id] = entry
                stale.extend(self._over_cap())
            self._entries.move_to_end(record.id)
            entry.leases += 1
        for engine in stale:
            engine.dispose()
        return entry.engine

    def release(self, tenant_id: str) -> None:
        """End one lease; if others wait for a connection, close this engine's idle one."""
        with self._lock:
            entry = self._entries.get(tenant_id)
            if entry is not None:
                entry.leases = max(0, entry.leases - 1)
                entry.last_used = time.monotonic()
                waiting = self._budgets[entry.server].waiting
                if entry.leases == 0 and waiting:
                    self._close_idle(entry)

    def discard(self, tenant_id: str) -> None:
        """Forget a tenant's engine and close its connections (after a drop or a move)."""
        with self._lock:
            entry = self._entries.pop(tenant_id, None)
        if entry is not None:
            entry.engine.dispose()

    def reap(self, idle_for: float | None = None) -> int:
        """Close the pooled connections of engines unused for ``idle_for`` seconds."""
        idle_for = self.options.idle_timeout if idle_for is None else idle_for
        cutoff = time.monotonic() - idle_for
        with self._lock:
            idle = [
                e
                for e in self._entries.values()
                if e.leases == 0 and e.last_used <= cutoff
            ]
            return sum(self._close_idle(entry) for entry in idle)

    def close(self) -> None:
        """Stop the reaper and dispose every engine."""
        self._stop.set()
        with self._lock:
            entries, self._entries = list(self._entries.values()), OrderedDict()
        for entry in entries:
            entry.engine.dispose()

    def tenants(self) -> list[str]:
        """Return the tenants with an open engine, least recently used first."""
        with self._lock:
            return list(self._entries)

    def budget_for(self, server: str) -> ConnectionBudget:
        """Return the connection budget of one database server (made on first use)."""
        with self._budget_lock:
            budget = self._budgets.get(server)
            if budget is None:
                budget = ConnectionBudget(
                    self.options.connection_budget, self.options.acquire_timeout
                )
                if self._watchers is not None:
                    budget.watch(**self._watchers)
                self._budgets[server] = budget
            return budget

    def watch(
        self, *, on_open: Callable[[], None], on_close: Callable[[], None]
    ) -> None:
        """Call ``on_open`` / ``on_close`` as any connection opens or closes (metrics)."""
        with self._budget_lock:
            self._watchers = {"on_open": on_open, "on_close": on_close}
            for budget in self._budgets.values():
                budget.watch(**self._watchers)

    def servers(self) -> dict[str, dict[str, int]]:
        """Return each server's open connections, budget and waiting threads."""
        with self._budget_lock:
            budgets = dict(self._budgets)
        return {
            server: {"open": b.open, "limit": b.limit, "waiting": b.waiting}
            for server, b in sorted(budgets.items())
        }

    def unreachable_servers(self, within: float = 60.0) -> dict[str, str]:
        """Return the servers whose last connection attempt failed (in ``within`` seconds)."""
        now = time.monotonic()
        return {
            server: f"{error}, {now - when:.0f}s ago"
            for server, (when, error) in sorted(self._failures.items())
            if now - when <= within
        }

    def stats(self) -> dict[str, int]:
        """Return gauges for metrics and health: engines, connections, peak, evictions.

        Connections are summed over servers; the peak and budget are per server.
        """
        with self._budget_lock:
            budgets = list(self._budgets.values())
        return {
            "engines": len(self._entries),
            "connections_open": sum(b.open for b in budgets),
            "connections_peak": max((b.peak for b in budgets), default=0),
            "connections_opened": sum(b.opened for b in budgets),
            "connection_budget": self.options.connection_budget,
            "evictions": self.evictions,
        }

    def _over_cap(self) -> list[sa.Engine]:
        evicted = []
        for tenant_id, entry in list(self._entries.items()):
            if len(self._entries) <= self.options.max_engines:
                break
            if entry.leases == 0:
                evicted.append(self._entries.pop(tenant_id).engine)
                self.evictions += 1
        return evicted

    def _relieve_pressure(self, server: str) -> None:
        """Close the server's idle pools, least recently used first, until its budget has room."""
        budget = self._budgets[server]
        with self._lock:
            for entry in list(self._entries.values()):
                if budget.open < budget.limit:
                    return
                if entry.leases == 0 and entry.server == server:
                    self._close_idle(entry)

    def _close_idle(self, entry: _Entry) -> bool:
        # Callers hold self._lock and checked leases == 0: nobody can check out meanwhile,
        # so no connection is stranded in the pool being replaced.
        if not getattr(entry.engine.pool, "checkedin", lambda: 0)():
            return False
        entry.engine.dispose()
        return True

    def _create(self, record: TenantRecord, server: str) -> sa.Engine:
        opts = self.options
        # Row data never reaches a log line through an exception's message.
        kwargs: dict[str, Any] = {
            # Pinged by satchel.tenancy.liveness when idle, not on every checkout.
            "pool_pre_ping": False,
            "hide_parameters": True,
        }
        url = engine_url(with_login(record.database_url, opts.login))
        if url.startswith("postgresql"):
            timeout = max(1, int(opts.acquire_timeout))
            kwargs["connect_args"] = {"connect_timeout": timeout}
            if not opts.prepared_statements:  # psycopg's default threshold otherwise
                kwargs["connect_args"]["prepare_threshold"] = None
        if opts.null_pool:
            kwargs["poolclass"] = NullPool
        elif not url.startswith("sqlite"):
            kwargs.update(
                pool_size=opts.pool_size,
                max_overflow=opts.max_overflow,
                pool_timeout=opts.acquire_timeout,
            )
        factory = opts.engine_factory or (lambda rec, kw: sa.create_engine(url, **kw))
        engine = factory(record, kwargs)
        if engine not in self._instrumented:
            self._instrument(engine, record, server)
            self._instrumented.add(engine)
        return engine

    def _instrument(self, engine: sa.Engine, record: TenantRecord, server: str) -> None:
        def on_result(error: str | None) -> None:
            if error is None:
                self._failures.pop(server, None)
            else:
                self._failures[server] = (time.monotonic(), error)

        guard_connections(
            engine,
            owner=record.id,
            location=redact_url(record.database_url),
            budget=self.budget_for(server),
            identity_check=self.options.identity_check,
            on_pressure=lambda: self._relieve_pressure(server),
            on_connect=on_result,
        )
        if self.options.pool_pre_ping:
            ping_idle_connections(
                engine, self.options.ping_after_idle, on_lost=on_result
            )
        # Who is acting reaches the audit triggers (zero cost for read-only work).
        stamp_transactions(engine)

    def _start_reaper(self) -> None:
        if self._reaper is not None or self.options.idle_timeout <= 0:
            return
        with self._lock:
            if self._reaper is None:
                self._reaper = threading.Thread(
                    target=self._reap_forever,
                    name="satchel-tenancy-reaper",
                    daemon=True,
                )
                self._reaper.start()

    def _reap_forever(self) -> None:
        interval = max(1.0, self.options.idle_timeout / 4)
        while not self._stop.wait(interval):
            self.reap()
