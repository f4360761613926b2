"""Errors of the spec-first router: a spec that does not fit its handlers, a bad response."""

from __future__ import annotations

from satchel.problems import Problem

__all__ = ["ApiError", "HandlerMismatch", "ResponseInvalid"]


class ApiError(Exception):
    """Base of every error raised by :mod:`satchel.api`."""


class HandlerMismatch(ApiError):
    """The spec names handlers, parameters or security the code cannot serve; refuse to start."""

    def __init__(self, problems: list[str]) -> None:
        self.problems = tuple(problems)
        count = len(problems)
        heading = f"The spec and its handlers do not match ({count} problem{'s' * (count > 1)}):"
        super().__init__("\n".join([heading, *(f"  - {p}" for p in problems)]))


class ResponseInvalid(ApiError):
    """A handler returned a response its operation does not declare (development/test only)."""

    def __init__(self, operation_id: str, status: int, issues: list) -> None:
        self.operation_id, self.status, self.issues = (
            operation_id,
            status,
            tuple(issues),
        )
        listed = "; ".join(f"{i.field or '/'}: {i.message}" for i in issues)
        super().__init__(
            f"Handler {operation_id} returned a {status} response that breaks the spec: {listed}. "
            "Fix the handler or the spec's response schema."
        )

    def to_problem(self) -> Problem:
        """Return the 500 problem shown to the test client (never enabled in production)."""
        return Problem(
            status=500,
            detail=str(self),
            type="response-invalid",
            extensions={"errors": [issue.to_dict() for issue in self.issues]},
        )
