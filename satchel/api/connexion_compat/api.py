"""Serve a Connexion spec from a Flask app with satchel's router: ``add_api``.

Resolution, arguments, security functions and return values follow Connexion (see the
sibling modules); validation, the body limit and the 422 storable checks are satchel's own, so
compat mode is no weaker than satchel's mode. Everything that can be decided from the spec and
the handlers is decided here, at start-up; ``view`` holds the per-request part.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from pathlib import Path
from typing import Any

import structlog
from flask import Flask, Response

from satchel import auth
from satchel.api.connexion_compat.arguments import plan_arguments, raw_operation
from satchel.api.connexion_compat.docs import init_compat_docs
from satchel.api.connexion_compat.options import (
    docs_wanted,
    load_connexion_spec,
    wants_defaults,
)
from satchel.api.connexion_compat.resolvers import OperationRef, Resolver, ResolverError
from satchel.api.connexion_compat.security import compat_schemes, verifier
from satchel.api.connexion_compat.view import body_checker, make_view
from satchel.api.errors import ApiError, HandlerMismatch
from satchel.api.router import MAX_BODY_BYTES, _flask_rule, _where
from satchel.api.security import bearer_requirement
from satchel.openapi import Operation, Spec
from satchel.problems import Problem

__all__ = ["add_api", "bind_operation", "operation_ref"]


_EMPTY: dict[str, Any] = {}


def add_api(
    app: Flask,
    specification: str | Path,
    *,
    base_path: str | None = None,
    arguments: dict[str, Any] | None = None,
    resolver: Resolver | None = None,
    pythonic_params: bool = False,
    strict_validation: bool = False,
    validate_responses: bool = False,
    validator_map: dict[str, Any] | None = None,
    options: dict[str, Any] | None = None,
    resolver_error: int | None = None,
    name: str | None = None,
    max_body_bytes: int = MAX_BODY_BYTES,
    **unsupported: Any,
) -> Spec:
    """Bind every operation of a Connexion spec to its handler and register the routes.

    The keywords are ``connexion.FlaskApp.add_api``'s (``options``: ``swagger_ui`` and
    ``serve_spec`` switch the docs off). Raises HandlerMismatch naming each operation whose
    handler (or security function) cannot be found or called, unless ``resolver_error`` is a
    status: then those operations answer it with a problem saying why, as Connexion's option.
    """
    if unsupported:
        raise ApiError(
            f"add_api option(s) {', '.join(sorted(unsupported))} are not supported in "
            "satchel's Connexion compat mode; remove them (satchel/api/CONNEXION.md lists "
            "what is)."
        )
    fill = wants_defaults(validator_map)
    docs = docs_wanted(options or {})
    app.config["MAX_CONTENT_LENGTH"] = max_body_bytes
    spec = load_connexion_spec(specification, arguments)
    prefix = spec.base_path if base_path is None else "/" + base_path.strip("/")
    prefix = "" if prefix == "/" else prefix
    resolver = resolver or Resolver()
    schemes = compat_schemes(spec.document)
    settings = (pythonic_params, strict_validation, validate_responses, fill)
    problems, views = [], []
    for operation in spec.operations:
        view, problem = bind_operation(
            app, spec, operation, resolver, schemes, settings
        )
        if problem and resolver_error is not None:
            view = _unresolved_view(resolver_error, problem)
            structlog.get_logger("satchel.api").warning(
                "handler unresolved", detail=problem
            )
        elif problem:
            problems.append(f"{_where(spec, operation)}: {problem}")
            continue
        views.append((operation, view))
    if problems:
        raise HandlerMismatch(problems)
    label = name or prefix or "api"
    for operation, view in views:
        endpoint = (
            f"{label}.{operation.operation_id or operation.method + operation.path}"
        )
        rule = _flask_rule(prefix + operation.path)
        app.add_url_rule(
            rule, endpoint, view, methods=[operation.method], strict_slashes=True
        )
    if docs:
        init_compat_docs(app, spec, prefix, label)
    return spec


def _unresolved_view(status: int, reason: str) -> Callable[..., Response]:
    """Answer ``status`` for an operation whose handler could not be bound."""

    def unresolved(**_: str) -> Response:
        raise Problem(
            status=status, detail=f"This operation has no usable handler: {reason}"
        )

    return unresolved


def operation_ref(spec: Spec, operation: Operation) -> OperationRef:
    """Return what resolvers read of ``operation`` (its router controller from the raw spec)."""
    raw = raw_operation(spec, operation)
    controller = raw.get("x-openapi-router-controller") or raw.get(
        "x-swagger-router-controller"
    )
    return OperationRef(
        operation.operation_id, controller, operation.method, operation.path
    )


def _introspected(spec: Spec, name: str) -> bool:
    """Return whether scheme ``name`` relies on remote token introspection only."""
    document = spec.document
    schemes = (document.get("components") or {}).get("securitySchemes") or document.get(
        "securityDefinitions", {}
    )
    scheme = (schemes or {}).get(name) or {}
    return bool(scheme.get("x-tokenInfoUrl")) and not scheme.get("x-tokenInfoFunc")


def bind_operation(
    app: Flask,
    spec: Spec,
    operation: Operation,
    resolver: Resolver,
    schemes: dict[str, dict[str, Any]],
    settings: tuple[bool, bool, bool, bool],
) -> tuple[Callable[..., Response] | None, str | None]:
    """Build the view for one operation, or return why it cannot be served."""
    pythonic_params, strict, validate_responses, fill = settings
    ref = operation_ref(spec, operation)
    try:
        handler, _ = resolver.resolve(ref)
    except ResolverError as error:
        return None, str(error)
    if inspect.iscoroutinefunction(handler):
        return None, (
            "handler is a coroutine (async def); satchel serves WSGI, so make it a plain def"
        )
    security = operation.security or []
    named = {scheme for alternative in security for scheme in alternative}
    remote = sorted(name for name in named if _introspected(spec, name))
    if remote:
        return None, (
            f"security scheme {remote[0]!r} checks tokens at an x-tokenInfoUrl, which satchel "
            "does not call; name a local x-tokenInfoFunc, or verify JWTs with satchel.auth"
        )
    verify, authenticate, token_required = None, None, False
    try:
        if named and named <= schemes.keys():
            verify = verifier(security, schemes)
        elif named & schemes.keys():
            return None, (
                "security mixes schemes with info functions and satchel's JWT; give every "
                "scheme of the operation an x-*InfoFunc, or none"
            )
        else:
            requirement = bearer_requirement(operation.security, spec.document)
            if requirement != "none":
                authenticator = auth.authenticator(app)
                if authenticator is None:
                    return None, (
                        "operation requires a bearer token but neither an x-bearerInfoFunc nor "
                        "satchel.auth.init_app(app, ...) provides one"
                    )
                authenticate = authenticator.authenticate
                token_required = requirement == "required"
    except ValueError as error:
        return None, (
            f"{error}; or name the function checking it with x-apikeyInfoFunc, "
            "x-basicInfoFunc, x-bearerInfoFunc or x-tokenInfoFunc (Connexion's way)"
        )
    except ResolverError as error:
        return None, str(error)
    plan, problem = plan_arguments(
        spec,
        operation,
        handler,
        pythonic_params=pythonic_params,
        secured=verify is not None or authenticate is not None,
    )
    if plan is None:
        return None, problem
    declared_query = frozenset(
        p.name for p in operation.parameters if p.location == "query"
    )
    body_schema = None
    if fill and operation.request_body is not None:
        media = next(iter(operation.request_body.content.values()), None)
        body_schema = (
            (media.schema, media.schema_uri) if media and media.schema else None
        )
    return (
        make_view(
            spec,
            operation,
            handler,
            plan,
            verify=verify,
            authenticate=authenticate,
            token_required=token_required,
            strict_query=declared_query if strict else None,
            body_schema=body_schema,
            check=body_checker(operation) if validate_responses else None,
        ),
        None,
    )
