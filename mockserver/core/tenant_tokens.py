"""Refuse, as a satchel neighbour would, a bearer token bound to another tenant than the host's.

Satchel services bind tokens to tenants (``satchel.tenant_claims``): a user token names its
tenant in ``tenant``, a service token lists the tenants it acts for in ``tenants`` (or
``"*"``). The mock cannot verify a signature, but it can read the claims, so a service that
sends school A's token to school B's host fails here with 403, not first in staging. Tokens
that are not JWTs, or name no tenant, and hosts that name none (an IP address, ``localhost``)
are left alone: the mock only refuses what the real neighbour certainly would.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from typing import Any

__all__ = ["tenant_refusal"]

TENANT_CLAIM, TENANTS_CLAIM, ALL_TENANTS = "tenant", "tenants", "*"


def tenant_refusal(headers: Mapping[str, str]) -> str | None:
    """Return why the request's token may not act for its host's tenant, or None."""
    tenant = _host_tenant(headers.get("host") or "")
    if tenant is None:
        return None
    claims = _claims(headers.get("authorization") or "")
    if claims is None:
        return None
    allowed = _tenants(claims)
    if allowed is None or ALL_TENANTS in allowed or tenant in allowed:
        return None
    named = ", ".join(sorted(allowed)) or "none"
    return (
        f"the bearer token acts for tenant(s) {named}, not {tenant!r} (the tenant of host"
        f" {headers.get('host')}); the real service refuses it with 403. Mint the token"
        " for the tenant of the request."
    )


def _host_tenant(host: str) -> str | None:
    """Return the first label of ``<tenant>.<service>.<domain>``; None for other hosts."""
    name = host.rsplit(":", 1)[0] if not host.startswith("[") else ""
    labels = name.lower().rstrip(".").split(".")
    if len(labels) < 3 or all(label.isdigit() for label in labels):
        return None
    return labels[0]


def _claims(authorization: str) -> dict[str, Any] | None:
    """Return a bearer JWT's claims, unverified; None when it is not a readable JWT."""
    scheme, _, token = authorization.strip().partition(" ")
    parts = token.strip().split(".")
    if scheme.lower() != "bearer" or len(parts) != 3:
        return None
    try:
        padded = parts[1] + "=" * (-len(parts[1]) % 4)
        claims = json.loads(base64.urlsafe_b64decode(padded))
    except (binascii.Error, ValueError):
        return None
    return claims if isinstance(claims, dict) else None


def _tenants(claims: dict[str, Any]) -> set[str] | None:
    """Return the tenants the claims name, or None when they name none at all."""
    named: set[str] = set()
    single = claims.get(TENANT_CLAIM)
    if isinstance(single, str):
        named.add(single)
    listed = claims.get(TENANTS_CLAIM)
    if listed == ALL_TENANTS:
        named.add(ALL_TENANTS)
    elif isinstance(listed, list):
        named.update(item for item in listed if isinstance(item, str))
    if single is None and listed is None:
        return None
    return named
