"""``flask tenants servers ...``: the estate's database servers, listed and edited."""

from __future__ import annotations

import json

import click
from flask import current_app
from flask.cli import AppGroup

from satchel.tenancy.errors import TenancyError
from satchel.tenancy.journal import ControlEvent, current_actor
from satchel.tenancy.records import redact_url
from satchel.tenancy.runtime import EXTENSION_KEY, Tenancy
from satchel.tenancy.servers import STATES, ServerRecord, tenant_counts

servers = AppGroup("servers", help="List, add and edit the estate's database servers.")


def tenancy_here() -> Tenancy:
    """Return the current app's tenancy, or fail the command saying how to wire it."""
    tenancy = current_app.extensions.get(EXTENSION_KEY)
    if tenancy is None:
        raise click.ClickException(
            "this app has no tenancy: call satchel.tenancy.init_app(app)"
        )
    return tenancy


@servers.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
def list_servers(as_json: bool) -> None:
    """List every server with its state, tenants and capacity."""
    tenancy = tenancy_here()
    try:
        found = tenancy.registry.servers()
        counts = tenant_counts(tenancy.registry.all(), found)
    except TenancyError as exc:
        raise click.ClickException(str(exc)) from exc
    rows = [
        {
            "server": s.name,
            "state": s.state,
            "tenants": counts[s.name],
            "capacity": s.capacity,
            "url": redact_url(s.url),
            "pool_url": redact_url(s.pool_url) if s.pool_url else None,
        }
        for s in found
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        click.echo(
            f"{row['server']:<16} {row['state']:<9} {row['tenants']:>5}/{row['capacity']:<6}"
            f" {row['url']}" + (f" via {row['pool_url']}" if row["pool_url"] else "")
        )
    if counts[None]:
        click.echo(f"{counts[None]} tenants are on no registered server")


@servers.command("add")
@click.argument("name")
@click.option("--url", required=True, help="Direct URL: postgresql://host:port.")
@click.option("--pool-url", help="PgBouncer URL the service connects through.")
@click.option("--capacity", type=int, default=500, show_default=True)
@click.option("--state", type=click.Choice(STATES), default="open", show_default=True)
def add_server(
    name: str, url: str, pool_url: str | None, capacity: int, state: str
) -> None:
    """Register database server NAME."""
    tenancy = tenancy_here()
    try:
        if any(s.name == name for s in tenancy.registry.servers()):
            raise click.ClickException(
                f"server {name!r} exists already; change it with"
                f" 'flask tenants servers edit {name}'"
            )
        server = ServerRecord(name, url, pool_url, capacity, state)
        _save(tenancy, server, "server-added")
    except TenancyError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"added server {name} ({state}, capacity {capacity})")


@servers.command("edit")
@click.argument("name")
@click.option("--url", help="Direct URL: postgresql://host:port.")
@click.option("--pool-url", help="PgBouncer URL ('' for none).")
@click.option("--capacity", type=int)
@click.option("--state", type=click.Choice(STATES))
def edit_server(
    name: str,
    url: str | None,
    pool_url: str | None,
    capacity: int | None,
    state: str | None,
) -> None:
    """Change server NAME: its URLs, capacity, or state (open, draining, closed)."""
    tenancy = tenancy_here()
    changes = {
        key: value
        for key, value in {"url": url, "capacity": capacity, "state": state}.items()
        if value is not None
    }
    if pool_url is not None:
        changes["pool_url"] = pool_url or None
    if not changes:
        raise click.UsageError(
            "nothing to change: give --url, --pool-url, --capacity or --state"
        )
    try:
        by_name = {s.name: s for s in tenancy.registry.servers()}
        if name not in by_name:
            raise click.ClickException(
                f"no server named {name!r}; known: {', '.join(sorted(by_name)) or 'none'}"
            )
        _save(tenancy, by_name[name].with_changes(**changes), "server-edited")
    except TenancyError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"server {name}: " + ", ".join(f"{k}={v}" for k, v in changes.items()))


def _save(tenancy: Tenancy, server: ServerRecord, action: str) -> None:
    tenancy.registry.put_server(server)
    tenancy.registry.record_event(
        ControlEvent(action, f"server:{server.name}", current_actor(), server.as_dict())
    )
