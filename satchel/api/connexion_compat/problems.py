"""Turn the errors Connexion handlers and security functions raise into satchel problems.

Handlers written for Connexion raise ``connexion.ProblemException`` (``OAuthProblem``,
``Forbidden``...); Connexion is never imported here, the error is read by its attributes.
"""

from __future__ import annotations

from typing import Any

from satchel.problems import Problem

__all__ = ["ProblemException", "from_connexion"]


class ProblemException(Problem):
    """``connexion.ProblemException``'s signature, raised as a satchel problem."""

    def __init__(
        self,
        *,
        status: int = 500,
        title: str | None = None,
        detail: str | None = None,
        type: str | None = None,
        instance: str | None = None,
        headers: dict[str, str] | None = None,
        ext: dict[str, Any] | None = None,
    ) -> None:
        extensions = dict(ext or {})
        if instance:
            extensions["instance"] = instance
        super().__init__(
            status=status,
            detail=detail or "",
            title=title or "",
            type=type or "about:blank",
            extensions=extensions,
            headers=dict(headers or {}),
        )


def _from_connexion_module(error: Exception) -> bool:
    return any(kind.__module__.startswith("connexion") for kind in type(error).__mro__)


def from_connexion(error: Exception) -> Problem | None:
    """Return the problem a Connexion exception stands for, or None for any other error."""
    if not _from_connexion_module(error):
        return None
    status = getattr(error, "status_code", None) or getattr(error, "status", None)
    if not isinstance(status, int):
        return None
    return ProblemException(
        status=status,
        title=getattr(error, "title", None),
        detail=getattr(error, "detail", None),
        type=getattr(error, "type", None),
        instance=getattr(error, "instance", None),
        headers=getattr(error, "headers", None) or None,
        ext=getattr(error, "ext", None),
    )
