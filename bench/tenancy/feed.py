"""How fast a suspension reaches every process over the change feed, against raw pub/sub.

    .venv/bin/python bench/tenancy/feed.py            # --processes 3 --rounds 20

Uses the machine's PostgreSQL (a registry database of its own, dropped at the end) and Redis.
Each of N processes builds a tenancy with the change feed and polls its registry cache every
millisecond; the main process suspends and resumes a tenant (``set_status``, what ``flask
tenants suspend|resume`` call) and each process reports when its cache shows the new status.
Baseline, in the same run and the same processes: a bare Redis PUBLISH, and when each
subscriber received it. The ratio is what the feed costs over pub/sub itself (the registry
write, the listener's one-row read).
"""

from __future__ import annotations

import argparse
import multiprocessing as mp
import secrets
import statistics
import time

import psycopg
import redis

from satchel.tenancy import set_status
from satchel.tenancy.pgregistry import PostgresRegistry
from satchel.tenancy.records import ACTIVE, SUSPENDED, TenantRecord
from satchel.tenancy.runtime import Tenancy, TenancySettings

PG = "postgresql+psycopg://postgres@127.0.0.1:5432"
REDIS = "redis://127.0.0.1:6379/0"
TENANT = "bench-a"


def watcher(
    registry_url: str, feed_url: str, raw_channel: str, rounds: int, out
) -> None:
    """In a process of its own: report when each status change, then each raw message, lands."""
    tenancy = Tenancy(
        registry_url, TenancySettings(change_feed_url=feed_url, cache_ttl=3600)
    )
    tenancy.cache.lookup(TENANT)
    tenancy.feed.ensure_listening()
    while not tenancy.cache.complete:
        time.sleep(0.01)
    raw = redis.Redis.from_url(REDIS).pubsub(ignore_subscribe_messages=True)
    raw.subscribe(raw_channel)
    out.put("ready")
    status = ACTIVE
    for _ in range(rounds):
        status = SUSPENDED if status == ACTIVE else ACTIVE
        while tenancy.cache.lookup(TENANT).status != status:
            time.sleep(0.001)
        out.put(("feed", time.monotonic()))
    for _ in range(rounds):
        while raw.get_message(timeout=1.0) is None:
            pass
        out.put(("raw", time.monotonic()))
    tenancy.close()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--processes", type=int, default=3)
    parser.add_argument("--rounds", type=int, default=20)
    args = parser.parse_args(argv)
    database = f"bench_feed_{secrets.token_hex(3)}"
    admin = psycopg.connect(
        "host=127.0.0.1 user=postgres dbname=postgres", autocommit=True
    )
    admin.execute(f'CREATE DATABASE "{database}"')
    url = f"{PG}/{database}"
    feed_url = f"{REDIS}?prefix=bench-{secrets.token_hex(3)}"
    raw_channel = f"bench-raw-{secrets.token_hex(3)}"
    registry = PostgresRegistry(url)
    registry.add(TenantRecord(TENANT, "sqlite:///unused.db"))
    context = mp.get_context("spawn")
    out = context.Queue()
    workers = [
        context.Process(
            target=watcher, args=(url, feed_url, raw_channel, args.rounds, out)
        )
        for _ in range(args.processes)
    ]
    for worker in workers:
        worker.start()
    for _ in workers:
        assert out.get(timeout=60) == "ready"
    operator = Tenancy(url, TenancySettings(change_feed_url=feed_url))
    try:
        feed = _rounds(
            args,
            out,
            lambda i: set_status(operator, TENANT, SUSPENDED if i % 2 == 0 else ACTIVE),
        )
        client = redis.Redis.from_url(REDIS)
        raw = _rounds(args, out, lambda i: client.publish(raw_channel, str(i)))
    finally:
        for worker in workers:
            worker.join(timeout=30)
        operator.close()
        operator.registry.dispose()
        registry.dispose()
        admin.execute(f'DROP DATABASE "{database}" WITH (FORCE)')
    print(f"{args.processes} processes, {args.rounds} changes each")
    for name, values in (("change feed", feed), ("raw pub/sub", raw)):
        print(
            f"  {name:12} every process applied: median {statistics.median(values):6.2f} ms,"
            f" max {max(values):6.2f} ms"
        )
    print(f"  ratio (median): {statistics.median(feed) / statistics.median(raw):.1f}x")
    return 0


def _rounds(args, out, change) -> list[float]:
    """Make each change after the previous one landed everywhere; return ms to the last."""
    spent = []
    for i in range(args.rounds):
        time.sleep(0.05)  # let the watchers settle in their polling loops
        done = time.monotonic()
        change(i)
        landed = [out.get(timeout=30)[1] for _ in range(args.processes)]
        spent.append((max(landed) - done) * 1000)
    return spent


if __name__ == "__main__":
    raise SystemExit(main())
