"""The unit of work: one tenant, one lazily opened SQLAlchemy session, for a request or a job.

The tenant is held in :data:`satchel.context.tenant_id` (and the log context) for exactly as
long as the unit lasts. The session is bound to that tenant's engine and refuses to run if
the tenant in context changes under it, so a bug can fail but cannot cross tenants.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog
from sqlalchemy.orm import Session

from satchel import context
from satchel.tenancy.errors import NoTenantError, TenantSwitchError
from satchel.tenancy.records import TenantRecord

if TYPE_CHECKING:
    from satchel.tenancy.runtime import Tenancy

_current: ContextVar[UnitOfWork | None] = ContextVar(
    "satchel_tenancy_unit", default=None
)


class TenantSession(Session):
    """A session that only ever talks to one tenant's database."""

    def __init__(self, tenant_id: str, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.tenant_id = tenant_id

    def get_bind(self, *args: Any, **kwargs: Any) -> Any:
        """Return the tenant's engine, refusing if the tenant in context has changed."""
        current = context.tenant_id.get()
        if current != self.tenant_id:
            raise TenantSwitchError(
                f"session of tenant {self.tenant_id!r} used while the tenant in context is"
                f" {current!r}; open a new tenant_scope() for the other tenant instead"
            )
        return super().get_bind(*args, **kwargs)


class UnitOfWork:
    """One tenant's work: holds its record and, once asked for, a session on its engine."""

    def __init__(self, tenancy: Tenancy, record: TenantRecord) -> None:
        self.tenancy = tenancy
        self.record = record
        self._session: TenantSession | None = None

    @property
    def tenant_id(self) -> str:
        """Return the id of the tenant this unit belongs to."""
        return self.record.id

    def session(self) -> TenantSession:
        """Return the unit's session, leasing the tenant's engine on first call."""
        if self._session is None:
            engine = self.tenancy.engines.lease(self.record)
            self._session = TenantSession(
                self.tenant_id, bind=engine, expire_on_commit=False
            )
        return self._session

    def commit(self) -> None:
        """Commit the session's work, if a session was opened."""
        if self._session is not None:
            self._session.commit()

    def close(self) -> None:
        """Roll back anything uncommitted, close the session and release the engine."""
        if self._session is None:
            return
        try:
            self._session.close()
        finally:
            self._session = None
            self.tenancy.engines.release(self.tenant_id)


@dataclass(frozen=True)
class _Entered:
    unit: UnitOfWork
    unit_token: Token
    tenant_token: Token
    log_tokens: Any


def enter_unit(tenancy: Tenancy, record: TenantRecord) -> _Entered:
    """Start a unit of work for ``record`` and put its tenant in context."""
    if _current.get() is not None:
        raise TenantSwitchError(
            f"a unit of work for tenant {_current.get().tenant_id!r} is already open;"
            f" finish it before starting one for {record.id!r}"
        )
    unit = UnitOfWork(tenancy, record)
    return _Entered(
        unit=unit,
        unit_token=_current.set(unit),
        tenant_token=context.tenant_id.set(record.id),
        log_tokens=structlog.contextvars.bind_contextvars(tenant=record.id),
    )


def exit_unit(entered: _Entered) -> None:
    """Close the unit's session and restore the context as it was before it."""
    try:
        entered.unit.close()
    finally:
        structlog.contextvars.reset_contextvars(**entered.log_tokens)
        context.tenant_id.reset(entered.tenant_token)
        _current.reset(entered.unit_token)


@contextmanager
def tenant_scope(
    tenant_id: str, *, tenancy: Tenancy | None = None
) -> Iterator[UnitOfWork]:
    """Run a block as ``tenant_id``: commit its session on success, roll back on error.

    Re-entering the tenant already in scope reuses its unit; entering another raises.
    """
    active = _current.get()
    if active is not None:
        if active.tenant_id != tenant_id:
            raise TenantSwitchError(
                f"cannot enter tenant {tenant_id!r} inside the unit of work of tenant"
                f" {active.tenant_id!r}; run it as a separate job (run_in_tenant) instead"
            )
        yield active
        return
    from satchel.tenancy.runtime import current_tenancy

    runtime = tenancy or current_tenancy()
    entered = enter_unit(runtime, runtime.admit(tenant_id))
    try:
        yield entered.unit
        entered.unit.commit()
    finally:
        exit_unit(entered)


def current_unit() -> UnitOfWork:
    """Return the open unit of work, or raise NoTenantError."""
    unit = _current.get()
    if unit is None:
        raise NoTenantError(
            "no tenant in scope: this code needs a tenant; it runs inside a request on a"
            " tenant host, or wrap it in tenancy.tenant_scope('<tenant>')"
        )
    return unit


def session() -> TenantSession:
    """Return the SQLAlchemy session of the current tenant's unit of work."""
    return current_unit().session()


def current_tenant() -> str:
    """Return the tenant in scope, or raise NoTenantError."""
    tenant = context.tenant_id.get()
    if not tenant:
        raise NoTenantError(
            "no tenant in scope: tenant-scoped keys and jobs need one; run inside a tenant"
            " request or tenancy.tenant_scope('<tenant>'), or pass the tenant explicitly"
        )
    return tenant
