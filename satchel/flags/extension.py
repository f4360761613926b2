"""Flask integration: ``init_app`` loads the flags, pins them per request, adds the CLI.

Reading flags (``value``, ``is_enabled``, ``flag_required``, the Jinja ``flag()``) lives in
:mod:`satchel.flags.evaluation`, which the CLI and the OpenFeature provider use too.
"""

from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from satchel.flags.commands import cli
from satchel.flags.declarations import FlagRegistry
from satchel.flags.engine import FlagEngine
from satchel.flags.env import read_env_overrides
from satchel.flags.errors import FlagDeclarationError
from satchel.flags.evaluation import (
    EXTENSION_KEY,
    pin_snapshot,
    release_snapshot,
    value,
)
from satchel.flags.hygiene import expand, find_references
from satchel.flags.openfeature import register_provider
from satchel.flags.store_url import store_from_url

DEFAULT_STORE_URL = "file://instance/flags.yaml"


def init_app(
    app: Flask,
    registry: FlagRegistry,
    *,
    store_url: str | None = None,
    env_prefix: str | None = None,
    poll_interval: float = 2.0,
    last_good_path: Path | None = None,
    check_sources: bool = True,
    register_openfeature: bool = True,
) -> FlagEngine:
    """Load the flags of ``registry`` into ``app`` and evaluate them per request.

    ``store_url`` is ``file://instance/flags.yaml`` (relative to the service root) or
    ``redis://HOST:PORT/DB?prefix=SERVICE``. ``<ENV_PREFIX>_FLAG_<KEY>`` environment variables
    force values for local work (prefix: the app's top-level package, upper-cased).
    """
    if not isinstance(registry, FlagRegistry):
        raise FlagDeclarationError(
            f"init_app expected the FlagRegistry returned by declare_flags, got "
            f"{type(registry).__name__}; pass FLAGS from the service's flags.py."
        )
    if check_sources:
        check_references_declared(registry, Path(app.root_path))
    prefix = env_prefix or app.import_name.split(".")[0].upper()
    store = store_from_url(
        store_url or DEFAULT_STORE_URL, Path(app.instance_path).parent
    )
    engine = FlagEngine(
        registry,
        store,
        last_good_path=last_good_path
        or Path(app.instance_path) / "flags-last-good.json",
        forced=read_env_overrides(registry, prefix, os.environ),
        poll_interval=poll_interval,
    )
    engine.start()
    app.extensions[EXTENSION_KEY] = engine

    @app.before_request
    def pin_flag_snapshot() -> None:
        engine.ensure_polling()
        pin_snapshot(engine.compiled)

    @app.teardown_request
    def release_flag_snapshot(error: BaseException | None) -> None:
        release_snapshot()

    app.jinja_env.globals["flag"] = value
    if "satchel.health" in app.extensions:
        # health.init_app ran first, as in the template: report the snapshot on /readyz.
        from satchel import health

        health.register_check(app, "flags", engine.health)
    app.cli.add_command(cli)
    if register_openfeature:
        register_provider(app)
    return engine


def check_references_declared(registry: FlagRegistry, root: Path) -> None:
    """Refuse to start when the app's code or templates read a flag that is not declared."""
    undeclared = [r for r in find_references(expand([root])) if r.key not in registry]
    if undeclared:
        places = "; ".join(f"{r.path}:{r.line} reads {r.key!r}" for r in undeclared)
        raise FlagDeclarationError(
            f"Undeclared flags used: {places}. Declare them in the service's flags.py "
            f"(declared: {', '.join(registry) or 'none'}) or fix the keys."
        )
