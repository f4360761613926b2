"""Check a response (status, media type, body) against what the operation declares."""

from __future__ import annotations

from typing import Any

from satchel.openapi.errors import Issue
from satchel.openapi.media import BodyUnreadable, essence, is_json, parse_body, pick
from satchel.openapi.model import Operation, Response
from satchel.openapi.schemas import SchemaCompiler


def declared_response(operation: Operation, status: int | str) -> Response | None:
    """Return the response for ``status``: exact code, then its "4XX" range, then default."""
    code = str(status).upper()
    responses = operation.responses
    return (
        responses.get(code)
        or responses.get(code[:1] + "XX")
        or responses.get("default")
    )


def check_response(
    operation: Operation,
    compiler: SchemaCompiler,
    status: int | str,
    media_type: str | None,
    body: Any,
) -> list[Issue]:
    """Return what is wrong with the response; an empty list when it conforms."""
    response = declared_response(operation, status)
    if response is None:
        declared = ", ".join(operation.responses) or "none"
        return [
            Issue(
                "status", str(status), f"status is not declared (declared: {declared})"
            )
        ]
    empty = body is None or body == b"" or body == ""
    if not response.content:
        if empty:
            return []
        return [Issue("body", "", f"response {response.status} declares no content")]
    declared = ", ".join(response.content)
    if empty and media_type is None:
        return [
            Issue("body", "", f"response {response.status} needs a body ({declared})")
        ]
    media = pick(compiler.lowered_content(response), media_type)
    if media is None:
        shown = f"'{essence(media_type)}'" if essence(media_type) else "no Content-Type"
        message = f"{shown} is not declared for response {response.status} (declared: {declared})"
        return [Issue("header", "Content-Type", message)]
    if media.schema is None:
        return []
    if isinstance(body, (bytes, str)) and is_json(media_type or ""):
        try:
            body = parse_body(
                media_type or "", body.encode() if isinstance(body, str) else body
            )
        except BodyUnreadable as exc:
            return [Issue("body", "", str(exc))]
    check = compiler.compile(media.schema, media.schema_uri, response=True)
    if check.is_valid(body):
        return []
    return [
        Issue("body", pointer, message) for pointer, message in check.violations(body)
    ]
