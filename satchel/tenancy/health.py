"""The tenancy readiness check: is the registry readable, is a server's connection budget
full, has a database server refused this process's last connection to it?

It never touches tenant databases: 1,500 of them are not a readiness signal for one pod.
A server down is a warning naming it, not a failure: the other servers' tenants still need
this pod, and that server's tenants get 503 either way.
"""

from __future__ import annotations

from satchel.tenancy.errors import RegistryUnavailable
from satchel.tenancy.runtime import Tenancy, current_tenancy


def health_check(tenancy: Tenancy | None = None) -> tuple[str, str]:
    """Return ``("pass" | "warn" | "fail", detail)`` for the tenancy component."""
    tenancy = tenancy or current_tenancy()
    try:
        tenancy.registry.ping()
    except RegistryUnavailable as exc:
        return "fail", str(exc)
    stats = tenancy.engines.stats()
    problems = [
        f"database server {server} unreachable ({why})"
        for server, why in tenancy.engines.unreachable_servers().items()
    ] + [
        f"connection budget of server {server} full ({state['limit']} open)"
        for server, state in tenancy.engines.servers().items()
        if state["open"] >= state["limit"]
    ]
    if problems:
        return "warn", "; ".join(problems)
    return "pass", f"registry reachable; {stats['engines']} tenant engines open"
