"""The tenancy readiness check: is the registry readable, is the connection budget full?

It never touches tenant databases: 1,500 of them are not a readiness signal for one pod.
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
    if stats["connections_open"] >= stats["connection_budget"]:
        return "warn", f"connection budget full ({stats['connection_budget']} open)"
    return "pass", f"registry reachable; {stats['engines']} tenant engines open"
