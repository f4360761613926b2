"""``satchel-mock record NEIGHBOUR --target URL``: proxy to a real neighbour and record it."""

from __future__ import annotations

import signal
import threading
from pathlib import Path

import click

from satchel.openapi import load_spec

from mockserver.core.engine import recordings_path
from mockserver.core.errors import MockError
from mockserver.record.proxy import make_proxy
from mockserver.record.recorder import Outcome, Recorder, check_target
from mockserver.runtime.config import DEFAULT_CONFIG, load_config

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
    """Forward to a real neighbour and store its valid answers as replayable examples.

    Only hosts listed under the neighbour's record.allow in mocks.yaml are contacted.
    Answers that do not validate against the vendored spec are reported, not stored.
    Recordings go to recordings.yaml beside the spec; `up` and the fixture replay them.
    """
    config = load_config(config_path)
    found = {n.name: n for n in config.neighbours}
    if neighbour not in found:
        raise MockError(
            f"no neighbour {neighbour!r} in {config_path}; "
            f"known: {', '.join(found) or 'none'}."
        )
    entry = found[neighbour]
    base = check_target(neighbour, target, entry.record_allow)
    listen = port or entry.port
    if listen is None:
        raise click.UsageError(f"{neighbour} is routed by host: give --port.")
    recorder = Recorder(
        load_spec(entry.spec),
        recordings_path(entry.spec),
        redact_headers=entry.redact_headers,
        redact_fields=entry.redact_fields,
    )

    def report(outcome: Outcome) -> None:
        click.echo(str(outcome))

    server = make_proxy(recorder, base, config.bind, listen, report)

    def stop(*_: object) -> None:
        threading.Thread(target=server.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    click.echo(f"recording {neighbour} from {base} on http://{config.bind}:{listen}")
    server.serve_forever(poll_interval=0.1)
    server.server_close()
    click.echo(f"stopped; recordings in {recorder.path}")
