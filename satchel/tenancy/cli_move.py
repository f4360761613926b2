"""``flask tenants move`` and ``flask tenants audit``: move a tenant, read the control audit."""

from __future__ import annotations

import json

import click
from flask.cli import with_appcontext

from satchel.tenancy.cli_servers import tenancy_here
from satchel.tenancy.errors import TenancyError
from satchel.tenancy.move import drop_source_copy, move_tenant, recover_move


@click.command("move")
@with_appcontext
@click.argument("tenant")
@click.option("--to", "to_server", help="Server to move the tenant's database to.")
@click.option(
    "--drop-source", is_flag=True, help="Drop the old copy once the move is done."
)
@click.option("--yes", is_flag=True, help="Do not ask before dropping the old copy.")
@click.option(
    "--settle",
    type=float,
    help="Seconds for other processes to see the suspension (default: the cache TTL).",
)
@click.option(
    "--recover",
    "recover_only",
    is_flag=True,
    help="Only finish or roll back a move that was interrupted.",
)
def move_command(
    tenant: str,
    to_server: str | None,
    drop_source: bool,
    yes: bool,
    settle: float | None,
    recover_only: bool,
) -> None:
    """Move TENANT's database to another server (suspended meanwhile: 503 + Retry-After)."""
    tenancy = tenancy_here()
    if not recover_only and not to_server:
        raise click.UsageError("give --to SERVER (or --recover)")
    try:
        recovered = recover_move(tenancy, tenant)
        if recovered:
            click.echo(recovered)
        if recover_only:
            if not recovered:
                click.echo(f"tenant {tenant} has no unfinished move")
            return
        result = move_tenant(tenancy, tenant, to_server, settle=settle)
    except TenancyError as exc:
        raise click.ClickException(str(exc)) from exc
    plan = result.plan
    click.echo(
        f"moved tenant {tenant} from {plan.from_server or '?'} to {plan.to_server} by"
        f" {plan.method}: {sum(result.rows.values())} rows in {len(result.rows)} tables"
        f" verified; unavailable {result.unavailable_ms:.0f} ms"
    )
    if not drop_source:
        click.echo(
            f"the old copy is kept; drop it with --drop-source (move {plan.move})"
        )
        return
    if not yes:
        click.confirm(
            f"drop the old copy of {tenant} on {plan.from_server}?", abort=True
        )
    try:
        drop_source_copy(tenancy, plan)
    except TenancyError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"dropped the old copy of {tenant} on {plan.from_server}")


@click.command("audit")
@with_appcontext
@click.argument("subject", required=False)
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines.")
def audit_command(subject: str | None, as_json: bool) -> None:
    """Show the control plane's audit (moves, server changes), for SUBJECT if given."""
    try:
        events = tenancy_here().registry.events(subject)
    except TenancyError as exc:
        raise click.ClickException(str(exc)) from exc
    for event in events:
        if as_json:
            click.echo(json.dumps(event.as_dict(), sort_keys=True))
        else:
            click.echo(
                f"{event.at} {event.actor:<16} {event.action:<22} {event.subject}"
            )
