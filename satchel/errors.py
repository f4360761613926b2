"""Render every error as ``application/problem+json`` (RFC 9457).

A :class:`~satchel.problems.Problem` is rendered as is; Werkzeug's HTTP errors (404, 405 with
its ``Allow`` header, 413, 415, ...) become problems with the same status; a database error a
client caused (a unique value taken, a number beyond its column) becomes its 409 or 422
(:mod:`satchel.database_errors`); anything else is a 500 whose body carries the request id to
quote to support, never the traceback, which goes to the log instead - once, in full.
"""

from __future__ import annotations

import structlog
from flask import Flask, Response, current_app, has_app_context
from werkzeug.exceptions import HTTPException, InternalServerError

from satchel import context
from satchel.database_errors import problem_for
from satchel.logs import get_logger
from satchel.problems import PROBLEM_MEDIA_TYPE, Problem

__all__ = ["init_app", "problem_response", "unexpected_response"]

_INTERNAL = (
    "The server failed to handle this request; quote the request_id when reporting it."
)


def problem_response(problem: Problem) -> Response:
    """Return the Flask response for ``problem``, tagged with the current request id."""
    request_id = context.request_id.get()
    if request_id is not None and "request_id" not in problem.extensions:
        problem.extensions["request_id"] = request_id
    response = Response(
        problem.to_json(), status=problem.status, mimetype=PROBLEM_MEDIA_TYPE
    )
    for name, value in problem.headers.items():
        response.headers[name] = value
    return response


def unexpected_response(error: BaseException, *, logged: bool = False) -> Response:
    """Answer an exception no handler claimed: its client problem, else a logged 500.

    ``logged`` says the error was already logged with its trace (Flask does so for errors
    that escape the handlers), so it is not logged twice.
    """
    problem = problem_for(error)
    if problem is not None:
        return problem_response(problem)
    if not logged:
        logger = (
            get_logger(current_app) if has_app_context() else structlog.get_logger()
        )
        logger.error(
            "unhandled exception",
            exc_type=type(error).__name__,
            exc_info=(type(error), error, error.__traceback__),
        )
    return problem_response(
        Problem(status=500, detail=_INTERNAL, type="internal-error")
    )


def init_app(app: Flask) -> None:
    """Register the handlers that turn every exception into a problem+json response."""

    def render_problem(error: Problem) -> Response:
        return problem_response(error)

    def render_http_error(error: HTTPException) -> Response:
        original = getattr(error, "original_exception", None)
        if isinstance(error, InternalServerError) and original is not None:
            # Escaped every handler (raised in one, or after the view): Flask logged it.
            return unexpected_response(original, logged=True)
        status = error.code or 500
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return problem_response(
            Problem(status=status, detail=_describe(error), headers=headers)
        )

    def render_unexpected(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return render_http_error(error)
        return unexpected_response(error)

    app.register_error_handler(Problem, render_problem)
    app.register_error_handler(HTTPException, render_http_error)
    app.register_error_handler(Exception, render_unexpected)


def _describe(error: HTTPException) -> str:
    """Return a detail line for a Werkzeug HTTP error, naming the allowed methods for 405."""
    valid = getattr(error, "valid_methods", None)
    if error.code == 405 and valid:
        return (
            f"This URL does not accept the request method; allowed: {', '.join(valid)}."
        )
    return error.description or ""
