"""Find the handler an operation names (``<package>.<tag>.<operationId>``) and check its signature.

Every failure is collected, not raised one by one, so a service with five mismatches learns
about all five in one start-up attempt.
"""

from __future__ import annotations

import importlib
import inspect
import re
from collections.abc import Callable
from typing import Any

__all__ = ["module_name_for_tag", "python_name", "resolve_handler"]

_CAMEL_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")
_NON_IDENTIFIER = re.compile(r"[^0-9a-zA-Z_]+")


def python_name(name: str) -> str:
    """Return the snake_case keyword a spec name arrives as (``noteId`` -> ``note_id``)."""
    snake = _NON_IDENTIFIER.sub("_", _CAMEL_BOUNDARY.sub("_", name)).strip("_").lower()
    if not snake or snake[0].isdigit():
        snake = "p_" + snake
    return snake


def module_name_for_tag(tag: str) -> str:
    """Return the module a tag's handlers live in (``School Classes`` -> ``school_classes``)."""
    return python_name(tag)


def resolve_handler(
    package: str, tag: str, operation_id: str, keywords: tuple[str, ...]
) -> tuple[Callable[..., Any] | None, str | None]:
    """Return ``(handler, None)`` or ``(None, reason)`` for ``package.<tag module>.operation_id``.

    ``keywords`` are the arguments the router will pass; the handler must accept each one.
    """
    module_name = f"{package}.{module_name_for_tag(tag)}"
    module_file = module_name.replace(".", "/") + ".py"
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as error:
        if error.name is None or not module_name.startswith(error.name):
            raise  # the module exists but one of its own imports is missing: a real bug
        return None, (
            f"module {module_name} does not exist; create {module_file} "
            f"with `def {operation_id}(...)`"
        )
    handler = getattr(module, operation_id, None)
    if not callable(handler):
        return None, (
            f"module {module_name} has no function {operation_id}; add `def {operation_id}(...)` "
            f"to {module_file} or correct the operationId"
        )
    missing = _unaccepted(handler, keywords)
    if missing:
        return None, (
            f"{module_name}.{operation_id} does not accept {', '.join(missing)}; "
            f"add {'them' if len(missing) > 1 else 'it'} to its parameters"
        )
    unknown = _unprovided(handler, keywords)
    if unknown:
        return None, (
            f"{module_name}.{operation_id} requires {', '.join(unknown)}, which the spec does not "
            "declare; declare the parameter in the spec or give it a default"
        )
    return handler, None


def _unaccepted(handler: Callable[..., Any], keywords: tuple[str, ...]) -> list[str]:
    """Return the keywords the handler's signature would reject."""
    parameters = inspect.signature(handler).parameters.values()
    if any(p.kind is inspect.Parameter.VAR_KEYWORD for p in parameters):
        return []
    accepted = {
        p.name
        for p in parameters
        if p.kind
        in (inspect.Parameter.POSITIONAL_OR_KEYWORD, inspect.Parameter.KEYWORD_ONLY)
    }
    return [k for k in keywords if k not in accepted]


def _unprovided(handler: Callable[..., Any], keywords: tuple[str, ...]) -> list[str]:
    """Return the handler's required parameters that the router never passes."""
    return [
        p.name
        for p in inspect.signature(handler).parameters.values()
        if p.default is inspect.Parameter.empty
        and p.kind
        not in (inspect.Parameter.VAR_KEYWORD, inspect.Parameter.VAR_POSITIONAL)
        and p.name not in keywords
    ]
