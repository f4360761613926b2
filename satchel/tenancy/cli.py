"""``flask tenants ...``: provision tenants, migrate them all, and gate deploys on drift."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from pathlib import Path

import click
from flask.cli import AppGroup

from satchel.tenancy.cli_move import audit_command, move_command
from satchel.tenancy.cli_servers import servers, tenancy_here
from satchel.tenancy.errors import TenancyError
from satchel.tenancy.migrate import MigrationSettings, migrate_tenants, plan_waves
from satchel.tenancy.provision import create_tenant, drop_tenant, set_status
from satchel.tenancy.records import ACTIVE, SUSPENDED, TenantRecord, redact_url
from satchel.tenancy.revisions import head_revision
from satchel.tenancy.roles import with_login
from satchel.tenancy.runtime import Tenancy
from satchel.tenancy.servers import server_key
from satchel.tenancy.status import CURRENT, by_server, tenant_statuses

cli = AppGroup("tenants", help="Create, list, suspend, drop and migrate tenants.")


def _fail(exc: TenancyError) -> click.ClickException:
    return click.ClickException(str(exc))


def _as_this_login(tenancy: Tenancy, records: list[TenantRecord]) -> list[TenantRecord]:
    """Return the records connecting as this process's login (the owner, for migrations)."""
    if tenancy.login is None:
        return records
    return [
        replace(r, database_url=with_login(r.database_url, tenancy.login))
        for r in records
    ]


@cli.command("create")
@click.argument("tenant")
@click.option(
    "--database-url", help="Database URL (default: from the configured template)."
)
@click.option(
    "--template", help="PostgreSQL template database to copy (fast provisioning)."
)
@click.option("--server", help="Database server to put it on (default: by placement).")
def create_command(
    tenant: str, database_url: str | None, template: str | None, server: str | None
) -> None:
    """Create TENANT: its database, identity row, schema and registry entry."""
    try:
        record = create_tenant(
            tenancy_here(),
            tenant,
            database_url=database_url,
            template=template,
            server=server,
        )
    except TenancyError as exc:
        raise _fail(exc) from exc
    where = f" on server {record.server}" if record.server else ""
    click.echo(f"created tenant {record.id}{where} at revision {record.revision}")


@cli.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_command(as_json: bool) -> None:
    """List every tenant with its status, revision and (password-free) database URL."""
    try:
        records = tenancy_here().registry.all()
    except TenancyError as exc:
        raise _fail(exc) from exc
    rows = [
        {
            "tenant": r.id,
            "status": r.status,
            "revision": r.revision,
            "server": r.server,
            "database": redact_url(r.database_url),
        }
        for r in records
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(
            f"{row['tenant']:<32} {row['status']:<10} {row['revision'] or '-':<14}"
            f" {row['server'] or '-':<12} {row['database']}"
        )


@cli.command("suspend")
@click.argument("tenant")
def suspend_command(tenant: str) -> None:
    """Suspend TENANT: its requests get 403 until it is resumed."""
    _set_status(tenant, SUSPENDED)


@cli.command("resume")
@click.argument("tenant")
def resume_command(tenant: str) -> None:
    """Resume a suspended TENANT."""
    _set_status(tenant, ACTIVE)


def _set_status(tenant: str, status: str) -> None:
    try:
        set_status(tenancy_here(), tenant, status)
    except TenancyError as exc:
        raise _fail(exc) from exc
    click.echo(f"tenant {tenant} is {status}")


@cli.command("drop")
@click.argument("tenant")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def drop_command(tenant: str, yes: bool) -> None:
    """Drop TENANT and its database. This cannot be undone."""
    if not yes:
        typed = click.prompt(
            f"This drops tenant {tenant} and all its data. Type its id to confirm"
        )
        if typed != tenant:
            raise click.ClickException(
                f"confirmation {typed!r} does not match {tenant!r}; nothing dropped"
            )
    try:
        drop_tenant(tenancy_here(), tenant)
    except TenancyError as exc:
        raise _fail(exc) from exc
    click.echo(f"dropped tenant {tenant}")


@cli.command("migrate")
@click.option(
    "--parallel", default=4, show_default=True, help="Databases migrated at once."
)
@click.option(
    "--per-server",
    default=2,
    show_default=True,
    help="Databases of one server migrated at once.",
)
@click.option("--server", "only_server", help="Migrate only this server's tenants.")
@click.option(
    "--wave-size",
    default=250,
    show_default=True,
    help="Tenants per wave after the canary.",
)
@click.option(
    "--canary", multiple=True, help="Tenant to migrate first, alone (repeatable)."
)
@click.option(
    "--continue-on-error", is_flag=True, help="Keep going after a tenant fails."
)
@click.option("--lock-timeout", default="5s", show_default=True)
@click.option("--statement-timeout", default="15min", show_default=True)
@click.option(
    "--report",
    "report_path",
    type=click.Path(dir_okay=False),
    help="Write the JSON report here.",
)
@click.option("--plan", "plan_only", is_flag=True, help="Print the waves and stop.")
def migrate_command(
    parallel: int,
    per_server: int,
    only_server: str | None,
    wave_size: int,
    canary: tuple[str, ...],
    continue_on_error: bool,
    lock_timeout: str,
    statement_timeout: str,
    report_path: str | None,
    plan_only: bool,
) -> None:
    """Migrate every tenant to head: canary first, then parallel waves."""
    tenancy = tenancy_here()
    try:
        settings = MigrationSettings(
            tenancy.settings.script_location,
            parallel=parallel,
            per_server=per_server,
            wave_size=wave_size,
            canary=canary,
            continue_on_error=continue_on_error,
            lock_timeout=lock_timeout,
            statement_timeout=statement_timeout,
        )
        records = _as_this_login(tenancy, tenancy.registry.all())
        if only_server:
            records = [r for r in records if server_key(r) == only_server]
        if plan_only:
            for number, wave in enumerate(plan_waves(records, canary, wave_size)):
                click.echo(
                    f"wave {number}: {len(wave)} tenants ({', '.join(r.id for r in wave[:5])}"
                    f"{', ...' if len(wave) > 5 else ''})"
                )
            return
        with click.progressbar(
            length=len(records), label="migrating", file=sys.stderr
        ) as bar:
            report = migrate_tenants(
                records,
                settings,
                registry=tenancy.registry,
                on_outcome=lambda outcome: bar.update(1),
            )
    except TenancyError as exc:
        raise _fail(exc) from exc
    tenancy.cache.invalidate()
    if report_path:
        Path(report_path).write_text(report.to_json() + "\n", encoding="utf-8")
    for outcome in report.outcomes:
        if outcome.status == "failed":
            click.echo(f"FAILED {outcome.tenant}: {outcome.error}", err=True)
    servers = report.by_server()
    for server, counts in servers.items() if len(servers) > 1 else ():
        down = report.servers_down.get(server)
        click.echo(
            f"server {server}: "
            + ", ".join(f"{n} {k.replace('_', ' ')}" for k, n in counts.items())
            + (f" (down: {down}; rerun to resume)" if down else "")
        )
    click.echo(report.summary_line())
    if not report.ok:
        raise SystemExit(1)


@cli.command("status")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def status_command(as_json: bool) -> None:
    """Show each tenant's schema revision; exit 1 if any is not at head (deploy gate)."""
    tenancy = tenancy_here()
    try:
        target = head_revision(tenancy.settings.script_location)
        statuses = tenant_statuses(
            _as_this_login(tenancy, tenancy.registry.all()),
            target,
            servers=tenancy.registry.servers(),
        )
    except TenancyError as exc:
        raise _fail(exc) from exc
    drifted = [s for s in statuses if s.state != CURRENT]
    groups = by_server(statuses)
    if as_json:
        click.echo(
            json.dumps(
                {
                    "head": target,
                    "drifted": len(drifted),
                    "servers": groups,
                    "tenants": [s.__dict__ for s in statuses],
                },
                indent=2,
            )
        )
    else:
        for name, counts in groups.items():
            if len(groups) > 1 or name != "-":
                click.echo(
                    f"server {name}: "
                    + ", ".join(f"{n} {k}" for k, n in counts.items())
                )
            for s in statuses:
                if (s.server or "-") == name:
                    click.echo(
                        f"{s.tenant:<32} {s.state:<12} {s.revision or '-':<14}"
                        f" {s.error or ''}".rstrip()
                    )
        click.echo(
            f"{len(statuses) - len(drifted)}/{len(statuses)} tenants at head {target}"
        )
    if drifted:
        raise SystemExit(1)


cli.add_command(servers)
cli.add_command(move_command)
cli.add_command(audit_command)
