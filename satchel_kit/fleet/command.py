"""``satchel fleet FLEET_FILE``: one report on every service of the fleet, held to a policy.

Exit 0 when the policy is met, 1 with one line per breach (on stderr), 2 for bad input (the
fleet file, a repository, a service that is not a Satchel stamp). Progress goes to stderr, one
line per service, so stdout stays the table (or the JSON).
"""

from __future__ import annotations

import time
from datetime import date
from pathlib import Path

import click

from satchel_kit.fleet.checkout import Checkout, check_out, default_cache
from satchel_kit.fleet.errors import EXIT_BREACH, EXIT_USAGE, FleetError
from satchel_kit.fleet.fleet_file import Fleet, load_fleet
from satchel_kit.fleet.kit_history import KitHistory, open_kit
from satchel_kit.fleet.page import render_page
from satchel_kit.fleet.policy import breaches
from satchel_kit.fleet.render import (
    FleetReport,
    render_breaches,
    render_json,
    render_table,
)


def _today(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(
            f"{value!r} is not a date; use YYYY-MM-DD", param_hint="--today"
        ) from None


def _kits(fleet: Fleet, checkouts: list[Checkout], cache: Path) -> list[KitHistory]:
    """Return the kit each service is read against (the fleet's, else its template's)."""
    opened: dict[str, KitHistory] = {}
    kits, problems = [], []
    for checkout in checkouts:
        source = fleet.kit or checkout.cruft["template"]
        base = fleet.path.parent if fleet.kit else checkout.root
        try:
            if source not in opened:
                opened[source] = open_kit(source, base, cache)
            kits.append(opened[source])
        except FleetError as exc:
            entry = checkout.entry
            problems.append(f"{fleet.path}:{entry.line}: service {entry.name!r}: {exc}")
    if problems:
        raise FleetError("\n".join(problems))
    return kits


def build_report(fleet: Fleet, cache: Path | None, today: date) -> FleetReport:
    """Check out, inspect and judge every service, printing progress to stderr."""
    try:
        # The standards' hooks and cruft are the `fleet` extra, not satchel's runtime.
        from satchel_kit.fleet.inspect_service import inspect
    except ImportError as exc:
        raise FleetError(
            f"satchel fleet needs the 'fleet' extra ({exc}); pip install 'satchel[fleet]'"
        ) from exc
    cache = cache or fleet.cache or default_cache()
    checkouts = check_out(fleet, cache)
    kits = _kits(fleet, checkouts, cache)
    reports = []
    for number, (checkout, kit) in enumerate(zip(checkouts, kits), start=1):
        started = time.perf_counter()
        report = inspect(checkout, kit, today)
        reports.append(report)
        click.echo(
            f"[{number}/{len(checkouts)}] {report.name}: {report.template_release},"
            f" {time.perf_counter() - started:.1f}s",
            err=True,
        )
    return FleetReport(
        today.isoformat(),
        kits[0].latest() if kits else None,
        tuple(reports),
        tuple(breaches(reports, fleet.policy)),
    )


@click.command("fleet")
@click.argument("fleet_file", type=click.Path(path_type=Path, dir_okay=False))
@click.option(
    "--json", "as_json", is_flag=True, help="Print JSON instead of the table."
)
@click.option(
    "--html",
    "html_file",
    type=click.Path(path_type=Path, dir_okay=False, writable=True),
    help="Also write the report as a static HTML page to this file.",
)
@click.option(
    "--cache",
    type=click.Path(path_type=Path, file_okay=False),
    help="Where git services and kits are cloned (default: the fleet file's 'cache:',"
    " else ~/.cache/satchel/fleet).",
)
@click.option("--today", help="YYYY-MM-DD for ages and flag expiry (default: today).")
def fleet(
    fleet_file: Path,
    as_json: bool,
    html_file: Path | None,
    cache: Path | None,
    today: str | None,
) -> None:
    """Report each service's template release, satchel pin, drift, standards and flags.

    FLEET_FILE is YAML listing the services (paths or git URLs) and the policy they must
    meet; see satchel_kit/fleet/README.md.
    """
    day = _today(today)
    try:
        loaded = load_fleet(fleet_file)
        report = build_report(loaded, cache, day)
    except FleetError as exc:
        for line in str(exc).splitlines():
            click.echo(f"error: {line}", err=True)
        raise SystemExit(EXIT_USAGE) from None
    click.echo(render_json(report) if as_json else render_table(report))
    if html_file is not None:
        html_file.write_text(
            render_page(report, loaded.policy, f"Satchel fleet: {fleet_file.stem}")
        )
        click.echo(f"wrote {html_file}", err=True)
    if report.breaches:
        click.echo(render_breaches(report.breaches), err=True)
        raise SystemExit(EXIT_BREACH)
