"""Read flags from app code: each request pins the engine's snapshot and memoises its answers.

``value``, ``is_enabled``, ``flag_required`` and the OpenFeature provider read through here;
:func:`satchel.flags.extension.init_app` pins and releases the snapshot around each request.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from contextvars import ContextVar
from typing import Any, TypeVar

from flask import current_app, has_app_context

from satchel.context import tenant_id
from satchel.flags.engine import FlagEngine
from satchel.flags.errors import FlagError, FlagValueError
from satchel.problems import Problem

EXTENSION_KEY = "satchel.flags"
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


def pin_snapshot(compiled: dict[str, Any]) -> None:
    """Pin ``compiled`` (the engine's snapshot) for the request that begins."""
    _request_flags.set(RequestFlags(compiled))


def release_snapshot() -> None:
    """Forget the request's snapshot and answers when it ends."""
    _request_flags.set(None)


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
