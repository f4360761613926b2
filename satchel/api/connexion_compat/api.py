"""Serve a Connexion spec from a Flask app with satchel's router: ``add_api``.

Resolution, arguments, security functions and return values follow Connexion (see the
sibling modules); validation, the body limit and the 422 storable checks are satchel's own, so
compat mode is no weaker than satchel's mode. Everything that can be decided from the spec and
the handlers is decided here, at start-up.
"""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import structlog
from flask import Flask, Response, request

from satchel import auth, context
from satchel.api.connexion_compat import responses
from satchel.api.connexion_compat.arguments import (
    ArgumentPlan,
    plan_arguments,
    raw_operation,
)
from satchel.api.connexion_compat.defaults import fill_defaults
from satchel.api.connexion_compat.docs import init_compat_docs
from satchel.api.connexion_compat.problems import from_connexion
from satchel.api.connexion_compat.resolvers import OperationRef, Resolver, ResolverError
from satchel.api.connexion_compat.security import compat_schemes, verifier
from satchel.api.errors import ApiError, HandlerMismatch
from satchel.api.router import (
    MAX_BODY_BYTES,
    _flask_rule,
    _response_checker,
    _rule_variable,
    _where,
)
from satchel.api.security import bearer_requirement
from satchel.api.storable import check_storable
from satchel.openapi import Operation, RequestInvalid, Spec, load_spec
from satchel.problems import Problem

__all__ = ["add_api", "load_connexion_spec"]

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
) -> Spec:
    """Bind every operation of a Connexion spec to its handler and register the routes.

    The keywords are ``connexion.FlaskApp.add_api``'s (``options``: ``swagger_ui`` and
    ``serve_spec`` switch the docs off). Raises HandlerMismatch naming each operation whose
    handler (or security function) cannot be found or called, unless ``resolver_error`` is a
    status: then those operations answer it with a problem saying why, as Connexion's option.
    """
    fill = _wants_defaults(validator_map)
    docs = _docs_wanted(options or {})
    app.config["MAX_CONTENT_LENGTH"] = max_body_bytes
    spec = load_connexion_spec(specification, arguments)
    prefix = spec.base_path if base_path is None else "/" + base_path.strip("/")
    prefix = "" if prefix == "/" else prefix
    resolver = resolver or Resolver()
    schemes = compat_schemes(spec.document)
    settings = (pythonic_params, strict_validation, validate_responses, fill)
    problems, views = [], []
    for operation in spec.operations:
        view, problem = _bind(app, spec, operation, resolver, schemes, settings)
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


def _docs_wanted(options: dict[str, Any]) -> bool:
    """Read Connexion's ``options``: the docs are served unless switched off."""
    unknown = set(options) - {"swagger_ui", "serve_spec"}
    if unknown:
        raise ApiError(
            f"options {', '.join(sorted(unknown))} are not supported; satchel serves the spec at "
            "<base path>/openapi.json and an index at <base path>/ui/ (swagger_ui, serve_spec)"
        )
    return bool(options.get("swagger_ui", True) and options.get("serve_spec", True))


def _unresolved_view(status: int, reason: str) -> Callable[..., Response]:
    """Answer ``status`` for an operation whose handler could not be bound."""

    def unresolved(**_: str) -> Response:
        raise Problem(
            status=status, detail=f"This operation has no usable handler: {reason}"
        )

    return unresolved


def _wants_defaults(validator_map: dict[str, Any] | None) -> bool:
    """Accept Connexion's defaults-filling JSON validator; refuse other custom validators."""
    wanted = False
    for kind, by_media in (validator_map or {}).items():
        for media, validator in (by_media or {}).items():
            if getattr(validator, "__name__", "") == "DefaultsJSONRequestBodyValidator":
                wanted = True
                continue
            raise ApiError(
                f"validator_map[{kind!r}][{media!r}] = {validator!r} is not supported: satchel "
                "validates requests itself; only DefaultsJSONRequestBodyValidator (fill body "
                "defaults) is understood. Move custom checks into the handler."
            )
    return wanted


def load_connexion_spec(
    specification: str | Path, arguments: dict | None = None
) -> Spec:
    """Load the spec, rendering it with Jinja2 first when ``arguments`` are given (as Connexion).

    The rendered copy is written beside copies of the spec's folder, so relative ``$ref`` files
    resolve as they do for the original.
    """
    path = Path(specification)
    text = path.read_text(encoding="utf-8")
    if not arguments or ("{{" not in text and "{%" not in text):
        return load_spec(path)
    import jinja2

    rendered = jinja2.Template(text).render(**arguments)
    with tempfile.TemporaryDirectory(prefix="satchel-spec-") as scratch:
        copy = Path(scratch) / path.parent.name
        shutil.copytree(path.parent, copy)
        (copy / path.name).write_text(rendered, encoding="utf-8")
        # Messages name the file the user wrote, not the scratch copy.
        return dataclasses.replace(load_spec(copy / path.name), source_path=path)


def _produces(operation: Operation) -> tuple[str, ...]:
    """Return every media type the operation's responses declare (JSON if none)."""
    found: dict[str, None] = {}
    for response in operation.responses.values():
        found.update(dict.fromkeys(response.content))
    return tuple(found) or ("application/json",)


def _bind(
    app: Flask,
    spec: Spec,
    operation: Operation,
    resolver: Resolver,
    schemes: dict[str, dict[str, Any]],
    settings: tuple[bool, bool, bool, bool],
) -> tuple[Callable[..., Response] | None, str | None]:
    """Build the view for one operation, or return why it cannot be served."""
    pythonic_params, strict, validate_responses, fill = settings
    raw = raw_operation(spec, operation)
    controller = raw.get("x-openapi-router-controller") or raw.get(
        "x-swagger-router-controller"
    )
    ref = OperationRef(
        operation.operation_id, controller, operation.method, operation.path
    )
    try:
        handler, _ = resolver.resolve(ref)
    except ResolverError as error:
        return None, str(error)
    security = operation.security or []
    named = {scheme for alternative in security for scheme in alternative}
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
        _make_view(
            spec,
            operation,
            handler,
            plan,
            verify=verify,
            authenticate=authenticate,
            token_required=token_required,
            strict_query=declared_query if strict else None,
            body_schema=body_schema,
            check=_body_checker(operation) if validate_responses else None,
        ),
        None,
    )


def _make_view(
    spec: Spec,
    operation: Operation,
    handler: Callable[..., Any],
    plan: ArgumentPlan,
    *,
    verify: Callable[[], Any] | None,
    authenticate: Callable[[str | None], Any] | None,
    token_required: bool,
    strict_query: frozenset[str] | None,
    body_schema: tuple[Any, str] | None,
    check: Callable[[Response, Any], None] | None,
) -> Callable[..., Response]:
    """Return the Flask view for one operation; every branch here is per request."""
    validator = operation.request_validator()
    produces = _produces(operation)
    reads_headers = any(p.location == "header" for p in operation.parameters)
    reads_cookies = any(p.location == "cookie" for p in operation.parameters)
    reads_body = operation.request_body is not None
    path_names = tuple(
        (_rule_variable(p.name), p.name)
        for p in operation.parameters
        if p.location == "path"
    )
    set_actor = context.actor.set
    current = request._get_current_object

    def view(**raw: str) -> Response:
        req = current()
        security = None
        if verify is not None:
            security = _connexion_errors(verify)
        elif authenticate is not None:
            header = req.environ.get("HTTP_AUTHORIZATION")
            if header or token_required:
                actor = authenticate(header)
                set_actor(actor)
                security = {
                    **actor.claims,
                    "sub": actor.id,
                }  # user = the token's subject
        if strict_query is not None:
            extra = [name for name in req.args if name not in strict_query]
            if extra:
                raise Problem(
                    status=400,
                    title="Bad Request",
                    detail=f"Extra query parameter(s) {','.join(extra)} not in spec",
                )
        try:
            valid = validator(
                {name: raw[variable] for variable, name in path_names},
                req.args.to_dict(flat=False),
                req.headers if reads_headers else _EMPTY,
                req.cookies if reads_cookies else _EMPTY,
                req.content_type,
                req.get_data() if reads_body else b"",
            )
            check_storable(valid)
        except RequestInvalid as error:
            raise error.to_problem() from None
        if body_schema is not None and isinstance(valid.body, dict):
            fill_defaults(spec, body_schema[0], body_schema[1], valid.body)
        result = _connexion_errors(handler, **plan.keywords(valid, security))
        response, body = responses.to_response(result, produces)
        if check is not None:
            check(response, body)
        return response

    view.__name__ = operation.operation_id or f"{operation.method}_{operation.path}"
    view.__doc__ = operation.summary or None
    return view


def _body_checker(operation: Operation) -> Callable[[Response, Any], None]:
    """Check responses against the spec, leaving empty bodies unchecked as Connexion does."""
    check = _response_checker(operation, "raise")
    assert check is not None  # "raise" always gives a checker

    def check_non_empty(response: Response, body: Any) -> None:
        if response.status_code != 204 and response.calculate_content_length() != 0:
            check(response, body)

    return check_non_empty


def _connexion_errors(function: Callable[..., Any], **keywords: Any) -> Any:
    """Call ``function``; a Connexion ``ProblemException`` it raises becomes satchel's Problem."""
    try:
        return function(**keywords)
    except Problem:
        raise
    except Exception as error:
        problem = from_connexion(error)
        if problem is None:
            raise
        raise problem from error
