"""``flask flags list|set|history``: inspect flags and change rules, every change recorded."""

from __future__ import annotations

import getpass
import json
import subprocess
from typing import Any

import click
from flask.cli import AppGroup

from satchel.flags.errors import FlagError
from satchel.flags.evaluation import current_engine
from satchel.flags.rules import parse_rule, parse_value

cli = AppGroup(
    "flags", help="List flags, change their rules, and show who changed what."
)


def default_who() -> str:
    """Return who is changing flags: $USER, else git's user.name, else 'unknown'."""
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        pass
    try:
        name = subprocess.run(
            ["git", "config", "user.name"], capture_output=True, text=True, check=False
        ).stdout.strip()
    except OSError:
        name = ""
    return name or "unknown"


def _compact(rule: dict[str, Any] | None) -> str:
    return (
        "-" if rule is None else json.dumps(rule, sort_keys=True, separators=(",", ":"))
    )


@cli.command("list")
@click.option("--tenant", help="Show the value this tenant gets.")
def list_flags(tenant: str | None) -> None:
    """List declared flags with kind, owner, expiry, stored rule and current value."""
    engine = current_engine()
    rows = [("KEY", "TYPE", "KIND", "OWNER", "EXPIRES", "DEFAULT", "VALUE", "RULE")]
    for key, flag in engine.registry.items():
        rule = engine.compiled[key].rule.to_dict()
        rows.append(
            (
                key,
                flag.type.__name__,
                flag.kind.value,
                flag.owner,
                str(flag.expires or "-"),
                json.dumps(flag.default),
                json.dumps(engine.resolve(key, tenant)[0]),
                _compact(rule or None),
            )
        )
    widths = [
        max(len(row[column]) for row in rows) for column in range(len(rows[0]) - 1)
    ]
    for row in rows:
        click.echo(
            "  ".join(cell.ljust(width) for cell, width in zip(row, widths))
            + "  "
            + row[-1]
        )
    status, detail = engine.health()
    click.echo(f"\nstore: {engine.store.describe()} ({status}: {detail})")


@cli.command("set")
@click.argument("key")
@click.option(
    "--on/--off", "enabled", default=None, help="Switch on or off for everyone else."
)
@click.option(
    "--value", "raw_value", help="The value served when on (string/number flags)."
)
@click.option(
    "--percentage", type=click.FloatRange(0, 100), help="Roll out to this % of tenants."
)
@click.option(
    "--tenant-on", multiple=True, help="Turn on for this tenant (repeatable)."
)
@click.option(
    "--tenant-off", multiple=True, help="Turn off for this tenant (repeatable)."
)
@click.option("--tenant-clear", multiple=True, help="Drop this tenant from both lists.")
@click.option(
    "--kill/--unkill", default=None, help="Kill switch: force off, above every rule."
)
@click.option(
    "--reset",
    is_flag=True,
    help="Remove the stored rule; the declared default applies.",
)
@click.option("--reason", required=True, help="Why: recorded in the history.")
@click.option("--who", default=default_who, help="Who is changing it (default: $USER).")
def set_flag(key: str, reason: str, who: str, reset: bool, **changes: Any) -> None:
    """Change one flag's rule; the change is recorded with who, when, why, old and new."""
    engine = current_engine()
    try:
        flag = engine.registry[key]
        if changes["raw_value"] is not None:
            changes["value"] = parse_value(flag, changes.pop("raw_value"))
        else:
            changes.pop("raw_value")
    except FlagError as error:
        raise click.UsageError(str(error)) from None
    if not reset and not any(v not in (None, ()) for v in changes.values()):
        raise click.UsageError(
            "Nothing to change: give --on/--off, --value, --percentage, --tenant-on, "
            "--tenant-off, --tenant-clear, --kill/--unkill or --reset."
        )

    def apply(old: dict[str, Any] | None) -> dict[str, Any] | None:
        if reset:
            return None
        rule = dict(old or {})
        on, off = set(rule.get("tenants_on", [])), set(rule.get("tenants_off", []))
        on = (on | set(changes["tenant_on"])) - set(changes["tenant_off"])
        off = (off | set(changes["tenant_off"])) - set(changes["tenant_on"])
        on, off = on - set(changes["tenant_clear"]), off - set(changes["tenant_clear"])
        rule.update(tenants_on=sorted(on), tenants_off=sorted(off))
        for name, field in (
            ("enabled", "enabled"),
            ("value", "value"),
            ("kill", "killed"),
        ):
            if changes.get(name) is not None:
                rule[field] = changes[name]
        if changes["percentage"] is not None:
            rule["percentage"] = changes["percentage"]
        return parse_rule(flag, rule, "flask flags set").to_dict() or None

    try:
        record = engine.change(key, apply, who, reason)
    except FlagError as error:
        raise click.ClickException(str(error)) from None
    click.echo(
        f"{key}: {_compact(record.old)} -> {_compact(record.new)} (by {who}: {reason})"
    )


@cli.command("history")
@click.argument("key", required=False)
@click.option(
    "--limit", type=click.IntRange(min=1), default=50, help="Show at most this many."
)
def history(key: str | None, limit: int) -> None:
    """Show recorded changes, oldest first: when, who, flag, old -> new, why."""
    engine = current_engine()
    try:
        if key is not None:
            engine.registry[key]
        records = engine.store.history(key, limit)
    except FlagError as error:
        raise click.ClickException(str(error)) from None
    for r in records:
        click.echo(
            f"{r.when}  {r.who}  {r.flag}  {_compact(r.old)} -> {_compact(r.new)}  {r.why}"
        )
