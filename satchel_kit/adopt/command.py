"""``satchel adopt PATH``: report a Connexion service's operations, link it to the template.

1. Find the Connexion app(s) by reading the code (``detect``).
2. Resolve every operation the way the compat router will (``survey``): print each with its
   handler, or the handler looked for and what is wrong. A handler that cannot be found stops
   here (exit 1), before anything is written.
3. Copy the template's link, satchel pin and hooks config in (``template``), run the standards
   report, and print what is left to do as a checklist.
"""

from __future__ import annotations

import contextlib
import io
import sys
from collections.abc import Iterator
from pathlib import Path

import click

from hooks.report import collect_report
from satchel.api.connexion_compat.survey import Finding, survey
from satchel.api.errors import ApiError
from satchel.openapi import SpecError
from satchel_kit.adopt.detect import ConnexionApp, find_apps
from satchel_kit.adopt.errors import AdoptError
from satchel_kit.adopt.template import link_to_template, service_name_for

__all__ = ["adopt"]

KIT = Path(__file__).resolve().parents[2]
#: Rules about satchel's own handler layout, which a service in compat mode does not follow.
LAYOUT_RULES = ("SAT-API-004", "SAT-API-007")


@click.command()
@click.argument(
    "path", type=click.Path(exists=True, file_okay=False, path_type=Path), default="."
)
@click.option(
    "--kit",
    type=click.Path(file_okay=False, path_type=Path),
    default=KIT,
    show_default="this kit",
    help="The satchel kit checkout whose template the service links to.",
)
@click.option(
    "--name", help="Service name for the template (default: the folder's name)."
)
@click.option(
    "--report-only", is_flag=True, help="Print the operations report; change nothing."
)
def adopt(path: Path, kit: Path, name: str | None, report_only: bool) -> None:
    """Bring an existing Connexion service aboard: report, link to the template, checklist."""
    root = path.resolve()
    apps = find_apps(root)
    findings = _report(root, apps)
    unresolved = [f for f in findings if f.unresolved]
    if unresolved:
        raise AdoptError(
            f"{len(unresolved)} operation(s) name handlers that cannot be found; nothing was "
            "changed. Fix these (or the spec) and run adopt again:\n"
            + "\n".join(f"  - {f.where}: {_looked_for(f)}" for f in unresolved)
        )
    if report_only:
        return
    linked = link_to_template(root, kit.resolve(), name or service_name_for(root))
    click.echo("\nTemplate link:")
    for file, what in linked:
        click.echo(f"  {file}: {what}")
    results, table = collect_report([str(root)])
    click.echo("\nStandards report (satchel-standards):\n" + table)
    failing = [r.rule_id for r in results if r.status == "fail"]
    click.echo("\nLeft to do:")
    for item in _checklist(root, apps, findings, linked, failing):
        click.echo(f"  [ ] {item}")


def _looked_for(finding: Finding) -> str:
    """Say which handler was looked for, unless the problem already names it."""
    if finding.handler is None or finding.handler in (finding.problem or ""):
        return finding.problem or ""
    return f"looked for {finding.handler}: {finding.problem}"


def _report(root: Path, apps: list[ConnexionApp]) -> list[Finding]:
    """Print every operation of every API with its handler; return the findings."""
    findings: list[Finding] = []
    for app in apps:
        where = f"{app.source.relative_to(root)}:{app.line}"
        click.echo(f"Connexion {app.kind} in {where}")
        for api in app.apis:
            click.echo(
                f"  spec {api.spec.relative_to(root)} (add_api, line {api.line})"
            )
            for note in api.notes:
                click.echo(f"    note: {note}")
            try:
                with _importable(app.source.parent), _quiet():
                    found = survey(
                        api.spec,
                        resolver=api.resolver,
                        arguments=api.arguments,
                        pythonic_params=api.pythonic_params,
                    )
            except (SpecError, ApiError, OSError) as error:
                raise AdoptError(
                    f"{api.spec}: the spec cannot be read: {error}"
                ) from None
            for finding in found:
                mark = "ok" if finding.problem is None else "!!"
                line = (
                    f"    {mark} {finding.method} {finding.path} -> {finding.handler}"
                )
                click.echo(line + (f": {finding.problem}" if finding.problem else ""))
            findings.extend(found)
    return findings


@contextlib.contextmanager
def _importable(directory: Path) -> Iterator[None]:
    """Import handlers as the service does when run from its app's folder."""
    sys.path.insert(0, str(directory))
    try:
        yield
    finally:
        sys.path.remove(str(directory))


@contextlib.contextmanager
def _quiet() -> Iterator[None]:
    """Keep what the service's modules print or log on import out of the report."""
    with (
        contextlib.redirect_stdout(io.StringIO()),
        contextlib.redirect_stderr(io.StringIO()),
    ):
        yield


def _checklist(
    root: Path,
    apps: list[ConnexionApp],
    findings: list[Finding],
    linked: list[tuple[str, str]],
    failing: list[str],
) -> list[str]:
    """Return what is left to do, in the order to do it."""
    items = [
        f"{app.source.relative_to(root)}:{app.line}: build the app with satchel: "
        "`from satchel.api import connexion_compat as connexion` in place of "
        "`import connexion` (and resolvers from satchel.api.connexion_compat)"
        for app in apps
    ]
    broken = [f for f in findings if f.problem]
    if broken:
        items.append(
            f"fix the {len(broken)} operation(s) marked !! above (or pass resolver_error=501 "
            "to add_api to serve the rest meanwhile)"
        )
    items.append(
        "serve it as WSGI: satchel-serve or granian --interface wsgi, not uvicorn"
    )
    if (root / "requirements.txt").exists() and (
        "Pipfile",
        "added from the template",
    ) in linked:
        items.append(
            "move requirements.txt's packages into the Pipfile, then `pipenv lock`"
        )
    items.append("install the git hooks: `pre-commit install`")
    layout = [rule for rule in failing if rule in LAYOUT_RULES]
    if layout:
        items.append(
            f"{', '.join(layout)} check satchel's own handler layout (<package>/api/<tag>.py); "
            "in compat mode waive them with a reason until the service moves to it"
        )
    others = [rule for rule in failing if rule not in LAYOUT_RULES]
    if others:
        items.append(f"fix the failing standards: {', '.join(others)} (report above)")
    items.append(
        "read satchel/api/CONNEXION.md, 'Differences', for what answers change"
    )
    return items
