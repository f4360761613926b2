"""A leak probe for service test suites: hammer many tenants at once, report any crossing.

Each tenant holds a sentinel row naming itself. ``fetch(tenant)`` makes one request as that
tenant and returns the status and the set of sentinel names the response contained. Any
response that shows another tenant's sentinel, or not its own, is a leak.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

Fetch = Callable[[str], tuple[int, set[str]]]


@dataclass(frozen=True)
class ProbeResult:
    """What the probe saw: how many requests, which leaked, which failed outright."""

    requests: int
    leaks: tuple[str, ...]
    errors: tuple[str, ...]

    @property
    def ok(self) -> bool:
        """Return True if no response crossed tenants and none failed."""
        return not self.leaks and not self.errors


def probe_for_leaks(
    fetch: Fetch, tenants: Sequence[str], *, rounds: int = 5, threads: int = 16
) -> ProbeResult:
    """Request every tenant ``rounds`` times from ``threads`` threads, interleaved."""
    if len(tenants) < 2:
        raise ValueError("a leak probe needs at least two tenants to tell them apart")
    order = list(itertools.chain.from_iterable(itertools.repeat(tenants, rounds)))
    leaks: list[str] = []
    errors: list[str] = []

    def one(tenant: str) -> None:
        status, seen = fetch(tenant)
        if status != 200:
            errors.append(f"{tenant}: HTTP {status}")
        elif seen != {tenant}:
            leaks.append(f"{tenant}: saw {sorted(seen)}")

    with ThreadPoolExecutor(max_workers=threads) as pool:
        list(pool.map(one, order))
    return ProbeResult(len(order), tuple(leaks), tuple(errors))


def assert_no_leak(result: ProbeResult) -> None:
    """Fail with every leak and error listed unless the probe came back clean."""
    if not result.ok:
        lines = [f"leak probe: {len(result.leaks)} leaks, {len(result.errors)} errors"]
        lines += [f"  leak  {item}" for item in result.leaks[:20]]
        lines += [f"  error {item}" for item in result.errors[:20]]
        raise AssertionError("\n".join(lines))
