"""``satchel-mock drift NEIGHBOUR --against PATH_OR_URL``: breaking changes under our calls.

Exit 0 when nothing the service calls broke and every overlay example and recording still
validates against the current spec; 1 otherwise (for CI).
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path

import click
import requests

from satchel.openapi import SpecError, load_spec

from mockserver.core.engine import Engine
from mockserver.core.errors import AnswersInvalid, MockError
from mockserver.core.overlay import load_overlay
from mockserver.core.recordings import load_recordings, recordings_path
from mockserver.drift.compare import compare, used_operations
from mockserver.runtime.config import DEFAULT_CONFIG, load_config

__all__ = ["drift"]


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
    help='Where to look for .call("operation_id") [the folder of mocks.yaml].',
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
    """Report breaking changes in a neighbour's spec, limited to the operations we call."""
    config = load_config(config_path)
    entry = next((n for n in config.neighbours if n.name == neighbour), None)
    if entry is None:
        known = ", ".join(n.name for n in config.neighbours) or "none"
        raise MockError(f"no neighbour {neighbour!r} in {config_path}; known: {known}.")
    vendored = load_spec(entry.spec)
    with tempfile.TemporaryDirectory() as folder:
        current = load_spec(_fetch(against, Path(folder)))
    used = None
    if not every:
        used = used_operations(code or config.path.parent, neighbour)
        if journal:
            used |= _journalled(journal, neighbour)
        click.echo(f"operations called: {', '.join(sorted(used)) or 'none found'}")
    changes = compare(vendored, current, used)
    problems = _recheck(neighbour, current, entry.overlay, recordings_path(entry.spec))
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
        raise SystemExit(1)
    click.echo("ok: no breaking changes in the operations called")


def _fetch(against: str, folder: Path) -> Path:
    """Return a local path to the current spec (downloading a URL)."""
    if not against.startswith(("http://", "https://")):
        return Path(against)
    answer = requests.get(against, timeout=30)
    if not answer.ok:
        raise MockError(f"cannot fetch {against}: HTTP {answer.status_code}.")
    suffix = ".json" if against.endswith(".json") else ".yaml"
    path = folder / f"current{suffix}"
    path.write_bytes(answer.content)
    return path


def _journalled(journal: str, neighbour: str) -> set[str]:
    """Return the operationIds of ``neighbour`` in a journal file or admin URL."""
    if journal.startswith(("http://", "https://")):
        data = requests.get(journal, timeout=30).json()
    else:
        data = json.loads(Path(journal).read_text(encoding="utf-8"))
    return {
        e["operation_id"]
        for e in data.get("entries", [])
        if e.get("neighbour") == neighbour and e.get("operation_id")
    }


def _recheck(
    neighbour: str, spec: object, overlay: Path | None, recordings: Path
) -> list[str]:
    """Return what in the overlay and recordings no longer validates against ``spec``."""
    try:
        loaded = load_overlay(overlay) if overlay is not None else None
        recorded = load_recordings(recordings) if recordings.is_file() else None
        Engine(neighbour, spec, loaded, eager_limit=sys.maxsize, recordings=recorded)
    except AnswersInvalid as exc:
        return [str(error) for error in exc.errors]
    except (MockError, SpecError) as exc:
        return [str(exc)]
    return []
