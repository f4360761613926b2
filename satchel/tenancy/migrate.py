"""Migrate every tenant database: canary first, then bounded parallel waves.

Each tenant is upgraded by :func:`satchel.tenancy.upgrade.upgrade_database` (one
transaction, advisory lock, local timeouts). Workers are fresh processes because Alembic's
``context`` and ``op`` proxies are process-global; they are recycled every
``tasks_per_worker`` tenants to bound memory.
By default the run stops scheduling at the first failure; a rerun resumes from the state
each database is really in.
"""

from __future__ import annotations

import multiprocessing
import re
from collections.abc import Callable, Iterator, Sequence
from collections import deque
from concurrent.futures import (
    FIRST_COMPLETED,
    Executor,
    Future,
    ProcessPoolExecutor,
    wait,
)
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

from satchel.tenancy.engines import engine_url
from satchel.tenancy.errors import MigrationError
from satchel.tenancy.records import TenantRecord
from satchel.tenancy.registry import Registry
from satchel.tenancy.report import (
    FAILED,
    NOT_ATTEMPTED,
    SKIPPED,
    UPGRADED,
    MigrationReport,
    TenantOutcome,
)
from satchel.tenancy.revisions import head_revision
from satchel.tenancy.servers import server_key
from satchel.tenancy.upgrade import upgrade_database

_DURATION = re.compile(r"[0-9]+(ms|s|min|h)?")


@dataclass(frozen=True)
class MigrationSettings:
    """How a run is shaped: parallelism, waves, failure policy and per-database limits."""

    script_location: str
    parallel: int = 4
    wave_size: int = 250
    canary: tuple[str, ...] = ()
    continue_on_error: bool = False
    lock_timeout: str = "5s"
    statement_timeout: str = "15min"
    tasks_per_worker: int = 500
    # Databases of one server migrated at once, so no server gets the whole run at once.
    per_server: int = 2

    def __post_init__(self) -> None:
        if self.parallel < 1 or self.wave_size < 1 or self.per_server < 1:
            raise MigrationError(
                f"parallel ({self.parallel}), per_server ({self.per_server}) and wave_size"
                f" ({self.wave_size}) must be >= 1"
            )
        for name in ("lock_timeout", "statement_timeout"):
            if not _DURATION.fullmatch(getattr(self, name)):
                raise MigrationError(
                    f"{name} {getattr(self, name)!r} is not a PostgreSQL duration;"
                    " expected e.g. '500ms', '5s', '15min'"
                )


def plan_waves(
    records: Sequence[TenantRecord], canary: Sequence[str], wave_size: int
) -> list[list[TenantRecord]]:
    """Return the waves of a run: the canary tenants (default: the first), then the rest."""
    by_id = {record.id: record for record in records}
    unknown = [tenant for tenant in canary if tenant not in by_id]
    if unknown:
        raise MigrationError(
            f"canary tenants {unknown} are not in the registry; check the ids"
        )
    canary_ids = list(canary) or [record.id for record in records[:1]]
    rest = [record for record in records if record.id not in canary_ids]
    waves = [[by_id[tenant] for tenant in canary_ids]] if canary_ids else []
    waves += [rest[i : i + wave_size] for i in range(0, len(rest), wave_size)]
    return waves


def migrate_tenants(
    records: Sequence[TenantRecord],
    settings: MigrationSettings,
    *,
    registry: Registry | None = None,
    on_outcome: Callable[[TenantOutcome], None] | None = None,
) -> MigrationReport:
    """Upgrade every tenant to head; record revisions in ``registry`` after each wave.

    Within a wave at most ``per_server`` databases of one server migrate at once. A server
    that cannot be reached fails only its own tenants: the rest of them are not attempted
    (a rerun picks them up) and the other servers carry on.
    """
    target = head_revision(settings.script_location)
    waves = plan_waves(records, settings.canary, settings.wave_size)
    started = _now()
    outcomes: list[TenantOutcome] = []
    stopped = False
    down: dict[str, str] = {}  # server -> why it is considered down for this run
    with _executor(settings) as executor:
        for number, wave in enumerate(waves):
            if stopped:
                outcomes += [
                    _outcome_skipped(r, number, "the run stopped at a failure")
                    for r in wave
                ]
                continue
            run = _WaveRun(executor, number, target, settings, on_outcome, down)
            results = run.run(wave)
            outcomes += results
            if registry is not None:
                # Failed tenants keep their entry: their revision may not have been read.
                registry.record_revisions(
                    {
                        o.tenant: o.to_revision
                        for o in results
                        if o.status in (UPGRADED, SKIPPED)
                    }
                )
            stopped = run.stopped
    return MigrationReport(target, started, _now(), tuple(outcomes), dict(down))


def _outcome_skipped(
    record: TenantRecord, wave: int, error: str | None = None
) -> TenantOutcome:
    return TenantOutcome(
        record.id, NOT_ATTEMPTED, wave=wave, error=error, server=server_key(record)
    )


class _WaveRun:
    """One wave: tenants interleaved across servers, bounded in total and per server."""

    def __init__(
        self,
        executor: Executor | None,
        number: int,
        target: str,
        settings: MigrationSettings,
        on_outcome: Callable[[TenantOutcome], None] | None,
        down: dict[str, str],
    ) -> None:
        self.executor, self.number, self.settings = executor, number, settings
        self.on_outcome, self.down = on_outcome, down
        self.args = (
            target,
            settings.script_location,
            settings.lock_timeout,
            settings.statement_timeout,
        )
        self.stopped = False
        self.results: list[TenantOutcome] = []

    def run(self, wave: list[TenantRecord]) -> list[TenantOutcome]:
        queues: dict[str, deque[TenantRecord]] = {}
        for record in wave:
            queues.setdefault(server_key(record), deque()).append(record)
        in_flight: dict[Future, TenantRecord] = {}
        busy: dict[str, int] = dict.fromkeys(queues, 0)
        while True:
            self._drop_down_servers(queues)
            for record in self._next_batch(queues, busy, len(in_flight)):
                if self.executor is None:
                    self._finish(
                        record,
                        upgrade_database(record.id, record.database_url, *self.args),
                    )
                    self._drop_down_servers(queues)
                    continue
                busy[server_key(record)] += 1
                future = self.executor.submit(
                    upgrade_database, record.id, record.database_url, *self.args
                )
                in_flight[future] = record
            if not in_flight:
                if self.executor is None and any(queues.values()) and not self.stopped:
                    continue
                break
            done, _ = wait(in_flight, return_when=FIRST_COMPLETED)
            for future in done:
                record = in_flight.pop(future)
                busy[server_key(record)] -= 1
                self._finish(record, future.result())
        for queue in queues.values():
            reason = "the run stopped at a failure"
            self.results += [_outcome_skipped(r, self.number, reason) for r in queue]
        return self.results

    def _next_batch(
        self, queues: dict[str, deque[TenantRecord]], busy: dict[str, int], running: int
    ) -> list[TenantRecord]:
        """Take tenants round-robin over servers while the bounds allow."""
        if self.stopped:
            return []
        batch: list[TenantRecord] = []
        limit = 1 if self.executor is None else self.settings.parallel - running
        progress = True
        while len(batch) < limit and progress:
            progress = False
            for server, queue in queues.items():
                taken = busy[server] + sum(server_key(r) == server for r in batch)
                if queue and taken < self.settings.per_server and len(batch) < limit:
                    batch.append(queue.popleft())
                    progress = True
        return batch

    def _finish(self, record: TenantRecord, outcome: TenantOutcome) -> None:
        server = server_key(record)
        outcome = replace(outcome, wave=self.number, server=server)
        if outcome.status == FAILED and server not in self.down:
            reason = _unreachable(record)
            if reason:
                self.down[server] = reason
        if outcome.status == FAILED and server not in self.down:
            self.stopped = self.stopped or not self.settings.continue_on_error
        self.results.append(outcome)
        if self.on_outcome is not None:
            self.on_outcome(outcome)

    def _drop_down_servers(self, queues: dict[str, deque[TenantRecord]]) -> None:
        for server, reason in self.down.items():
            queue = queues.get(server)
            while queue:
                skipped = _outcome_skipped(
                    queue.popleft(), self.number, f"server {server} is down: {reason}"
                )
                self.results.append(skipped)
                if self.on_outcome is not None:
                    self.on_outcome(skipped)


def _unreachable(record: TenantRecord) -> str | None:
    """Return why the tenant's server cannot be reached, or None if it answers."""
    try:
        parsed = make_url(engine_url(record.database_url))
    except sa.exc.ArgumentError:
        return None
    if parsed.get_backend_name() != "postgresql":
        return None
    engine = sa.create_engine(
        parsed.set(database="postgres"),
        poolclass=NullPool,
        connect_args={"connect_timeout": 3},
    )
    try:
        with engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")
        return None
    except sa.exc.OperationalError as exc:
        return type(exc.orig).__name__ if exc.orig is not None else "unreachable"
    finally:
        engine.dispose()


@contextmanager
def _executor(settings: MigrationSettings) -> Iterator[Executor | None]:
    if settings.parallel == 1:
        yield None  # in-process: no worker start-up cost for small estates and tests
        return
    executor = ProcessPoolExecutor(
        max_workers=settings.parallel,
        mp_context=_worker_context(),
        max_tasks_per_child=settings.tasks_per_worker,
    )
    try:
        yield executor
    finally:
        executor.shutdown(wait=True, cancel_futures=True)


def _worker_context() -> multiprocessing.context.BaseContext:
    """Return fresh-process workers that do not each pay for importing SQLAlchemy and Alembic.

    A forkserver imports the upgrade code once and forks each worker from that clean,
    single-threaded process; where forkserver does not exist, workers are spawned.
    """
    if "forkserver" not in multiprocessing.get_all_start_methods():
        return multiprocessing.get_context("spawn")
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["satchel.tenancy.upgrade"])
    return context


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
