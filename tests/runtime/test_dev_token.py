"""``flask dev-token`` mints a token the app accepts, and refuses what it cannot sign."""

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask

from satchel import auth
from satchel.dev_token import dev_token_command

ISSUER, AUDIENCE, KEY = "https://auth.test", "notes", "k" * 40


def make_app(algorithms=("HS256",), key=KEY) -> Flask:
    app = Flask(__name__)
    auth.init_app(app, issuer=ISSUER, audience=AUDIENCE, key=key, algorithms=algorithms)
    app.cli.add_command(dev_token_command)
    return app


def test_token_is_accepted_by_the_app():
    """The printed token verifies as the given subject."""
    app = make_app()
    result = app.test_cli_runner().invoke(args=["dev-token", "--sub", "teacher-9"])
    assert result.exit_code == 0, result.output
    actor = auth.authenticator(app).authenticate(f"Bearer {result.output.strip()}")
    assert actor.id == "teacher-9"


def test_asymmetric_keys_are_refused():
    """With RS256 the command says to ask the identity provider instead."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    app = make_app(algorithms=("RS256",), key=public_pem)
    result = app.test_cli_runner().invoke(args=["dev-token"])
    assert result.exit_code == 1
    assert "signed by your identity provider" in result.output


def test_without_auth_configured():
    """An app without satchel.auth gets a clear error."""
    app = Flask(__name__)
    app.cli.add_command(dev_token_command)
    result = app.test_cli_runner().invoke(args=["dev-token"])
    assert result.exit_code == 1
    assert "satchel.auth.init_app was not called" in result.output
