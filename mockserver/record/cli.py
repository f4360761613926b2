"""``satchel-mock record NEIGHBOUR --target URL``: proxy to a real neighbour and record it."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import click

from satchel.openapi import load_spec

from mockserver.core.errors import MockError
from mockserver.core.recordings import recordings_path
from mockserver.record.proxy import make_proxy
from mockserver.record.recorder import Outcome, Recorder, unknown_fields
from mockserver.record.target import RecordError, parse_target
from mockserver.runtime.config import DEFAULT_CONFIG, load_config, verify_digest

__all__ = ["record"]


@click.command()
@click.argument("neighbour")
@click.option("--target", required=True, help="The real neighbour's base URL.")
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_CONFIG,
    show_default=True,
)
@click.option(
    "--port",
    type=click.IntRange(1, 65535),
    default=None,
    help="Port to listen on [the neighbour's port in mocks.yaml].",
)
def record(neighbour: str, target: str, config_path: Path, port: int | None) -> None:
    """Forward to a real neighbour and store its valid answers for replay.

    Only the one --target is ever contacted, and only if its host is listed under the
    neighbour's record.allow in mocks.yaml; the vendored spec must match its pin.
    Answers that do not validate against the vendored spec are reported, not stored.
    Recordings go to recordings.yaml beside the spec; `up` and the fixture replay them.
    """
    config = load_config(config_path)
    found = {n.name: n for n in config.neighbours}
    if neighbour not in found:
        raise RecordError(
            f"no neighbour {neighbour!r} in {config_path}; "
            f"known: {', '.join(found) or 'none'}."
        )
    entry = found[neighbour]
    allowed = parse_target(neighbour, target, entry.record_allow)
    verify_digest(entry, config.path)  # as `up` does: record against the pinned spec
    listen = port or entry.port
    if listen is None:
        raise click.UsageError(f"{neighbour} is routed by host: give --port.")
    spec = load_spec(entry.spec)
    for name in unknown_fields(spec, entry.redact_fields):
        click.echo(
            f"warning: record.redact_fields names {name!r}, which no schema of "
            f"{neighbour} declares: check the spelling (it is masked wherever it appears)."
        )
    recorder = Recorder(
        spec,
        recordings_path(entry.spec),
        redact_headers=entry.redact_headers,
        redact_fields=entry.redact_fields,
        seed=config.seed,
    )

    def report(outcome: Outcome) -> None:
        click.echo(str(outcome))

    try:
        server = make_proxy(recorder, allowed, config.bind, listen, report)
    except OSError as exc:
        raise MockError(
            f"cannot listen on {config.bind}:{listen}: {exc.strerror}.",
            hint="Stop whatever uses the port (satchel-mock up?) or pass --port.",
        ) from None

    def stop(*_: object) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(
        f"recording {neighbour} from {allowed.url} on http://{config.bind}:{listen}"
    )
    server.serve_forever(poll_interval=0.1)
    server.server_close()
    shown = _shown(recorder.path)
    if recorder.stored:
        click.echo(f"stopped; {recorder.stored} exchange(s) stored in {shown}")
    else:
        click.echo(f"stopped; nothing new stored ({shown} not written)")


def _shown(path: Path) -> Path:
    """Return ``path`` relative to the working folder when it is inside it."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path
