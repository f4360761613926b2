"""``flask dev-token`` mints a token the app accepts, and refuses what it cannot sign."""

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask

from satchel import auth, context
from satchel.problems import Problem
from satchel.dev_token import dev_token_command

ISSUER, AUDIENCE, KEY = "https://auth.test", "notes", "k" * 40


def make_app(algorithms=("HS256",), key=KEY) -> Flask:
    app = Flask(__name__)
    auth.init_app(app, issuer=ISSUER, audience=AUDIENCE, key=key, algorithms=algorithms)
    app.cli.add_command(dev_token_command)
    return app


def mint(app: Flask, *args: str):
    """Run ``flask dev-token ARGS`` and return the result."""
    return app.test_cli_runner().invoke(args=["dev-token", *args])


def actor_in(app: Flask, token: str, tenant: str):
    """Authenticate ``token`` as a request of ``tenant`` would."""
    scope = context.tenant_id.set(tenant)
    try:
        return auth.authenticator(app).authenticate(f"Bearer {token}")
    finally:
        context.tenant_id.reset(scope)


def test_token_is_accepted_by_the_app_for_its_tenant_only():
    """The printed token verifies as the given subject on its tenant, and 403s elsewhere."""
    app = make_app()
    result = mint(app, "--sub", "teacher-9", "--tenant", "school-a")
    assert result.exit_code == 0, result.output
    token = result.output.strip()
    assert actor_in(app, token, "school-a").id == "teacher-9"
    with pytest.raises(Problem) as refused:
        actor_in(app, token, "school-b")
    assert refused.value.status == 403


def test_service_token_names_its_tenants():
    """--service --tenants a,b acts for a and b; --tenants '*' for every tenant."""
    app = make_app()
    listed = mint(app, "--service", "reports", "--tenants", "school-a, school-b")
    assert listed.exit_code == 0, listed.output
    actor = actor_in(app, listed.output.strip(), "school-b")
    assert (actor.id, actor.type) == ("service:reports", "service")
    with pytest.raises(Problem):
        actor_in(app, listed.output.strip(), "school-c")
    everyone = mint(app, "--service", "reports", "--tenants", "*").output.strip()
    assert actor_in(app, everyone, "school-z").type == "service"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "name the tenant the token is for: --tenant school-a"),
        (("--service", "reports"), "a service token names the tenants it acts for"),
        (("--tenants", "a"), "--tenants is for service tokens: add --service NAME."),
    ],
    ids=["no-tenant", "service-without-tenants", "tenants-without-service"],
)
def test_unbound_tokens_are_refused(args, message):
    """A token that would name no tenant is never printed: usage error, exit 2."""
    result = mint(make_app(), *args)
    assert result.exit_code == 2
    assert message in result.output


def test_asymmetric_keys_are_refused():
    """With RS256 the command says to ask the identity provider instead."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    app = make_app(algorithms=("RS256",), key=public_pem)
    result = app.test_cli_runner().invoke(args=["dev-token", "--tenant", "school-a"])
    assert result.exit_code == 1
    assert "signed by your identity provider" in result.output


def test_without_auth_configured():
    """An app without satchel.auth gets a clear error."""
    app = Flask(__name__)
    app.cli.add_command(dev_token_command)
    result = app.test_cli_runner().invoke(args=["dev-token"])
    assert result.exit_code == 1
    assert "satchel.auth.init_app was not called" in result.output
