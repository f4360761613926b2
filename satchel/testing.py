"""Helpers for testing a Satchel service through its front door.

``make_token`` signs a JWT the service's ``satchel.auth`` accepts (or, with the arguments
changed, one it must refuse); tokens are bound to tenants, so a user token names its tenant
(``tenant="school-a"``) and ``service_token`` mints the token one service shows another,
naming the tenants it acts for. ``tenant_client`` is a Flask test client whose requests carry
a tenant's Host; ``bearer`` builds the Authorization header.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import jwt
from flask import Flask
from flask.testing import FlaskClient

__all__ = ["TenantClient", "bearer", "make_token", "service_token", "tenant_client"]


def make_token(
    key: Any,
    *,
    issuer: str,
    audience: str,
    subject: str = "user-1",
    expires_in: float = 300,
    algorithm: str = "HS256",
    tenant: str | None = None,
    tenant_claim: str = "tenant",
    **claims: Any,
) -> str:
    """Return a signed JWT; ``expires_in`` may be negative to mint an expired token.

    ``tenant`` is the tenant the token is issued for (in ``tenant_claim``); a service without
    it refuses the token on every tenant's host. Extra keyword claims are added as is; pass
    ``exp=None``-style overrides by name to drop a registered claim (a claim whose value is
    None is left out).
    """
    now = int(time.time())
    payload = {"iss": issuer, "aud": audience, "sub": subject, "iat": now}
    payload["exp"] = now + int(expires_in)
    if tenant is not None:
        payload[tenant_claim] = tenant
    payload.update(claims)
    payload = {name: value for name, value in payload.items() if value is not None}
    return jwt.encode(payload, key, algorithm=algorithm)


def service_token(
    key: Any,
    *,
    issuer: str,
    audience: str,
    service: str,
    tenants: Sequence[str] | str,
    expires_in: float = 60,
    algorithm: str = "HS256",
) -> str:
    """Return a short-lived token for calls from ``service`` acting for ``tenants``.

    ``tenants`` lists the tenants the call may act for (usually just the current one, which
    may be given as one string); ``"*"`` says every tenant, explicitly (for platform jobs
    that sweep all tenants).
    """
    if isinstance(tenants, str):
        listed: Any = tenants if tenants == "*" else [tenants]
    else:
        listed = list(tenants)
    return make_token(
        key,
        issuer=issuer,
        audience=audience,
        subject=f"service:{service}",
        expires_in=expires_in,
        algorithm=algorithm,
        actor_type="service",
        tenants=listed,
    )


def bearer(token: str) -> dict[str, str]:
    """Return the Authorization header carrying ``token``."""
    return {"Authorization": f"Bearer {token}"}


class TenantClient(FlaskClient):
    """A Flask test client that sends every request to one host (a tenant's sub-domain)."""

    host = "localhost"

    def open(self, *args: Any, **kwargs: Any) -> Any:
        """Send the request with this client's host unless the call names another base_url."""
        kwargs.setdefault("base_url", f"http://{self.host}")
        return super().open(*args, **kwargs)


def tenant_client(
    app: Flask, tenant: str, domain: str = "example.test", *, token: str | None = None
) -> TenantClient:
    """Return a test client for ``http://<tenant>.<domain>/``, signed in when given a token."""
    client = TenantClient(app, app.response_class, use_cookies=True)
    client.host = f"{tenant}.{domain}"
    if token is not None:
        client.environ_base["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client
