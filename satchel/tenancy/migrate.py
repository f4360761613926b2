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
from concurrent.futures import Executor, Future, ProcessPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime, timezone

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

    def __post_init__(self) -> None:
        if self.parallel < 1 or self.wave_size < 1:
            raise MigrationError(
                f"parallel ({self.parallel}) and wave_size ({self.wave_size}) must be >= 1"
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
    """Upgrade every tenant to head; record revisions in ``registry`` after each wave."""
    target = head_revision(settings.script_location)
    waves = plan_waves(records, settings.canary, settings.wave_size)
    started = _now()
    outcomes: list[TenantOutcome] = []
    stopped = False
    with _executor(settings) as executor:
        for number, wave in enumerate(waves):
            if stopped:
                outcomes += [
                    TenantOutcome(r.id, NOT_ATTEMPTED, wave=number) for r in wave
                ]
                continue
            results = _run_wave(executor, wave, number, target, settings, on_outcome)
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
            stopped = not settings.continue_on_error and any(
                o.status == FAILED for o in results
            )
    return MigrationReport(target, started, _now(), tuple(outcomes))


def _run_wave(
    executor: Executor | None,
    wave: list[TenantRecord],
    number: int,
    target: str,
    settings: MigrationSettings,
    on_outcome: Callable[[TenantOutcome], None] | None,
) -> list[TenantOutcome]:
    args = (
        target,
        settings.script_location,
        settings.lock_timeout,
        settings.statement_timeout,
    )
    results: list[TenantOutcome] = []
    if executor is None:
        for i, record in enumerate(wave):
            outcome = upgrade_database(record.id, record.database_url, *args)
            results.append(_finish(outcome, number, on_outcome))
            if outcome.status == FAILED and not settings.continue_on_error:
                results += [
                    TenantOutcome(r.id, NOT_ATTEMPTED, wave=number)
                    for r in wave[i + 1 :]
                ]
                break
        return results
    futures: dict[Future, TenantRecord] = {
        executor.submit(upgrade_database, r.id, r.database_url, *args): r for r in wave
    }
    for future in as_completed(futures):
        if future.cancelled():
            continue
        outcome = future.result()
        results.append(_finish(outcome, number, on_outcome))
        if outcome.status == FAILED and not settings.continue_on_error:
            for pending in futures:
                pending.cancel()  # queued tenants are dropped; in-flight ones finish
    results += [
        TenantOutcome(futures[f].id, NOT_ATTEMPTED, wave=number)
        for f in futures
        if f.cancelled()
    ]
    return results


def _finish(
    outcome: TenantOutcome,
    wave: int,
    on_outcome: Callable[[TenantOutcome], None] | None,
) -> TenantOutcome:
    outcome = replace(outcome, wave=wave)
    if on_outcome is not None:
        on_outcome(outcome)
    return outcome


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
