"""Move a tenant's database to another server: suspend, fence, copy, verify, switch, resume.

Every step is written to the control plane's audit (:mod:`satchel.tenancy.journal`) before
the next begins, with who asked. A failure before the switch rolls back (the copy is
dropped, the source reopened, the tenant resumed where it was); a process that died
mid-move leaves its last step in the audit, and :func:`recover_move` finishes the move (it
had switched) or rolls it back (it had not). The source database is kept unless
``drop_source`` is given: it is the way back until someone decides it is not needed.
"""

from __future__ import annotations

import secrets
import time
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy.engine import make_url

from satchel.tenancy.copying import (
    check_audit_sealed,
    copy_by_dump,
    copy_by_template,
    database_of,
    fence,
    fingerprint,
    server_connection,
    unfence,
)
from satchel.tenancy.errors import MoveError
from satchel.tenancy.journal import ControlEvent, current_actor
from satchel.tenancy.provision import (
    create_database,
    drop_database,
    existing_tenant,
    set_status,
)
from satchel.tenancy.records import ACTIVE, MOVING, TenantRecord
from satchel.tenancy.roles import is_postgres, registry_url, with_login
from satchel.tenancy.runtime import Tenancy
from satchel.tenancy.servers import OPEN, ServerRecord, server_of

FINISHED = ("move-completed", "move-rolled-back")


@dataclass(frozen=True)
class MovePlan:
    """Where a move copies from and to (URLs without login: each process adds its own)."""

    move: str
    tenant: str
    from_server: str | None
    to_server: str
    source: str  # direct URL of the source database
    target: str  # direct URL of the new database
    registered: str  # what the registry will name (PgBouncer's address if pooled)
    original: str  # the registry's URL before the move
    method: str  # "template" (one server) or "dump"

    def details(self) -> dict[str, str | None]:
        return dict(self.__dict__)


@dataclass(frozen=True)
class MoveResult:
    """A finished move: what was copied, and how long the tenant was unavailable."""

    plan: MovePlan
    rows: dict[str, int]
    unavailable_ms: float
    source_dropped: bool


def move_tenant(
    tenancy: Tenancy,
    tenant_id: str,
    to_server: str,
    *,
    settle: float | None = None,
    grace: float = 5.0,
    drop_source: bool = False,
) -> MoveResult:
    """Move a tenant's database to ``to_server``; roll back on any failure before the switch.

    ``settle`` (default: the registry cache's TTL) is how long other processes may take to
    see the suspension; ``grace`` how long requests in flight may take to finish.
    """
    if pending_move(tenancy, tenant_id):
        raise MoveError(
            f"tenant {tenant_id!r} has an unfinished move; run 'flask tenants move"
            f" {tenant_id} --recover' to finish or roll it back first"
        )
    plan = plan_move(tenancy, tenant_id, to_server)
    role = _role(tenancy, plan)
    _journal(tenancy, "move-started", plan, **plan.details())
    record = existing_tenant(tenancy, tenant_id)
    created = False
    try:
        set_status(tenancy, tenant_id, MOVING)
        suspended = time.monotonic()
        _journal(tenancy, "move-suspended", plan)
        time.sleep(tenancy.settings.cache_ttl if settle is None else settle)
        tenancy.engines.discard(tenant_id)
        fence(_login(tenancy, plan.source), role, grace)
        _journal(tenancy, "move-fenced", plan)
        created = True
        _copy(tenancy, plan, role)
        _journal(tenancy, "move-copied", plan)
        rows = _verify(tenancy, plan, role)
        _journal(tenancy, "move-verified", plan, rows=rows)
        tenancy.registry.put(
            replace(
                record,
                database_url=plan.registered,
                server=plan.to_server,
                status=MOVING,
            )
        )
        _journal(tenancy, "move-switched", plan)
    except BaseException as exc:
        _roll_back(tenancy, plan, record, drop_target=created)
        _journal(tenancy, "move-rolled-back", plan, error=str(exc).splitlines()[0])
        if isinstance(exc, MoveError):
            raise
        raise MoveError(
            f"moving tenant {tenant_id!r} to {to_server!r} failed and was rolled back (the"
            f" tenant is served from {plan.from_server or 'its old server'} again):"
            f" {type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}"
        ) from exc
    set_status(tenancy, tenant_id, ACTIVE)
    unavailable_ms = (time.monotonic() - suspended) * 1000
    _journal(tenancy, "move-completed", plan, unavailable_ms=round(unavailable_ms, 1))
    if drop_source:
        drop_source_copy(tenancy, plan)
    return MoveResult(plan, rows, unavailable_ms, drop_source)


def plan_move(tenancy: Tenancy, tenant_id: str, to_server: str) -> MovePlan:
    """Return the move's plan, or raise MoveError saying why it cannot be done."""
    record = existing_tenant(tenancy, tenant_id)
    if record.status != ACTIVE:
        raise MoveError(
            f"tenant {tenant_id!r} is {record.status}; only an active tenant is moved"
            f" (resume it first: flask tenants resume {tenant_id})"
        )
    if not is_postgres(record.database_url):
        raise MoveError(
            f"tenant {tenant_id!r} is not on PostgreSQL; only PostgreSQL moves"
        )
    servers = {s.name: s for s in tenancy.registry.servers()}
    target = servers.get(to_server)
    if target is None:
        raise MoveError(
            f"no database server named {to_server!r}; known: {', '.join(sorted(servers)) or 'none'}"
        )
    if target.state != OPEN:
        raise MoveError(
            f"server {to_server!r} is {target.state}; a move needs an open server"
        )
    current = server_of(record, servers.values())
    if current == to_server:
        raise MoveError(f"tenant {tenant_id!r} is on {to_server!r} already")
    source = _direct(record.database_url, servers.get(current))
    same = (
        make_url(source).host == target.address[0]
        and (make_url(source).port or 5432) == target.address[1]
    )
    name = database_of(source)
    name = (name[:-2] if name.endswith("_m") else name + "_m") if same else name
    copy = make_url(record.database_url).set(database=name)
    copy_url = copy.render_as_string(hide_password=False)
    plan = MovePlan(
        move=secrets.token_hex(4),
        tenant=tenant_id,
        from_server=current,
        to_server=to_server,
        source=source,
        target=target.tenant_url(copy_url, direct=True),
        registered=registry_url(
            target.tenant_url(copy_url), tenancy.settings.runtime_role
        ),
        original=record.database_url,
        method="template" if same else "dump",
    )
    if _exists(_login(tenancy, plan.target)):
        raise MoveError(
            f"database {name!r} exists already on server {to_server!r}; drop it (an old copy?)"
            " or move elsewhere"
        )
    return plan


def pending_move(tenancy: Tenancy, tenant_id: str) -> list[ControlEvent]:
    """Return the audit entries of the tenant's unfinished move (empty if there is none)."""
    events = [
        e for e in tenancy.registry.events(tenant_id) if e.action.startswith("move-")
    ]
    starts = [i for i, e in enumerate(events) if e.action == "move-started"]
    if not starts:
        return []
    last = events[starts[-1] :]
    return [] if any(e.action in FINISHED for e in last) else last


def recover_move(tenancy: Tenancy, tenant_id: str) -> str | None:
    """Finish or roll back the tenant's interrupted move; return what was done, or None."""
    events = pending_move(tenancy, tenant_id)
    if not events:
        return None
    details = dict(events[0].details)
    plan = MovePlan(**{k: details[k] for k in MovePlan.__dataclass_fields__})
    record = existing_tenant(tenancy, tenant_id)
    if record.database_url == plan.registered or events[-1].action == "move-switched":
        if record.database_url != plan.registered:
            tenancy.registry.put(
                replace(record, database_url=plan.registered, server=plan.to_server)
            )
        set_status(tenancy, tenant_id, ACTIVE)
        since = datetime.fromisoformat(
            events[1].at if len(events) > 1 else events[0].at
        )
        unavailable = (datetime.now(since.tzinfo) - since).total_seconds() * 1000
        _journal(
            tenancy, "move-completed", plan, recovered=True, unavailable_ms=unavailable
        )
        return f"finished the move of {tenant_id} to {plan.to_server} (it had switched)"
    _roll_back(tenancy, plan, replace(record, status=ACTIVE), drop_target=True)
    _journal(
        tenancy, "move-rolled-back", plan, recovered=True, last_step=events[-1].action
    )
    return (
        f"rolled back the move of {tenant_id} to {plan.to_server} ({events[-1].action})"
    )


def drop_source_copy(tenancy: Tenancy, plan: MovePlan) -> None:
    """Drop the old copy a finished move kept."""
    drop_database(_login(tenancy, plan.source))
    _journal(tenancy, "move-source-dropped", plan, database=database_of(plan.source))


def _copy(tenancy: Tenancy, plan: MovePlan, role: str | None) -> None:
    source, target = _login(tenancy, plan.source), _login(tenancy, plan.target)
    if plan.method == "template":
        copy_by_template(source, target, role)
        return
    create_database(target, runtime_role=role)
    password = tenancy.login.password if tenancy.login else make_url(source).password
    copy_by_dump(source, target, password)


def _verify(tenancy: Tenancy, plan: MovePlan, role: str | None) -> dict[str, int]:
    before = fingerprint(_login(tenancy, plan.source), role)
    after = fingerprint(_login(tenancy, plan.target), role)
    if after["identity"] != [plan.tenant]:
        raise MoveError(
            f"the copy's identity row names {after['identity']}, not [{plan.tenant!r}]"
        )
    for part in ("rows", "rights"):
        if before[part] != after[part]:
            differ = sorted(
                t
                for t in set(before[part]) | set(after[part])
                if before[part].get(t) != after[part].get(t)
            )
            source = [before[part].get(t) for t in differ]
            copy = [after[part].get(t) for t in differ]
            raise MoveError(
                f"the copy differs from the source in {part} of {', '.join(differ)}:"
                f" source {source}, copy {copy}; the move was rolled back"
            )
    check_audit_sealed(after, role)
    return after["rows"]


def _roll_back(
    tenancy: Tenancy, plan: MovePlan, record: TenantRecord, *, drop_target: bool
) -> None:
    if drop_target:
        try:
            drop_database(_login(tenancy, plan.target))
        except (
            Exception
        ):  # noqa: BLE001 - the target server may be the thing that is down
            pass  # plan_move refuses to reuse the name later, so it cannot be mistaken
    unfence(_login(tenancy, plan.source), _role(tenancy, plan))
    tenancy.registry.put(record.with_status(MOVING))  # the source's entry, as it was
    set_status(
        tenancy, plan.tenant, ACTIVE
    )  # the resume path, so every process hears it


def _journal(tenancy: Tenancy, action: str, plan: MovePlan, **details: object) -> None:
    tenancy.registry.record_event(
        ControlEvent(
            action, plan.tenant, current_actor(), {"move": plan.move, **details}
        )
    )


def _direct(url: str, server: ServerRecord | None) -> str:
    plain = make_url(url).set(password=None).render_as_string(hide_password=False)
    return server.tenant_url(plain, direct=True) if server else plain


def _login(tenancy: Tenancy, url: str) -> str:
    return with_login(url, tenancy.login)


def _role(tenancy: Tenancy, plan: MovePlan) -> str | None:
    return tenancy.settings.runtime_role if is_postgres(plan.source) else None


def _exists(url: str) -> bool:
    try:
        with server_connection(url) as conn:
            return bool(
                conn.exec_driver_sql(
                    "SELECT 1 FROM pg_database WHERE datname = %(name)s",
                    {"name": database_of(url)},
                ).first()
            )
    except Exception as exc:  # noqa: BLE001 - reported as the server being unreachable
        raise MoveError(
            f"cannot reach the target server to check {database_of(url)!r}: {type(exc).__name__}"
        ) from exc
