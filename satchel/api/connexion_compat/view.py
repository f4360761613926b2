"""The per-request view of one operation in compat mode (everything else is decided before)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, request

from satchel import context
from satchel.api.connexion_compat import responses
from satchel.api.connexion_compat.arguments import ArgumentPlan
from satchel.api.connexion_compat.defaults import fill_defaults
from satchel.api.connexion_compat.problems import from_connexion
from satchel.api.router import _response_checker, _rule_variable
from satchel.api.storable import check_storable
from satchel.openapi import Operation, RequestInvalid, Spec
from satchel.problems import Problem

__all__ = ["body_checker", "make_view", "produces"]

_EMPTY: dict[str, Any] = {}


def produces(operation: Operation) -> tuple[str, ...]:
    """Return every media type the operation's responses declare (JSON if none)."""
    found: dict[str, None] = {}
    for response in operation.responses.values():
        found.update(dict.fromkeys(response.content))
    return tuple(found) or ("application/json",)


def make_view(
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
    media_types = produces(operation)
    reads_headers = any(p.location == "header" for p in operation.parameters)
    reads_cookies = any(p.location == "cookie" for p in operation.parameters)
    reads_body = operation.request_body is not None
    reads_query = strict_query is not None or any(
        p.location == "query" for p in operation.parameters
    )
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
                # Connexion's token_info is the claims, its user the token's subject.
                security = {**actor.claims, "sub": actor.id}
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
                req.args.to_dict(flat=False) if reads_query else _EMPTY,
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
        files = req.files if plan.files else None
        result = _connexion_errors(handler, **plan.keywords(valid, security, files))
        response, body = responses.to_response(result, media_types)
        if check is not None:
            check(response, body)
        return response

    view.__name__ = operation.operation_id or f"{operation.method}_{operation.path}"
    view.__doc__ = operation.summary or None
    return view


def body_checker(operation: Operation) -> Callable[[Response, Any], None]:
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
