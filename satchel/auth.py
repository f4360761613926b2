"""Bearer-token identity: verify a JWT (signature, issuer, audience, expiry, tenant) into an Actor.

The router calls :meth:`Authenticator.authenticate` only for operations whose effective
OpenAPI ``security`` requires a bearer scheme; handlers read :func:`current_actor`. Verified
tokens are cached (a bounded LRU keyed by the whole token, never beyond its ``exp``) so a busy
client does not pay for signature verification on every request. Inside a tenant's request a
token must name that tenant (:mod:`satchel.tenant_claims`), checked on every request, cached
or not.
"""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

import jwt
from flask import Flask

from satchel import context
from satchel.context import Actor
from satchel.problems import Problem
from satchel.tenant_claims import TenantClaimInvalid, forbidden, tenants_of

__all__ = ["AuthError", "Authenticator", "authenticator", "current_actor", "init_app"]

_EXTENSION = "satchel.auth"
_ASYMMETRIC_PREFIXES = ("RS", "PS", "ES", "Ed")
# The kind of key each algorithm family verifies with; one key can serve only one kind.
_KEY_KINDS = {"HS": "HMAC secret", "RS": "RSA", "PS": "RSA", "ES": "EC", "Ed": "EdDSA"}
# Registered time claims are NumericDate (RFC 7519 2): PyJWT also takes "1700000000".
_TIME_CLAIMS = ("exp", "nbf", "iat")


class AuthError(Exception):
    """Authentication is misconfigured or used outside an authenticated request."""


def _unauthorized(detail: str, *, error: str | None = "invalid_token") -> Problem:
    """Build the 401 problem with the RFC 6750 challenge header."""
    challenge = (
        "Bearer"
        if error is None
        else (f'Bearer error="{error}", error_description="{detail}"')
    )
    return Problem(
        status=401,
        detail=detail,
        type="unauthorized",
        headers={"WWW-Authenticate": challenge},
    )


class Authenticator:
    """Verify bearer tokens for one issuer and audience, caching verified ones."""

    def __init__(
        self,
        *,
        issuer: str,
        audience: str,
        key: Any,
        algorithms: Sequence[str] = ("HS256",),
        leeway: float = 30,
        cache_size: int = 1024,
        tenant_claim: str = "tenant",
    ) -> None:
        if not key:
            raise AuthError(
                "No token verification key given; pass key=<HS secret or PEM key>."
            )
        if not algorithms:
            raise AuthError(
                "No JWT algorithms given; pass algorithms=['HS256'] or ['RS256']."
            )
        _refuse_mixed_keys([name.strip() for name in algorithms])
        if not tenant_claim:
            raise AuthError(
                "No tenant claim name given; pass tenant_claim='tenant' (or the claim your"
                " identity provider puts the tenant in)."
            )
        self.issuer, self.audience, self.leeway = issuer, audience, leeway
        self.tenant_claim = tenant_claim
        self.algorithms = [name.strip() for name in algorithms]
        self._key = _prepare_key(key, self.algorithms)
        self._cache: OrderedDict[str, tuple[Actor, float]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    @property
    def key(self) -> Any:
        """Return the verification key (for HS* algorithms, also the signing key)."""
        return self._key

    def authenticate(self, authorization: str | None) -> Actor:
        """Return the actor of a valid ``Authorization: Bearer`` header or raise a Problem.

        401 for a token that does not verify; 403 for one that does but does not name the
        tenant in scope (the request's, from its host). Outside tenant scope (health, an app
        without tenancy) no tenant is at stake and none is required.
        """
        actor = self._actor(_bearer_token(authorization))
        tenant = context.tenant_id.get()
        if tenant is not None:
            refused = forbidden(actor.tenants, tenant, actor.type, self.tenant_claim)
            if refused is not None:
                raise refused
        return actor

    def _actor(self, token: str) -> Actor:
        """Return the token's verified actor, from the cache while it has not expired."""
        now = time.time()
        cached = self._cache.get(token)
        if cached is not None and now <= cached[1] + self.leeway:
            try:
                self._cache.move_to_end(token)  # least recently used goes first
            except (
                KeyError
            ):  # evicted by another thread meanwhile; the answer still holds
                pass
            return cached[0]
        actor, expires = self._verify(token)
        with self._lock:
            self._cache[token] = (actor, expires)
            self._cache.move_to_end(token)
            while len(self._cache) > self._cache_size:
                self._cache.popitem(last=False)
        return actor

    def _verify(self, token: str) -> tuple[Actor, float]:
        """Check signature and registered claims; map each failure to its own message."""
        try:
            claims = jwt.decode(
                token,
                self._key,
                algorithms=self.algorithms,
                issuer=self.issuer,
                audience=self.audience,
                leeway=self.leeway,
                options={"require": ["exp", "iss", "aud", "sub"]},
            )
        except jwt.ExpiredSignatureError:
            raise _unauthorized("The token has expired; obtain a new one.") from None
        except jwt.ImmatureSignatureError:
            raise _unauthorized(
                "The token is not valid yet (nbf is in the future)."
            ) from None
        except jwt.InvalidIssuerError:
            raise _unauthorized(f"The token was not issued by {self.issuer}.") from None
        except jwt.InvalidAudienceError:
            raise _unauthorized(
                f"The token is not meant for audience {self.audience}."
            ) from None
        except jwt.InvalidSignatureError:
            raise _unauthorized("The token signature does not verify.") from None
        except jwt.MissingRequiredClaimError as error:
            raise _unauthorized(f"The token has no {error.claim!r} claim.") from None
        except jwt.InvalidAlgorithmError:
            raise _unauthorized(
                f"The token is signed with an algorithm other than {', '.join(self.algorithms)}."
            ) from None
        except jwt.DecodeError:
            raise _unauthorized(
                "The token is malformed: it is not a decodable JWT."
            ) from None
        except jwt.InvalidTokenError as error:
            raise _unauthorized(f"The token is invalid: {error}.") from None
        for name in _TIME_CLAIMS:
            value = claims.get(name)
            if name in claims and (
                isinstance(value, bool) or not isinstance(value, (int, float))
            ):
                raise _unauthorized(
                    f"The token's {name!r} claim is not a number; time claims are seconds"
                    " since the epoch (NumericDate), never strings."
                )
        actor_type = claims.get("actor_type")
        actor_type = actor_type if actor_type in ("user", "service") else "user"
        try:
            tenants = tenants_of(claims, actor_type, self.tenant_claim)
        except TenantClaimInvalid as error:
            raise _unauthorized(f"The token is invalid: {error}.") from None
        actor = Actor(
            id=str(claims["sub"]), type=actor_type, claims=claims, tenants=tenants
        )
        return actor, float(claims["exp"])


def _bearer_token(authorization: str | None) -> str:
    """Extract the token from an Authorization header, or raise the matching 401."""
    if not authorization:
        raise _unauthorized(
            "The request has no Authorization header; send 'Authorization: Bearer <token>'.",
            error=None,
        )
    scheme, _, token = authorization.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise _unauthorized(
            "The Authorization header is not a bearer token; send 'Authorization: Bearer <token>'.",
            error="invalid_request",
        )
    return token.strip()


def _refuse_mixed_keys(algorithms: list[str]) -> None:
    """Refuse algorithm lists that need two kinds of key: one key cannot serve both.

    An HMAC secret and an RSA public key are different things; a list like ``RS256,HS256``
    with one key either fails on every token of the other kind or, worse, invites the
    algorithm-confusion attack (the public key used as an HMAC secret).
    """
    kinds = {_KEY_KINDS.get(name[:2], name) for name in algorithms}
    if "none" in (name.lower() for name in algorithms):
        raise AuthError("The 'none' algorithm verifies nothing; remove it.")
    if len(kinds) > 1:
        raise AuthError(
            f"JWT algorithms {', '.join(algorithms)} need {' and '.join(sorted(kinds))} keys,"
            " but one key is configured; list algorithms of one kind only (e.g. RS256 with"
            " an RSA public key, or HS256 with a shared secret)."
        )


def _prepare_key(key: Any, algorithms: list[str]) -> Any:
    """Parse a PEM key once at start-up instead of on every verification."""
    if isinstance(key, str) and algorithms[0].startswith(_ASYMMETRIC_PREFIXES):
        try:
            return jwt.get_algorithm_by_name(algorithms[0]).prepare_key(key)
        except (jwt.InvalidKeyError, ValueError, TypeError) as error:
            kind = _KEY_KINDS.get(algorithms[0][:2], algorithms[0])
            raise AuthError(
                f"The token verification key is not a usable {kind} key for"
                f" {algorithms[0]} ({error}); give the identity provider's PEM public key."
            ) from None
    return key


def init_app(app: Flask, **options: Any) -> Authenticator:
    """Create the app's :class:`Authenticator` from keyword options (see its constructor)."""
    app.extensions[_EXTENSION] = instance = Authenticator(**options)
    return instance


def authenticator(app: Flask) -> Authenticator | None:
    """Return the app's authenticator, or None when ``init_app`` was not called."""
    return app.extensions.get(_EXTENSION)


def current_actor() -> Actor:
    """Return the authenticated actor of the current request (secured operations only)."""
    actor = context.actor.get()
    if actor is None:
        raise AuthError(
            "No authenticated actor: this operation has no bearer security in the spec. "
            "Add `security: [{bearerAuth: []}]` to it, or don't call current_actor() here."
        )
    return actor
