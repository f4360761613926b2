"""The tenancy readiness check: is the registry readable, is a server's connection budget
full, has a database server refused this process's last connection to it?

It never touches tenant databases: 1,500 of them are not a readiness signal for one pod.
A registry outage is a warning, not a failure, while a snapshot of it serves known tenants:
failing every task's readiness at once would take the whole service down with it. A server
down is a warning naming it too: the other servers' tenants still need this pod, and that
server's tenants get 503 either way.
"""

from __future__ import annotations

from satchel.tenancy.errors import RegistryUnavailable
from satchel.tenancy.runtime import Tenancy, current_tenancy


def health_check(tenancy: Tenancy | None = None) -> tuple[str, str]:
    """Return ``("pass" | "warn" | "fail", detail)`` for the tenancy component."""
    tenancy = tenancy or current_tenancy()
    cache = tenancy.cache
    try:
        tenancy.registry.ping()
        cache.warm()  # a snapshot to serve from, should the registry go away later
    except RegistryUnavailable as exc:
        age = cache.snapshot_age()
        if age is None:
            return "fail", str(exc)
        return "warn", (
            f"{exc}; serving {cache.size} known tenants from the registry as read"
            f" {age:.0f} s ago (unknown hosts get 503)"
        )
    feed = tenancy.feed
    stats = tenancy.engines.stats()
    problems = [
        f"database server {server} unreachable ({why})"
        for server, why in tenancy.engines.unreachable_servers().items()
    ] + [
        f"connection budget of server {server} full ({state['limit']} open)"
        for server, state in tenancy.engines.servers().items()
        if state["open"] >= state["limit"]
    ]
    if feed is not None and feed.failing:
        problems.append(
            f"tenant change feed at {feed.public_url} is down: registry changes apply"
            f" within {cache.ttl:.0f} s instead of at once"
        )
    if problems:
        return "warn", "; ".join(problems)
    return "pass", f"registry reachable; {stats['engines']} tenant engines open"
