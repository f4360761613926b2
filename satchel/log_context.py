"""structlog's context-local log fields, merged and cleared without scanning the whole context.

structlog keeps each field bound with ``bind_contextvars`` in a ``ContextVar`` of its own,
and its ``merge_contextvars`` and ``clear_contextvars`` copy the whole context and test the
name of every variable in it (Flask's, Werkzeug's, SQLAlchemy's, ours: about forty in a
stamped service) on every log line and every request. structlog also records each variable
it creates in a registry (``structlog.contextvars._CONTEXT_VARS``, private but unchanged since
21.1); reading that makes both proportional to the fields ever bound. Should a structlog
release drop the registry, the public functions are used instead (tests/runtime/test_logs.py
checks the two agree).
"""

from __future__ import annotations

from typing import Any

import structlog

__all__ = ["clear_bound_fields", "merge_bound_fields"]

_REGISTRY: dict[str, Any] | None = getattr(structlog.contextvars, "_CONTEXT_VARS", None)
_PREFIX_LENGTH = len(structlog.contextvars.STRUCTLOG_KEY_PREFIX)


def _merge_from_registry(
    _logger: Any, _method: str, event: dict[str, Any]
) -> dict[str, Any]:
    """Add every field bound in this context to ``event`` (explicit keys win)."""
    # A copy: another thread may bind a new field (and grow the registry) meanwhile.
    for name, variable in tuple(_REGISTRY.items()):
        value = variable.get()
        if value is not Ellipsis:
            event.setdefault(name[_PREFIX_LENGTH:], value)
    return event


def _clear_from_registry() -> None:
    """Unbind every field in this context, as ``clear_contextvars`` does."""
    for variable in tuple(_REGISTRY.values()):
        if variable.get() is not Ellipsis:
            variable.set(Ellipsis)


if _REGISTRY is None:  # pragma: no cover - only with a structlog without the registry
    merge_bound_fields = structlog.contextvars.merge_contextvars
    clear_bound_fields = structlog.contextvars.clear_contextvars
else:
    merge_bound_fields = _merge_from_registry
    clear_bound_fields = _clear_from_registry
