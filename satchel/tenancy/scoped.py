"""Cache keys and background jobs that carry the tenant by construction."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, Generic, ParamSpec, TypeVar

from satchel.tenancy.errors import NoTenantError
from satchel.tenancy.unit import current_tenant, tenant_scope

if TYPE_CHECKING:
    from satchel.tenancy.runtime import Tenancy

P = ParamSpec("P")
R = TypeVar("R")


def cache_key(*parts: object) -> str:
    """Return ``tenant:<tenant>:<parts...>``; raise NoTenantError outside tenant scope."""
    if not parts:
        raise ValueError(
            "cache_key() needs at least one part, e.g. cache_key('students', 42)"
        )
    return ":".join(("tenant", current_tenant(), *(str(part) for part in parts)))


def run_in_tenant(
    tenant_id: str | None,
    fn: Callable[..., R],
    /,
    *args: Any,
    tenancy: Tenancy | None = None,
    **kwargs: Any,
) -> R:
    """Call ``fn`` inside ``tenant_scope(tenant_id)``; a missing tenant fails loudly."""
    if not tenant_id:
        raise NoTenantError(
            f"{getattr(fn, '__qualname__', fn)!r} was run without a tenant; background work"
            " must name its tenant (run_in_tenant('school-a', fn) or job.bind(...))"
        )
    with tenant_scope(tenant_id, tenancy=tenancy):
        return fn(*args, **kwargs)


class TenantJob(Generic[P, R]):
    """A function that always runs for an explicitly named tenant.

    Call it as ``job(tenant_id, *args)``; ``job.bind(*args)`` captures the tenant (and the
    tenancy runtime) in scope now, returning a no-argument callable for a thread pool or
    a queue.
    """

    def __init__(self, fn: Callable[P, R], tenancy: Tenancy | None = None) -> None:
        functools.update_wrapper(self, fn)
        self.fn = fn
        self.tenancy = tenancy

    def __call__(self, tenant_id: str | None, *args: Any, **kwargs: Any) -> R:
        """Run the job for ``tenant_id``."""
        return run_in_tenant(tenant_id, self.fn, *args, tenancy=self.tenancy, **kwargs)

    def bind(self, *args: Any, **kwargs: Any) -> Callable[[], R]:
        """Return the job bound to the current tenant, ready to run anywhere later."""
        from satchel.tenancy.runtime import current_tenancy

        tenancy = self.tenancy or current_tenancy()
        bound = TenantJob(self.fn, tenancy)
        return functools.partial(bound, current_tenant(), *args, **kwargs)


def job(fn: Callable[P, R]) -> TenantJob[P, R]:
    """Declare ``fn`` as tenant-scoped background work (see :class:`TenantJob`)."""
    return TenantJob(fn)
