"""The running set of mocks: an engine per neighbour, the listeners, and reloading them.

This is shared state between the HTTP shell, the admin endpoints and the file watcher; the
engines themselves stay pure. A reload builds every engine anew and swaps the whole mapping
at once, so a request never sees half of a reload, and a failed reload changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from mockserver.core.engine import Engine
from mockserver.core.errors import MockError
from mockserver.core.state import StateStore
from mockserver.runtime.config import MockConfig, load_config, verify_digest
from mockserver.runtime.faults import FaultTable
from mockserver.runtime.journal import Journal

__all__ = ["Listener", "MockSet", "from_config", "from_spec"]

#: Builds every engine from disk; raises MockError or SpecError when something is invalid.
Loader = Callable[[dict[str, str | None], int], dict[str, Engine]]


@dataclass(frozen=True)
class Listener:
    """One port: a single neighbour, or several routed by Host header."""

    bind: str
    port: int
    neighbour: str | None = None  # the neighbour served on its own port
    hosts: tuple[tuple[str, str], ...] = ()  # (host name, neighbour) on the shared port

    def names(self) -> tuple[str, ...]:
        """Return the neighbours this listener serves."""
        return (self.neighbour,) if self.neighbour else tuple(n for _, n in self.hosts)


class MockSet:
    """The engines currently serving, and how to rebuild them."""

    def __init__(
        self,
        loader: Loader,
        listeners: tuple[Listener, ...],
        files: Callable[[], tuple[Path, ...]],
        *,
        seed: int = 0,
        scenarios: dict[str, str | None] | None = None,
    ) -> None:
        self._loader = loader
        self.listeners = listeners
        self.files = files
        self.seed = seed
        self.engines: dict[str, Engine] = loader(dict(scenarios or {}), seed)
        # Outlive reloads: a journal or a fault is about the run, not about the files.
        self.journal = Journal()
        self.faults = FaultTable()
        self.state = StateStore()
        self.stateful: set[str] = set()  # neighbours answering in stateful mode

    def reload(self) -> tuple[str, ...]:
        """Rebuild every engine, keeping active scenarios that still exist; all or nothing."""
        keep = {name: engine.scenario for name, engine in self.engines.items()}
        fresh = self._loader({}, self.seed)
        for name, engine in fresh.items():
            if keep.get(name) in engine.scenarios:
                engine.use_scenario(keep[name])
        self.engines = fresh
        return tuple(fresh)


def from_spec(
    spec: Path,
    *,
    bind: str,
    port: int,
    overlay: Path | None = None,
    seed: int = 0,
    scenario: str | None = None,
    name: str | None = None,
    security: bool = True,
    strict: bool = False,
    errors: bool = False,
) -> MockSet:
    """Serve one spec on one port (``satchel-mock serve``)."""
    # mocks/<neighbour>/openapi.yaml is named after its folder, petstore.yaml after itself.
    neighbour = name or (spec.parent.name if spec.stem == "openapi" else spec.stem)

    def load(scenarios: dict[str, str | None], seed: int) -> dict[str, Engine]:
        return {
            neighbour: Engine.from_files(
                neighbour,
                spec,
                overlay,
                seed=seed,
                scenario=scenarios.get(neighbour),
                security=security,
                strict=strict,
                errors=errors,
            )
        }

    files = (spec,) if overlay is None else (spec, overlay)
    return MockSet(
        load,
        (Listener(bind, port, neighbour=neighbour),),
        lambda: files,
        seed=seed,
        scenarios={neighbour: scenario},
    )


def from_config(
    config_path: Path,
    *,
    seed: int | None = None,
    scenarios: dict[str, str] | None = None,
    errors: bool = False,
) -> MockSet:
    """Serve every neighbour in ``mocks.yaml`` (``satchel-mock up``); none gives no listeners.

    ``errors`` (``up --errors``) turns on ``errors: true`` for every neighbour.
    """
    config = load_config(config_path)
    unknown = set(scenarios or {}) - {n.name for n in config.neighbours}
    if unknown:
        raise MockError(
            f"--scenario names unknown neighbour(s): {', '.join(sorted(unknown))}.",
            hint=f"Neighbours: {', '.join(n.name for n in config.neighbours)}.",
        )
    state = {"config": config}

    def load(wanted: dict[str, str | None], seed: int) -> dict[str, Engine]:
        current = load_config(config_path)
        if _layout(current) != _layout(config):
            raise MockError(
                "the neighbours' ports or hosts changed in mocks.yaml.",
                file=config_path,
                hint="Restart `satchel-mock up` to listen on the new ports.",
            )
        state["config"] = current
        return load_engines(current, wanted, seed, errors=errors)

    return MockSet(
        load,
        _listeners(config),
        lambda: state["config"].files(),
        seed=config.seed if seed is None else seed,
        scenarios=dict(scenarios or {}),
    )


def load_engines(
    config: MockConfig,
    scenarios: dict[str, str | None],
    seed: int,
    *,
    errors: bool = False,
) -> dict[str, Engine]:
    """Verify each pin and build each neighbour's engine (``errors``: for all of them)."""
    engines = {}
    for neighbour in config.neighbours:
        verify_digest(neighbour, config.path)
        try:
            engines[neighbour.name] = Engine.from_files(
                neighbour.name,
                neighbour.spec,
                neighbour.overlay,
                seed=seed,
                scenario=scenarios.get(neighbour.name),
                security=neighbour.security == "enforce",
                strict=neighbour.strict,
                errors=errors or neighbour.errors,
            )
        except ValueError as exc:  # an unknown --scenario for this neighbour
            raise MockError(str(exc), file=config.path, line=neighbour.line) from None
    return engines


def _listeners(config: MockConfig) -> tuple[Listener, ...]:
    """Return one listener per own-port neighbour, plus the shared host-routed one."""
    listeners = [
        Listener(config.bind, n.port, neighbour=n.name)
        for n in config.neighbours
        if n.port
    ]
    hosts = tuple((n.host, n.name) for n in config.neighbours if n.host)
    if hosts:
        listeners.append(Listener(config.bind, config.port, hosts=hosts))
    return tuple(listeners)


def _layout(config: MockConfig) -> tuple[object, ...]:
    """Return what a reload cannot change without restarting (who listens where)."""
    return tuple((n.name, n.port, n.host) for n in config.neighbours) + (
        config.bind,
        config.port,
    )
