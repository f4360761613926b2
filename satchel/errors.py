"""Render every error as ``application/problem+json`` (RFC 9457).

A :class:`~satchel.problems.Problem` is rendered as is; Werkzeug's HTTP errors (404, 405 with
its ``Allow`` header, 415, ...) become problems with the same status; anything else is a 500
whose body carries the request id to quote to support, never the traceback, which goes to
the log instead.
"""

from __future__ import annotations

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from satchel import context
from satchel.logs import get_logger
from satchel.problems import PROBLEM_MEDIA_TYPE, Problem

__all__ = ["init_app", "problem_response"]


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


def init_app(app: Flask) -> None:
    """Register the handlers that turn every exception into a problem+json response."""

    def render_problem(error: Problem) -> Response:
        return problem_response(error)

    def render_http_error(error: HTTPException) -> Response:
        status = error.code or 500
        headers = {k: v for k, v in error.get_headers() if k.lower() != "content-type"}
        return problem_response(
            Problem(status=status, detail=_describe(error), headers=headers)
        )

    def render_unexpected(error: Exception) -> Response:
        if isinstance(error, HTTPException):
            return render_http_error(error)
        get_logger(app).exception("unhandled exception", exc_type=type(error).__name__)
        return problem_response(
            Problem(
                status=500,
                detail="The server failed to handle this request; quote the request_id "
                "when reporting it.",
                type="internal-error",
            )
        )

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
