"""``satchel-mock drift NEIGHBOUR --against PATH_OR_URL``: breaking changes under our calls.

Exit codes: 0 when nothing the service calls broke and every overlay example and recording
still validates against the current spec; 1 for a breaking change or an invalid example; 2
when drift could not run or could not read every call (no calls found, an unreachable URL, an
unreadable spec): never "ok" for a check that did not happen.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import NoReturn

import click
import requests

from satchel.openapi import Spec, SpecError, load_spec

from mockserver.core.engine import Engine
from mockserver.core.errors import AnswersInvalid, MockError
from mockserver.core.overlay import load_overlay
from mockserver.core.recordings import load_recordings, recordings_path
from mockserver.drift.calls import Scan, scan_calls
from mockserver.drift.compare import compare
from mockserver.runtime.config import DEFAULT_CONFIG, Neighbour, load_config

__all__ = ["EXIT_BREAKING", "EXIT_CANNOT_RUN", "drift"]

EXIT_BREAKING = 1
EXIT_CANNOT_RUN = 2


@click.command()
@click.argument("neighbour")
@click.option(
    "--against", required=True, help="The neighbour's current spec: a path or URL."
)
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_CONFIG,
    show_default=True,
)
@click.option(
    "--code",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    default=None,
    help="Where to look for .call(operation) [the folder of mocks.yaml].",
)
@click.option(
    "--journal",
    default=None,
    help="Also count operations in a mock journal (JSON file or /__satchel/journal URL).",
)
@click.option(
    "--all", "every", is_flag=True, help="Compare every operation, called or not."
)
def drift(
    neighbour: str,
    against: str,
    config_path: Path,
    code: Path | None,
    journal: str | None,
    every: bool,
) -> None:
    """Report breaking changes in a neighbour's spec, limited to the operations we call.

    Exit 0: nothing broke; 1: a breaking change or an invalid example; 2: drift could
    not run, or could not read every call.
    """
    try:
        config = load_config(config_path)
    except MockError as exc:
        _cannot_run(str(exc))
    entry = next((n for n in config.neighbours if n.name == neighbour), None)
    if entry is None:
        known = ", ".join(n.name for n in config.neighbours) or "none"
        _cannot_run(f"no neighbour {neighbour!r} in {config_path}; known: {known}.")
    vendored = _load(entry.spec, "the vendored spec")
    with tempfile.TemporaryDirectory() as folder:
        current = _load(_fetch(against, Path(folder)), f"the spec at {against}")
    scan = None
    used = None
    if not every:
        known = {op.operation_id for op in vendored.operations if op.operation_id}
        scan = scan_calls(code or config.path.parent, neighbour, known)
        used = scan.operations | (_journalled(journal, neighbour) if journal else set())
        _report_calls(scan, used, neighbour)
    changes = compare(vendored, current, used)
    problems = _recheck(entry, current)
    for change in changes:
        click.echo(str(change))
    for problem in problems:
        click.echo(f"invalid against the new spec: {problem}")
    breaking = [c for c in changes if c.breaking]
    if breaking or problems:
        click.echo(
            f"{len(breaking)} breaking change(s), {len(problems)} invalid example(s): "
            "update the client, the overlay or the recordings, then re-vendor and "
            "`satchel-mock pin`."
        )
        raise SystemExit(EXIT_BREAKING)
    if scan is not None and scan.unresolved:
        click.echo(
            f"incomplete: {len(scan.unresolved)} call(s) name their operation in a way "
            "drift cannot read, so their operations were not compared. Name the "
            "operation with a string or a constant, or run with --all.",
            err=True,
        )
        raise SystemExit(EXIT_CANNOT_RUN)
    click.echo("ok: no breaking changes in the operations called")


def _report_calls(scan: Scan, used: set[str], neighbour: str) -> None:
    """Print what was found; stop (exit 2) when no call was found at all."""
    for call in scan.unresolved:
        click.echo(f"unresolved: {call.where}: {call.text}: {call.reason}", err=True)
    if not used:
        clients = ", ".join(scan.clients) or "none"
        _cannot_run(
            f"found no call to a {neighbour} operation in {scan.root} "
            f"({scan.files} Python file(s) scanned; classes declaring "
            f'neighbour = "{neighbour}": {clients}; .call(...) calls read: '
            f"{len(scan.calls)}). Point --code at the service's code, add --journal "
            "FILE|URL, or compare --all."
        )
    click.echo(f"operations called: {', '.join(sorted(used))}")


def _cannot_run(message: str) -> NoReturn:
    click.echo(f"drift could not run: {message}", err=True)
    raise SystemExit(EXIT_CANNOT_RUN)


def _load(path: Path, what: str) -> Spec:
    """Load a spec, or stop with exit 2 saying which one and why."""
    try:
        return load_spec(path)
    except (SpecError, MockError, OSError) as exc:
        _cannot_run(f"cannot load {what}: {exc}")


def _fetch(against: str, folder: Path) -> Path:
    """Return a local path to the current spec (downloading a URL)."""
    if not against.startswith(("http://", "https://")):
        if not Path(against).is_file():
            _cannot_run(f"--against {against}: no such file.")
        return Path(against)
    answer = _get(against)
    suffix = ".json" if against.endswith(".json") else ".yaml"
    path = folder / f"current{suffix}"
    path.write_bytes(answer.content)
    return path


def _get(url: str) -> requests.Response:
    """GET ``url``, or stop with exit 2 saying why it failed (no traceback)."""
    try:
        answer = requests.get(url, timeout=30)
    except requests.RequestException as exc:
        reason = type(exc).__name__
        if isinstance(exc, requests.ConnectionError):
            reason = "connection refused or host unreachable"
        _cannot_run(f"cannot fetch {url}: {reason}.")
    if not answer.ok:
        _cannot_run(f"cannot fetch {url}: HTTP {answer.status_code}.")
    return answer


def _journalled(journal: str, neighbour: str) -> set[str]:
    """Return the operationIds of ``neighbour`` in a journal file or admin URL."""
    try:
        if journal.startswith(("http://", "https://")):
            data = _get(journal).json()
        else:
            data = json.loads(Path(journal).read_text(encoding="utf-8"))
        entries = data.get("entries", [])
    except (OSError, ValueError, AttributeError) as exc:
        _cannot_run(f"cannot read the journal {journal}: {exc}.")
    return {
        e["operation_id"]
        for e in entries
        if isinstance(e, dict)
        and e.get("neighbour") == neighbour
        and e.get("operation_id")
    }


def _recheck(entry: Neighbour, spec: Spec) -> list[str]:
    """Return what in the overlay and recordings no longer validates against ``spec``."""
    recorded = recordings_path(entry.spec)
    try:
        overlay = load_overlay(entry.overlay) if entry.overlay is not None else None
        recordings = load_recordings(recorded) if recorded.is_file() else None
        Engine(
            entry.name,
            spec,
            overlay,
            eager_limit=sys.maxsize,
            recordings=recordings,
            security=entry.security == "enforce",
        )
    except AnswersInvalid as exc:
        return [str(error) for error in exc.errors]
    except (MockError, SpecError) as exc:
        return [str(exc)]
    return []
