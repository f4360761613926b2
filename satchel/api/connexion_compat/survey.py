"""Report, operation by operation, whether a Connexion spec's handlers can be served as they are.

What ``satchel adopt`` prints: each operation with the handler it resolves to, or the one it
looked for and why it cannot be used. Binding happens on a scratch Flask app, exactly as
``add_api`` would bind, so the report cannot disagree with start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flask import Flask

from satchel.api.connexion_compat.api import bind_operation, operation_ref
from satchel.api.connexion_compat.options import load_connexion_spec
from satchel.api.connexion_compat.resolvers import Resolver, ResolverError
from satchel.api.connexion_compat.security import compat_schemes
from satchel.api.router import _where

__all__ = ["Finding", "survey"]


@dataclass(frozen=True)
class Finding:
    """One operation: the handler's dotted name (or None) and what stops it, if anything.

    ``unresolved`` is True when the handler itself cannot be found (adoption must stop);
    other problems (signature, security) are work left for the checklist.
    """

    where: str
    method: str
    path: str
    handler: str | None
    problem: str | None = None
    unresolved: bool = False


def survey(
    specification: str | Path,
    *,
    resolver: Resolver | None = None,
    arguments: dict[str, Any] | None = None,
    pythonic_params: bool = False,
) -> list[Finding]:
    """Return a finding per operation of the spec, in spec order."""
    spec = load_connexion_spec(specification, arguments)
    resolver = resolver or Resolver()
    schemes = compat_schemes(spec.document)
    scratch = Flask(__name__)
    findings = []
    for operation in spec.operations:
        ref = operation_ref(spec, operation)
        where = _where(spec, operation)
        try:
            name = resolver.resolve_operation_id(ref)
            resolver.resolve_function_from_operation_id(name)
        except (
            Exception
        ) as error:  # noqa: BLE001 - the service's own import errors, reported
            problem = str(error)
            if not isinstance(error, ResolverError):
                problem = f"importing it failed: {type(error).__name__}: {error}"
            looked_for = _looked_for(resolver, ref)
            findings.append(
                Finding(
                    where, operation.method, operation.path, looked_for, problem, True
                )
            )
            continue
        settings = (pythonic_params, False, False, False)
        _, problem = bind_operation(
            scratch, spec, operation, resolver, schemes, settings
        )
        findings.append(Finding(where, operation.method, operation.path, name, problem))
    return findings


def _looked_for(resolver: Resolver, ref: Any) -> str | None:
    try:
        return resolver.resolve_operation_id(ref)
    except ResolverError:
        return None
