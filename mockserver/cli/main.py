"""``satchel-mock``: serve a service's neighbours from their OpenAPI specs.

Exit codes, mapped here only: 0 ok, 1 a problem was found (invalid spec, overlay or config;
``check`` findings), 2 wrong usage.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from satchel.openapi import SpecError

from mockserver.cli.check import check_config, check_spec
from mockserver.cli.pin import pin_digests
from mockserver.core.errors import MockError
from mockserver.drift.cli import drift
from mockserver.http.accesslog import JsonLog
from mockserver.http.server import run
from mockserver.record.cli import record
from mockserver.runtime.config import DEFAULT_CONFIG, load_config
from mockserver.runtime.mockset import from_config, from_spec

__all__ = ["EXIT_FAILED", "EXIT_OK", "EXIT_USAGE", "main"]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2

_HELP = """Serve a service's neighbours from their OpenAPI specs, on their real paths.

\b
Quick start, in a service folder with mocks.yaml:
  satchel-mock up                      # every neighbour, hot reload, JSON logs
  satchel-mock check                   # validate config, specs and overlays
  satchel-mock pin                     # re-pin digests after re-vendoring a spec
  satchel-mock record NEIGHBOUR --target URL   # record a real neighbour for replay
  satchel-mock drift NEIGHBOUR --against PATH  # breaking changes under our calls

\b
How a response is chosen (first that applies):
  1. a rule of the active scenario, then an always-on overlay rule
  2. the Prefer header: Prefer: code=404, example=not-found, dynamic=true
  3. for a recorded operation, its recording (none matching: an explained 501)
  4. the lowest 2xx response
  The body: the example asked for by name, else the spec's first named
  example, else the media type's example, else the schema's example/default,
  else the overlay's first example for that status, else data generated
  from the schema (deterministic for --seed).

\b
Overlays (mocks/<neighbour>/overlay.yaml, beside the vendored spec):
  examples:
    showPetById:                  # operationId (or "GET /pets/{petId}")
      "404":
        not-found: {code: 404, message: Pet not found}
  rules:                          # always on, first match wins
    - operation: showPetById
      when: {path: {petId: "404"}}    # also query:, header:, body: {/pointer: value}
      respond: {status: 404, example: not-found}
  scenarios:                      # switched on with --scenario or the admin API
    outage:
      - operation: showPetById
        respond: {status: 503, body: {code: 503, message: down}}

\b
Scenarios, because the service under test cannot send Prefer headers:
  satchel-mock up --scenario pets=outage
  curl -X PUT localhost:4010/__satchel/scenario \\
       -d '{"neighbour": "pets", "scenario": "outage"}'     (null = off)

\b
Admin endpoints on every port: GET /__satchel/ (dashboard), GET /__satchel/health,
GET|PUT /__satchel/scenario, POST /__satchel/reload, GET|DELETE /__satchel/journal,
GET /__satchel/coverage, GET|PUT|DELETE /__satchel/faults, GET|PUT|DELETE /__satchel/state.
"""


_ERRORS_HELP = (
    "Answer 500 mock-spec-violation, listing the violations, where an answer would break "
    "the spec (default: the closest answer, flagged in a Satchel-Mock-Violations header)."
)


@click.group(help=_HELP, context_settings={"help_option_names": ["-h", "--help"]})
def cli() -> None:
    """The satchel-mock command group."""


@cli.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_CONFIG,
    show_default=True,
    help="The neighbours file.",
)
@click.option(
    "--scenario",
    "scenarios",
    multiple=True,
    metavar="NEIGHBOUR=SCENARIO",
    help="Start a neighbour in a scenario of its overlay (repeatable).",
)
@click.option(
    "--seed", type=int, default=None, help="Seed for generated data [mocks.yaml seed]."
)
@click.option(
    "--stateful",
    multiple=True,
    metavar="NEIGHBOUR",
    help="Answer a neighbour statefully: POST creates, GET reads back (repeatable).",
)
@click.option("--errors", is_flag=True, help=_ERRORS_HELP)
@click.option("--quiet", is_flag=True, help="No request log lines.")
@click.option("--no-reload", is_flag=True, help="Do not watch files for changes.")
def up(
    config_path: Path,
    scenarios: tuple[str, ...],
    stateful: tuple[str, ...],
    seed: int | None,
    errors: bool,
    quiet: bool,
    no_reload: bool,
) -> None:
    """Serve every neighbour listed in mocks.yaml, each on its port or Host."""
    wanted = {}
    for item in scenarios:
        name, sep, scenario = item.partition("=")
        if not sep or not name or not scenario:
            raise click.BadParameter(
                f"{item!r} is not NEIGHBOUR=SCENARIO.", param_hint="--scenario"
            )
        wanted[name] = scenario
    mocks = from_config(config_path, seed=seed, scenarios=wanted, errors=errors)
    if not mocks.listeners:
        click.echo(
            f"{config_path}: nothing to serve: mocks.yaml lists no neighbours "
            "(add an entry per neighbour under `neighbours:`)."
        )
        return
    unknown = sorted(set(stateful) - set(mocks.engines))
    if unknown:
        raise click.BadParameter(
            f"no neighbour {', '.join(unknown)}; known: {', '.join(mocks.engines)}.",
            param_hint="--stateful",
        )
    mocks.stateful.update(stateful)
    log = JsonLog(requests=not quiet)
    for name in sorted(stateful):
        recorded = len(mocks.engines[name].replay)
        if recorded:
            log.event(
                "stateful",
                level="warning",
                neighbour=name,
                detail=f"stateful mode answers {name} from its own items: the {recorded} "
                "recorded exchange(s) in recordings.yaml are not replayed.",
            )
    run(mocks, log, reload=not no_reload)


@cli.command()
@click.argument("spec", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--port", type=click.IntRange(1, 65535), required=True, help="Port to listen on."
)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to bind.")
@click.option(
    "--overlay",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Overlay file.",
)
@click.option("--scenario", default=None, help="Start in this scenario of the overlay.")
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Seed for generated data."
)
@click.option(
    "--security",
    type=click.Choice(["enforce", "off"]),
    default="enforce",
    show_default=True,
    help="enforce: 401 for a request without the credentials its operation requires.",
)
@click.option(
    "--strict",
    is_flag=True,
    help="Refuse a spec with flaws (invalid examples, ...) instead of warning about them.",
)
@click.option("--errors", is_flag=True, help=_ERRORS_HELP)
@click.option("--quiet", is_flag=True, help="No request log lines.")
@click.option("--no-reload", is_flag=True, help="Do not watch files for changes.")
def serve(
    spec: Path,
    port: int,
    host: str,
    overlay: Path | None,
    scenario: str | None,
    seed: int,
    security: str,
    strict: bool,
    errors: bool,
    quiet: bool,
    no_reload: bool,
) -> None:
    """Serve one spec in the foreground (exits 0 on SIGTERM)."""
    mocks = from_spec(
        spec,
        bind=host,
        port=port,
        overlay=overlay,
        seed=seed,
        scenario=scenario,
        security=security == "enforce",
        strict=strict,
        errors=errors,
    )
    run(mocks, JsonLog(requests=not quiet), reload=not no_reload)


@cli.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_CONFIG,
    show_default=True,
)
@click.option(
    "--spec",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Check one spec (and --overlay) instead of mocks.yaml.",
)
@click.option("--overlay", type=click.Path(exists=True, dir_okay=False, path_type=Path))
def check(config_path: Path, spec: Path | None, overlay: Path | None) -> None:
    """Validate config, pins, specs and overlays; print file:line: message per problem."""
    problems = (
        check_spec(spec.stem, spec, overlay) if spec else check_config(config_path)
    )
    for problem in problems:
        click.echo(problem)
    if problems:
        raise SystemExit(EXIT_FAILED)
    if not spec and not load_config(config_path).neighbours:
        click.echo("ok: nothing to check (mocks.yaml lists no neighbours)")
        return
    click.echo("ok: no problems found")


@cli.command()
@click.option(
    "--config",
    "config_path",
    type=click.Path(dir_okay=False, path_type=Path),
    default=DEFAULT_CONFIG,
    show_default=True,
)
def pin(config_path: Path) -> None:
    """Write each vendored spec's current sha256 digest into mocks.yaml."""
    for item in pin_digests(config_path):
        state = "pinned" if item.changed else "unchanged"
        click.echo(f"{item.name}: {state} {item.new}")


cli.add_command(record)
cli.add_command(drift)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (errors print as file:line: message)."""
    try:
        cli.main(args=argv, prog_name="satchel-mock", standalone_mode=False)
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE if isinstance(exc, click.UsageError) else EXIT_FAILED
    except click.exceptions.Abort:
        return EXIT_FAILED
    except (MockError, SpecError) as exc:
        click.echo(f"error: {exc}", err=True)
        return EXIT_FAILED
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else EXIT_FAILED
    return EXIT_OK


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
