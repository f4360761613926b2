"""Read an operation's effective OpenAPI ``security`` as: token required, optional, or none."""

from __future__ import annotations

from typing import Any, Literal

__all__ = ["Requirement", "bearer_requirement"]

Requirement = Literal["required", "optional", "none"]


def _bearer_schemes(document: dict[str, Any]) -> tuple[set[str], dict[str, str]]:
    """Return the names of schemes carried as bearer tokens, and every scheme's kind."""
    schemes = (document.get("components") or {}).get("securitySchemes") or document.get(
        "securityDefinitions", {}
    )
    bearer, kinds = set(), {}
    for name, scheme in schemes.items():
        kind = str(scheme.get("type", "")).lower()
        kinds[name] = f"{kind} {scheme.get('scheme', '')}".strip()
        is_http_bearer = (
            kind == "http" and str(scheme.get("scheme", "")).lower() == "bearer"
        )
        if is_http_bearer or kind in ("oauth2", "openidconnect"):
            bearer.add(name)
    return bearer, kinds


def bearer_requirement(
    security: list[dict] | None, document: dict[str, Any]
) -> Requirement:
    """Classify ``security`` (alternatives, each an AND of schemes) for the bearer checker.

    Raises ValueError naming a scheme Satchel cannot check, so an unchecked scheme can never
    silently leave an operation open.
    """
    if not security:
        return "none"
    bearer, kinds = _bearer_schemes(document)
    anonymous_allowed = False
    for alternative in security:
        if not alternative:
            anonymous_allowed = True
            continue
        for name in alternative:
            if name not in kinds:
                raise ValueError(
                    f"security scheme {name!r} is not declared in components/securitySchemes"
                )
            if name not in bearer:
                raise ValueError(
                    f"security scheme {name!r} ({kinds[name]}) cannot be checked by satchel.auth, "
                    "which verifies bearer JWTs; declare it as type: http, scheme: bearer"
                )
    return "optional" if anonymous_allowed else "required"
