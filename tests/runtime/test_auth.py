"""satchel.auth: bearer JWT checked for signature, issuer, audience and expiry."""

from __future__ import annotations

import time

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from satchel import context
from satchel.auth import Authenticator, AuthError, current_actor
from satchel.problems import Problem
from satchel.testing import bearer, make_token, tenant_client

KEY = "k" * 40


@pytest.mark.parametrize(
    ("headers", "detail", "challenge"),
    [
        (
            {},
            "The request has no Authorization header; send 'Authorization: Bearer <token>'.",
            "Bearer",
        ),
        (
            {"Authorization": "Basic dXNlcjpwYXNz"},
            "The Authorization header is not a bearer token; send 'Authorization: Bearer "
            "<token>'.",
            'Bearer error="invalid_request", error_description="The Authorization header is not '
            "a bearer token; send 'Authorization: Bearer <token>'.\"",
        ),
        (
            {"Authorization": "Bearer not.a.jwt"},
            "The token is malformed: it is not a decodable JWT.",
            'Bearer error="invalid_token", error_description="The token is malformed: it is not a '
            'decodable JWT."',
        ),
    ],
    ids=["missing", "wrong-scheme", "malformed"],
)
def test_header_problems(client, headers, detail, challenge):
    """Missing, non-bearer and undecodable credentials are distinct 401s."""
    response = client.get("/v1/notes", headers=headers)
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == detail
    assert response.headers["WWW-Authenticate"] == challenge


@pytest.mark.parametrize(
    ("changes", "detail"),
    [
        ({"key": "x" * 40}, "The token signature does not verify."),
        ({"expires_in": -120}, "The token has expired; obtain a new one."),
        ({"issuer": "https://evil.test"}, "The token was not issued by https://auth.example.test."),
        ({"audience": "other-service"}, "The token is not meant for audience runtime-notes."),
        ({"nbf": 4102444800}, "The token is not valid yet (nbf is in the future)."),
        ({"sub": None}, "The token has no 'sub' claim."),
        ({"exp": None}, "The token has no 'exp' claim."),
    ],
    ids=["bad-signature", "expired", "wrong-issuer", "wrong-audience", "not-yet-valid",
         "no-subject", "no-expiry"],
)  # fmt: skip
def test_token_problems(client, token, changes, detail):
    """Each way a token can be wrong gets its own clear 401 detail."""
    subject = changes.pop("sub", "user-1")
    minted = token(subject=subject, **changes)
    response = client.get("/v1/notes", headers=bearer(minted))
    assert response.status_code == 401
    assert response.get_json()["detail"] == detail
    assert response.headers["WWW-Authenticate"].startswith(
        'Bearer error="invalid_token"'
    )


def test_expired_token_within_leeway_is_accepted(client, token):
    """Clock skew up to the leeway (30 s) is tolerated."""
    assert (
        client.get("/v1/notes", headers=bearer(token(expires_in=-10))).status_code
        == 200
    )


def test_valid_token_gives_handlers_the_actor(client, token):
    """A valid token's subject and type reach the handler."""
    response = client.get(
        "/v1/whoami", headers=bearer(token(subject="svc-7", actor_type="service"))
    )
    assert response.get_json() == {"actor": "svc-7", "type": "service"}


def test_optional_security_allows_anonymous(client):
    """An operation with an empty alternative in security serves anonymous callers."""
    assert client.get("/v1/whoami").get_json() == {"actor": "anonymous", "type": None}


def test_optional_security_still_rejects_a_bad_token(client, token):
    """A token sent to an optional-auth operation must still be valid."""
    response = client.get("/v1/whoami", headers=bearer(token(expires_in=-600)))
    assert response.status_code == 401


def test_unsecured_operation_ignores_tokens(client):
    """security: [] means no token is read at all."""
    response = client.get("/v1/ping", headers={"Authorization": "Bearer garbage"})
    assert response.get_json() == {"pong": True, "actor": None}


def test_verified_tokens_are_cached_until_expiry():
    """A repeat token is served from the cache; the cache is bounded."""
    authenticator = Authenticator(issuer="i", audience="a", key=KEY, cache_size=2)
    tokens = [
        make_token(KEY, issuer="i", audience="a", subject=f"u{n}") for n in range(3)
    ]
    first = authenticator.authenticate(f"Bearer {tokens[0]}")
    assert authenticator.authenticate(f"Bearer {tokens[0]}") is first
    for minted in tokens[1:]:
        authenticator.authenticate(f"Bearer {minted}")
    assert authenticator.authenticate(f"Bearer {tokens[0]}") is not first


def test_cache_evicts_the_least_recently_used_token():
    """A token used recently survives eviction; the stalest one goes."""
    authenticator = Authenticator(issuer="i", audience="a", key=KEY, cache_size=2)
    first, second, third = (
        make_token(KEY, issuer="i", audience="a", subject=f"u{n}") for n in range(3)
    )
    kept = authenticator.authenticate(f"Bearer {first}")
    dropped = authenticator.authenticate(f"Bearer {second}")
    authenticator.authenticate(f"Bearer {first}")  # first is now the most recent
    authenticator.authenticate(f"Bearer {third}")
    assert authenticator.authenticate(f"Bearer {first}") is kept
    assert authenticator.authenticate(f"Bearer {second}") is not dropped


def test_cached_token_is_refused_once_expired():
    """The cache never serves a token past its exp (plus leeway)."""
    authenticator = Authenticator(issuer="i", audience="a", key=KEY, leeway=0)
    minted = make_token(KEY, issuer="i", audience="a", expires_in=1)
    authenticator.authenticate(f"Bearer {minted}")
    expiry = jwt.decode(minted, options={"verify_signature": False})["exp"]
    time.sleep(max(0.0, expiry - time.time()) + 0.05)  # exp has one-second granularity
    with pytest.raises(Problem, match="The token has expired"):
        authenticator.authenticate(f"Bearer {minted}")


def test_rs256_with_a_pem_public_key():
    """An asymmetric key pair works: signed with the private key, checked with the PEM."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        private.public_key()
        .public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        .decode()
    )
    authenticator = Authenticator(
        issuer="i", audience="a", key=public_pem, algorithms=["RS256"]
    )
    minted = make_token(
        private, issuer="i", audience="a", subject="u9", algorithm="RS256"
    )
    assert authenticator.authenticate(f"Bearer {minted}").id == "u9"


@pytest.mark.parametrize(
    ("options", "message"),
    [
        (
            {"key": ""},
            "No token verification key given; pass key=<HS secret or PEM key>.",
        ),
        (
            {"algorithms": []},
            "No JWT algorithms given; pass algorithms=['HS256'] or ['RS256'].",
        ),
    ],
    ids=["no-key", "no-algorithms"],
)
def test_misconfiguration_is_refused(options, message):
    """An authenticator without a key or algorithms cannot be built."""
    with pytest.raises(AuthError) as caught:
        Authenticator(**{"issuer": "i", "audience": "a", "key": KEY, **options})
    assert str(caught.value) == message


def test_current_actor_outside_a_secured_request():
    """current_actor() explains how to secure the operation when there is no actor."""
    with pytest.raises(
        AuthError, match="this operation has no bearer security in the spec"
    ):
        current_actor()


def test_tenant_client_can_sign_in(app, token):
    """satchel.testing.tenant_client(token=...) sends the token on every request."""
    client = tenant_client(app, "greenfield", token=token(subject="signed-in"))
    assert client.get("/v1/whoami").get_json()["actor"] == "signed-in"
    anonymous = client.get(
        "/v1/whoami", headers={"Authorization": ""}
    )  # per-request override
    assert anonymous.get_json()["actor"] == "anonymous"


def test_token_for_another_tenant_is_403(app, token):
    """A valid token issued for greenfield is refused on oakwood's host, 403 problem+json."""
    oakwood = tenant_client(app, "oakwood")
    response = oakwood.get("/v1/notes", headers=bearer(token()))
    assert response.status_code == 403
    assert response.mimetype == "application/problem+json"
    body = response.get_json()
    assert body["type"] == "https://satchel.dev/problems/tenant-forbidden"
    assert body["detail"] == (
        "This token was issued for tenant 'greenfield', not 'oakwood'; sign in to "
        "'oakwood' for a token of its own."
    )
    assert response.headers["WWW-Authenticate"] == 'Bearer error="insufficient_scope"'


def test_a_cached_token_is_still_checked_on_each_tenant(app, token):
    """The tenant check runs per request: a token verified once is still refused elsewhere."""
    minted = bearer(token())
    assert (
        tenant_client(app, "greenfield").get("/v1/notes", headers=minted).status_code
        == 200
    )
    assert (
        tenant_client(app, "oakwood").get("/v1/notes", headers=minted).status_code
        == 403
    )
    assert (
        tenant_client(app, "greenfield").get("/v1/notes", headers=minted).status_code
        == 200
    )


def test_token_naming_no_tenant_is_403(client, token):
    """A token without the tenant claim opens no tenant, and says which claim is missing."""
    response = client.get("/v1/notes", headers=bearer(token(tenant=None)))
    assert response.status_code == 403
    assert response.get_json()["detail"] == (
        "The token names no tenant (claim 'tenant'); tokens are bound to the tenant they were "
        "issued for: get one issued for 'greenfield'."
    )


@pytest.mark.parametrize(
    ("claims", "tenant", "status"),
    [
        ({"tenants": ["greenfield", "oakwood"]}, "oakwood", 200),
        ({"tenants": ["greenfield"]}, "oakwood", 403),
        ({"tenants": "*"}, "oakwood", 200),
        ({"tenants": ["*"]}, "oakwood", 200),
        ({"tenants": []}, "oakwood", 403),
        ({"tenant": "oakwood"}, "oakwood", 200),
    ],
    ids=["listed", "not-listed", "every-tenant", "every-tenant-list", "none", "one"],
)
def test_service_tokens_act_for_the_tenants_they_name(
    app, token, claims, tenant, status
):
    """A service token lists its tenants, or says '*' for every tenant explicitly."""
    minted = token(**{"tenant": None, "actor_type": "service", **claims})
    response = tenant_client(app, tenant).get("/v1/notes", headers=bearer(minted))
    assert response.status_code == status


@pytest.mark.parametrize(
    ("claims", "detail"),
    [
        ({"tenant": "*"}, "the 'tenant' claim names one tenant; only a service token may act "
         "for every tenant, with 'tenants': \"*\""),
        ({"tenant": ["greenfield"]}, "the 'tenant' claim must be a string naming one tenant"),
        ({"tenants": "greenfield", "actor_type": "service"}, "the 'tenants' claim must be a "
         "list of tenant ids, or \"*\" for every tenant"),
    ],
    ids=["user-every-tenant", "user-list", "service-string"],
)  # fmt: skip
def test_malformed_tenant_claims_are_401(client, token, claims, detail):
    """A tenant claim of the wrong shape is an invalid token, not a silent refusal."""
    response = client.get(
        "/v1/notes", headers=bearer(token(**{"tenant": None, **claims}))
    )
    assert response.status_code == 401
    assert response.get_json()["detail"] == f"The token is invalid: {detail}."


def test_a_user_token_ignores_a_tenants_list(app, token):
    """Only service tokens may list tenants: a user's list opens nothing more."""
    minted = token(tenants=["oakwood"])  # a user token for greenfield
    response = tenant_client(app, "oakwood").get("/v1/notes", headers=bearer(minted))
    assert response.status_code == 403


def test_tenant_claim_name_is_configurable():
    """An identity provider's own claim name (here 'org') binds the token instead."""
    authenticator = Authenticator(issuer="i", audience="a", key=KEY, tenant_claim="org")
    minted = make_token(
        KEY, issuer="i", audience="a", tenant="north", tenant_claim="org"
    )
    scope = context.tenant_id.set("north")
    try:
        assert authenticator.authenticate(f"Bearer {minted}").tenants == {"north"}
    finally:
        context.tenant_id.reset(scope)
    other = context.tenant_id.set("south")
    try:
        with pytest.raises(Problem) as refused:
            authenticator.authenticate(f"Bearer {minted}")
    finally:
        context.tenant_id.reset(other)
    assert refused.value.status == 403


@pytest.mark.parametrize("claim", ["exp", "nbf", "iat"])
def test_time_claims_must_be_numbers(client, token, claim):
    """exp, nbf and iat given as strings are refused, though PyJWT would take them."""
    now = int(time.time())
    values = {"exp": now + 300, "nbf": now - 10, "iat": now}
    minted = token(**{claim: str(values[claim])})
    response = client.get("/v1/notes", headers=bearer(minted))
    assert response.status_code == 401
    assert response.get_json()["detail"] == (
        f"The token's {claim!r} claim is not a number; time claims are seconds since the "
        "epoch (NumericDate), never strings."
    )


@pytest.mark.parametrize(
    "algorithms", [["RS256", "HS256"], ["HS256", "ES256"], ["RS256", "none"]], ids=str
)
def test_one_key_for_two_kinds_of_algorithm_is_refused(algorithms):
    """RS256,HS256 with one key used to 500 on every HS256 token; now it cannot start."""
    with pytest.raises(AuthError, match="one key is configured|verifies nothing"):
        Authenticator(issuer="i", audience="a", key=KEY, algorithms=algorithms)


def test_rsa_and_pss_share_a_key():
    """RS256 and PS256 both verify with an RSA key: one kind, allowed together."""
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    public_pem = (
        private.public_key()
        .public_bytes(
            serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        .decode()
    )
    authenticator = Authenticator(
        issuer="i", audience="a", key=public_pem, algorithms=["RS256", "PS256"]
    )
    minted = make_token(private, issuer="i", audience="a", algorithm="PS256")
    assert authenticator.authenticate(f"Bearer {minted}").id == "user-1"


def test_an_unreadable_public_key_is_a_setup_error():
    """A shared secret given for RS256 is refused at start with what to give instead."""
    with pytest.raises(AuthError) as refused:
        Authenticator(issuer="i", audience="a", key=KEY, algorithms=["RS256"])
    assert str(refused.value).startswith(
        "The token verification key is not a usable RSA key for RS256"
    )
