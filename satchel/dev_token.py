"""``flask dev-token``: mint a bearer token for local work, signed with the development key.

Only for development: the template registers it outside production, and it refuses keys it
cannot sign with (an asymmetric algorithm means a real identity provider signs tokens).
Tokens are bound to tenants, as the service checks: a user token names its ``--tenant``; a
service token (``--service``) names the ``--tenants`` it acts for, or ``'*'`` for all.
"""

from __future__ import annotations

import click
from flask import current_app
from flask.cli import with_appcontext

from satchel.auth import authenticator
from satchel.testing import make_token


@click.command("dev-token")
@click.option(
    "--sub", "subject", default="dev-user", show_default=True, help="Actor id."
)
@click.option("--tenant", help="The tenant a user token is issued for (required).")
@click.option(
    "--service",
    help="Mint a service token for calls from this service instead of a user token.",
)
@click.option(
    "--tenants",
    help="With --service: the tenants it acts for, comma-separated, or '*' for all.",
)
@click.option("--hours", default=8.0, show_default=True, help="Lifetime of the token.")
@with_appcontext
def dev_token_command(
    subject: str,
    tenant: str | None,
    service: str | None,
    tenants: str | None,
    hours: float,
) -> None:
    """Print a token this service accepts, for curl and the browser in local work."""
    auth = authenticator(current_app)
    if auth is None:
        raise click.ClickException("satchel.auth.init_app was not called for this app.")
    algorithm = auth.algorithms[0]
    if not algorithm.startswith("HS"):
        raise click.ClickException(
            f"the service verifies {algorithm} tokens, signed by your identity provider: "
            "get a token from it; dev-token only signs with a shared development key."
        )
    claims = _tenant_claims(auth.tenant_claim, tenant, service, tenants)
    if service:
        subject = f"service:{service}"
    click.echo(
        make_token(
            auth.key,
            issuer=auth.issuer,
            audience=auth.audience,
            subject=subject,
            expires_in=hours * 3600,
            algorithm=algorithm,
            **claims,
        )
    )


def _tenant_claims(
    claim: str, tenant: str | None, service: str | None, tenants: str | None
) -> dict:
    """Return the claims binding the token to its tenants, or say which option is missing."""
    if service:
        if tenant or not tenants:
            raise click.UsageError(
                "a service token names the tenants it acts for: --tenants school-a,school-b"
                " (or --tenants '*' for every tenant), not --tenant."
            )
        listed = tenants.strip()
        names = (
            "*"
            if listed == "*"
            else [t.strip() for t in listed.split(",") if t.strip()]
        )
        return {"actor_type": "service", "tenants": names}
    if tenants:
        raise click.UsageError("--tenants is for service tokens: add --service NAME.")
    if not tenant:
        raise click.UsageError(
            "name the tenant the token is for: --tenant school-a (a token opens only the"
            " tenant it was issued for)."
        )
    return {claim: tenant}
