"""The spec-first API router: one Flask route per OpenAPI operation, served as plain WSGI."""

from satchel.api.errors import ApiError, HandlerMismatch, ResponseInvalid
from satchel.api.markers import (
    PUBLIC_ATTRIBUTE,
    is_public,
    mark_public,
    public_endpoints,
)
from satchel.api.router import MAX_BODY_BYTES, RESPONSE_CHECKS, init_app

__all__ = [
    "MAX_BODY_BYTES",
    "PUBLIC_ATTRIBUTE",
    "RESPONSE_CHECKS",
    "ApiError",
    "HandlerMismatch",
    "ResponseInvalid",
    "init_app",
    "is_public",
    "mark_public",
    "public_endpoints",
]
