"""``flask dev-token``: mint a bearer token for local work, signed with the development key.

Only for development: the template registers it outside production, and it refuses keys it
cannot sign with (an asymmetric algorithm means a real identity provider signs tokens).
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
@click.option("--hours", default=8.0, show_default=True, help="Lifetime of the token.")
@with_appcontext
def dev_token_command(subject: str, hours: float) -> None:
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
    click.echo(
        make_token(
            auth.key,
            issuer=auth.issuer,
            audience=auth.audience,
            subject=subject,
            expires_in=hours * 3600,
            algorithm=algorithm,
        )
    )
