"""Which tenants a verified token may act for, and the 403 when the request's tenant is not one.

A token is bound to tenants (issue 12: a token for one school opened every school). A *user*
token names the one tenant it was issued for in a string claim (``tenant`` by default, the
name is configurable); a *service* token (``actor_type: service``), used between services,
names the tenants it may act for as a list in ``tenants``, or every tenant explicitly with
``"*"``. The tenant a request runs in comes from its host (:mod:`satchel.tenancy`); a token
that does not name it is refused with 403, whatever else it proves.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from satchel.problems import Problem

__all__ = ["ALL_TENANTS", "TENANTS_CLAIM", "forbidden", "tenants_of"]

#: What a service token's ``tenants`` claim says to act for every tenant.
ALL_TENANTS = "*"
#: The claim of a service token listing its tenants.
TENANTS_CLAIM = "tenants"


class TenantClaimInvalid(ValueError):
    """The token's tenant claims are malformed; the message says which claim and why."""


def tenants_of(
    claims: Mapping[str, Any], actor_type: str, tenant_claim: str
) -> frozenset[str]:
    """Return the tenants a token may act for (``{"*"}``: every tenant; empty: none).

    Raise :class:`TenantClaimInvalid` for a claim of the wrong shape, so that a typo in an
    identity provider's mapping is a clear 401 rather than a silent 403.
    """
    named: set[str] = set()
    single = claims.get(tenant_claim)
    if single is not None:
        if not isinstance(single, str) or not single:
            raise TenantClaimInvalid(
                f"the {tenant_claim!r} claim must be a string naming one tenant"
            )
        if single == ALL_TENANTS:
            raise TenantClaimInvalid(
                f"the {tenant_claim!r} claim names one tenant; only a service token may"
                f' act for every tenant, with {TENANTS_CLAIM!r}: "*"'
            )
        named.add(single)
    if actor_type != "service":
        return frozenset(named)
    listed = claims.get(TENANTS_CLAIM)
    if listed is None:
        return frozenset(named)
    if listed == ALL_TENANTS or listed == [ALL_TENANTS]:
        return frozenset({ALL_TENANTS})
    if not isinstance(listed, list) or not all(
        isinstance(item, str) and item and item != ALL_TENANTS for item in listed
    ):
        raise TenantClaimInvalid(
            f'the {TENANTS_CLAIM!r} claim must be a list of tenant ids, or "*" for every'
            " tenant"
        )
    return frozenset(named | set(listed))


def forbidden(
    tenants: frozenset[str], tenant: str, actor_type: str, tenant_claim: str
) -> Problem | None:
    """Return the 403 problem when ``tenants`` does not cover ``tenant``, else None."""
    if ALL_TENANTS in tenants or tenant in tenants:
        return None
    if not tenants:
        claim = (
            f"{tenant_claim!r} or {TENANTS_CLAIM!r}"
            if actor_type == "service"
            else repr(tenant_claim)
        )
        detail = (
            f"The token names no tenant (claim {claim}); tokens are bound to the tenant they"
            f" were issued for: get one issued for {tenant!r}."
        )
    elif actor_type == "service":
        detail = (
            f"This service token may not act for tenant {tenant!r}; it names"
            f" {len(tenants)} other tenant(s)."
        )
    else:
        (issued_for,) = tenants
        detail = (
            f"This token was issued for tenant {issued_for!r}, not {tenant!r}; sign in to"
            f" {tenant!r} for a token of its own."
        )
    return Problem(
        status=403,
        detail=detail,
        type="tenant-forbidden",
        headers={"WWW-Authenticate": 'Bearer error="insufficient_scope"'},
    )
