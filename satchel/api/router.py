"""Route requests straight from the OpenAPI spec to plain Flask views (no ASGI, no bridge).

One URL rule per operation; its view authenticates (when the operation's security asks for a
bearer token), validates with the operation's compiled validator, calls the handler named by
``operationId`` and renders the result. Everything that can be decided from the spec is
decided once at start-up, so the per-request path only does per-request work.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import structlog
from flask import Flask, Response, request

from satchel import auth, context
from satchel.api.docs import init_docs
from satchel.api.errors import ApiError, HandlerMismatch, ResponseInvalid
from satchel.api.handlers import python_name, resolve_handler
from satchel.api.responses import to_response
from satchel.api.security import bearer_requirement
from satchel.api.storable import check_storable
from satchel.openapi import Operation, RequestInvalid, Spec, load_spec
from satchel.openapi.source import line_of

__all__ = ["MAX_BODY_BYTES", "RESPONSE_CHECKS", "init_app"]

RESPONSE_CHECKS = ("off", "log", "raise")
#: The default request body limit: generous for JSON APIs, far below what hurts a worker.
MAX_BODY_BYTES = 1024 * 1024
_TEMPLATE_VARIABLE = re.compile(r"{([^}/]+)}")
_IDENTIFIER = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_EMPTY: dict[str, Any] = {}


def init_app(
    app: Flask,
    spec_path: str | Path,
    handlers: str,
    *,
    validate_responses: str = "off",
    docs: bool = True,
    max_body_bytes: int = MAX_BODY_BYTES,
) -> Spec:
    """Load the spec, bind every operation to its handler and register the routes.

    ``handlers`` is the package holding ``<tag>.py`` modules; ``validate_responses`` is "off",
    "log" (log each mismatch) or "raise" (also answer 500: for development and tests).
    A request body over ``max_body_bytes`` is refused with 413 before it is read (pages
    and forms included: it is the app's ``MAX_CONTENT_LENGTH``).
    Raises HandlerMismatch listing every operation the code cannot serve.
    """
    if validate_responses not in RESPONSE_CHECKS:
        raise ApiError(
            f"validate_responses={validate_responses!r} is not a mode; use one of "
            f"{', '.join(RESPONSE_CHECKS)}."
        )
    if isinstance(max_body_bytes, bool) or not (
        isinstance(max_body_bytes, int) and max_body_bytes > 0
    ):
        raise ApiError(
            f"max_body_bytes={max_body_bytes!r} is not a size; give a positive number of"
            f" bytes (default {MAX_BODY_BYTES})."
        )
    app.config["MAX_CONTENT_LENGTH"] = max_body_bytes
    spec = load_spec(spec_path)
    problems: list[str] = []
    views: list[tuple[Operation, Callable[..., Response]]] = []
    secured: dict[str, bool] = {}
    for operation in spec.operations:
        where = _where(spec, operation)
        view, problem = _bind(app, spec, operation, handlers, validate_responses)
        if problem:
            problems.append(f"{where}: {problem}")
        else:
            views.append((operation, view))
            secured[operation.operation_id] = view.requirement != "none"
    if problems:
        raise HandlerMismatch(problems)
    for operation, view in views:
        rule = _flask_rule(spec.base_path + operation.path)
        app.add_url_rule(
            rule,
            operation.operation_id,
            view,
            methods=[operation.method],
            strict_slashes=True,
        )
    if docs:
        init_docs(app, spec, secured)
    return spec


def _where(spec: Spec, operation: Operation) -> str:
    """Name the spec file and line of an operation, plus its method and path."""
    source = Path(spec.source_path)
    line = line_of(source, operation.pointer) if operation.pointer else None
    location = f"{spec.source_path}:{line}" if line else str(spec.source_path)
    label = operation.operation_id or "(no operationId)"
    return f"{location}: {operation.method} {operation.path} {label}"


def _flask_rule(path: str) -> str:
    """Turn ``/notes/{noteId}`` into ``/notes/<noteId>``-style rules with safe variable names."""
    return _TEMPLATE_VARIABLE.sub(
        lambda m: f"<{_rule_variable(m.group(1))}>",
        path.replace("<", "").replace(">", ""),
    )


def _rule_variable(name: str) -> str:
    """Return the Werkzeug variable for spec parameter ``name`` (itself, when it is legal).

    Keeping the spec's name keeps route labels in logs and metrics readable
    (``/notes/<noteId>``); names Werkzeug cannot take (``note-id``) are encoded.
    """
    if _IDENTIFIER.fullmatch(name):
        return name
    return "v_" + re.sub(r"[^0-9A-Za-z_]", lambda m: f"_{ord(m.group()):x}_", name)


def _bind(
    app: Flask, spec: Spec, operation: Operation, package: str, response_checks: str
) -> tuple[Callable[..., Response] | None, str | None]:
    """Build the view for one operation, or return why it cannot be served."""
    if not operation.operation_id:
        return None, "operation has no operationId; add one naming its handler function"
    if not operation.tags:
        return (
            None,
            "operation has no tags; its first tag names the handler module (api/<tag>.py)",
        )
    try:
        requirement = bearer_requirement(operation.security, spec.document)
    except ValueError as error:
        return None, str(error)
    authenticator = auth.authenticator(app)
    if requirement != "none" and authenticator is None:
        return None, (
            "operation requires a bearer token but satchel.auth.init_app(app, ...) was not "
            "called before satchel.api.init_app"
        )
    plan = _ArgumentPlan(operation)
    handler, problem = resolve_handler(
        package, operation.tags[0], operation.operation_id, plan.keywords
    )
    if handler is None:
        return None, problem
    view = _make_view(
        operation, handler, plan, requirement, authenticator, response_checks
    )
    view.requirement = requirement  # type: ignore[attr-defined]
    return view, None


class _ArgumentPlan:
    """What the view reads from the request and which keywords the handler receives."""

    def __init__(self, operation: Operation) -> None:
        by_location: dict[str, list[str]] = {}
        for parameter in operation.parameters:
            by_location.setdefault(parameter.location, []).append(parameter.name)
        path_names = by_location.get("path", [])
        self.path = tuple((_rule_variable(n), n, python_name(n)) for n in path_names)
        self.query = tuple((n, python_name(n)) for n in by_location.get("query", []))
        self.reads_headers = "header" in by_location
        self.reads_cookies = "cookie" in by_location
        self.reads_body = operation.request_body is not None
        keywords = [p for _, _, p in self.path] + [p for _, p in self.query]
        self.keywords = tuple(keywords + (["body"] if self.reads_body else []))


def _make_view(
    operation: Operation,
    handler: Callable[..., Any],
    plan: _ArgumentPlan,
    requirement: str,
    authenticator: auth.Authenticator | None,
    response_checks: str,
) -> Callable[..., Response]:
    """Return the Flask view for one operation; every branch here is per request."""
    validator = operation.request_validator()
    authenticate = None
    if requirement != "none" and authenticator is not None:
        authenticate = authenticator.authenticate
    token_required = requirement == "required"
    path_plan, query_plan = plan.path, plan.query
    reads_headers, reads_cookies, reads_body = (
        plan.reads_headers,
        plan.reads_cookies,
        plan.reads_body,
    )
    set_actor = context.actor.set
    check = _response_checker(operation, response_checks)

    current = request._get_current_object  # one proxy lookup, not one per attribute

    def view(**raw: str) -> Response:
        req = current()
        if authenticate is not None:
            header = req.environ.get("HTTP_AUTHORIZATION")
            if header or token_required:
                set_actor(authenticate(header))
        try:
            valid = validator(
                {name: raw[variable] for variable, name, _ in path_plan},
                req.args.to_dict(flat=False) if query_plan else _EMPTY,
                req.headers if reads_headers else _EMPTY,
                req.cookies if reads_cookies else _EMPTY,
                req.content_type,
                req.get_data() if reads_body else b"",
            )
            check_storable(valid)
        except RequestInvalid as error:
            raise error.to_problem() from None
        arguments = {keyword: valid.path[name] for _, name, keyword in path_plan}
        if query_plan:
            query = valid.query
            for name, keyword in query_plan:
                if name in query:
                    arguments[keyword] = query[name]
        if reads_body:
            arguments["body"] = valid.body
        response, body = to_response(handler(**arguments))
        if check is not None:
            check(response, body)
        return response

    view.__name__ = operation.operation_id
    view.__doc__ = operation.summary or None
    return view


def _response_checker(
    operation: Operation, mode: str
) -> Callable[[Response, Any], None] | None:
    """Return a function validating a handler's response against the spec, or None if off."""
    if mode == "off":
        return None

    def check(response: Response, body: Any) -> None:
        if body is None and response.status_code != 204 and response.is_json:
            body = response.get_json()
        media_type = response.mimetype if response.status_code != 204 else None
        issues = operation.validate_response(response.status_code, media_type, body)
        if not issues:
            return
        error = ResponseInvalid(operation.operation_id, response.status_code, issues)
        structlog.get_logger("satchel.api").error(
            "response invalid", operation=operation.operation_id, error=str(error)
        )
        if mode == "raise":
            raise error.to_problem()

    return check
