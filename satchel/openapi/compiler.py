"""Give operations their validators: the one object an Operation delegates compiling to."""

from __future__ import annotations

from typing import Any

from satchel.openapi.errors import Issue
from satchel.openapi.model import Operation
from satchel.openapi.request import RequestValidator
from satchel.openapi.response import check_response
from satchel.openapi.schemas import SchemaCompiler


class OperationCompiler(SchemaCompiler):
    """Builds request validators and checks responses with the spec's compiled schemas."""

    def request_validator(self, operation: Operation) -> RequestValidator:
        """Compile the request validator of ``operation``."""
        return RequestValidator(operation, self)

    def validate_response(
        self, operation: Operation, status: int | str, media_type: str | None, body: Any
    ) -> list[Issue]:
        """Check one response of ``operation``."""
        return check_response(operation, self, status, media_type, body)
