"""Flask integration: ``init_app``, per-request memoised evaluation, decorator, Jinja global."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from contextvars import ContextVar
from pathlib import Path
from typing import Any, TypeVar

from flask import Flask, current_app, has_app_context

from satchel.context import tenant_id
from satchel.flags.declarations import FlagRegistry
from satchel.flags.engine import FlagEngine
from satchel.flags.env import read_env_overrides
from satchel.flags.errors import FlagDeclarationError, FlagError, FlagValueError
from satchel.flags.hygiene import expand, find_references
from satchel.flags.store import store_from_url
from satchel.problems import Problem

EXTENSION_KEY = "satchel.flags"
DEFAULT_STORE_URL = "file://instance/flags.yaml"
F = TypeVar("F", bound=Callable[..., Any])


class RequestFlags:
    """The answers of one request: the snapshot pinned when it began, one value per flag."""

    __slots__ = ("compiled", "tenant", "answers")

    def __init__(self, compiled: dict[str, Any]) -> None:
        self.compiled = compiled
        self.tenant: str | None = None
        self.answers: dict[str, Any] = {}


_MISSING = object()
_request_flags: ContextVar[RequestFlags | None] = ContextVar(
    "satchel_flags", default=None
)


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
        _request_flags.set(RequestFlags(engine.compiled))

    @app.teardown_request
    def release_flag_snapshot(error: BaseException | None) -> None:
        _request_flags.set(None)

    app.jinja_env.globals["flag"] = value
    if "satchel.health" in app.extensions:
        # health.init_app ran first, as in the template: report the snapshot on /readyz.
        from satchel import health

        health.register_check(app, "flags", engine.health)
    from satchel.flags.commands import cli

    app.cli.add_command(cli)
    if register_openfeature:
        from satchel.flags.openfeature import register_provider

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


def current_engine() -> FlagEngine:
    """Return the engine of the current Flask app."""
    if not has_app_context() or EXTENSION_KEY not in current_app.extensions:
        raise FlagError(
            "No flags are loaded here: call satchel.flags.init_app(app, FLAGS) in create_app "
            "and evaluate flags inside the app's context."
        )
    return current_app.extensions[EXTENSION_KEY]


def value(key: str) -> Any:
    """Return the flag's value for the current tenant; the same answer all request long."""
    scope = _request_flags.get()
    if scope is not None and scope.tenant == tenant_id.get():
        answer = scope.answers.get(key, _MISSING)  # the hot path: one dict lookup
        if answer is not _MISSING:
            return answer
    return _evaluate(scope, key)


def _evaluate(scope: RequestFlags | None, key: str) -> Any:
    """Evaluate ``key`` for the current tenant and memoise it in the request, if any."""
    tenant = tenant_id.get()
    if scope is None:  # CLI commands, jobs: no request to memoise in
        return current_engine().resolve(key, tenant)[0]
    if tenant != scope.tenant:  # answers are per tenant; a switch never reuses them
        scope.tenant = tenant
        scope.answers = {}
    compiled = scope.compiled.get(key)
    if compiled is None:
        current_engine().registry[key]  # raises UndeclaredFlagError with the fix
    answer = scope.answers[key] = compiled.resolve(tenant)[0]
    return answer


def resolve_in_request(key: str, tenant: str | None) -> tuple[Any, str]:
    """Return (value, reason) from the request's pinned snapshot (the engine's outside one)."""
    scope = _request_flags.get()
    if scope is None:
        return current_engine().resolve(key, tenant)
    compiled = scope.compiled.get(key)
    if compiled is None:
        current_engine().registry[key]
    return compiled.resolve(tenant)


def is_enabled(key: str) -> bool:
    """Return whether a boolean flag is on for the current tenant."""
    scope = _request_flags.get()
    if scope is not None and scope.tenant == tenant_id.get():
        answer = scope.answers.get(key)  # the hot path, as in value()
        # A memoised non-boolean falls through to _evaluate and the error below.
        if answer.__class__ is bool:
            return answer
    answer = _evaluate(scope, key)
    if answer.__class__ is bool:
        return answer
    raise FlagValueError(
        f"Flag {key!r} is not a boolean flag; read it with value({key!r})."
    )


def flag_required(key: str) -> Callable[[F], F]:
    """Make a handler answer 404 problem+json (type feature-disabled) while ``key`` is off."""

    def decorate(handler: F) -> F:
        @functools.wraps(handler)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not is_enabled(key):
                raise Problem(
                    404,
                    detail=f"This operation is behind the feature flag {key!r}, "
                    "which is off for this tenant.",
                    type="feature-disabled",
                )
            return handler(*args, **kwargs)

        return guarded  # type: ignore[return-value]

    return decorate


def health_check() -> tuple[str, str]:
    """Return ("pass"|"warn"|"fail", detail) about the flag snapshot for /readyz."""
    return current_engine().health()
