"""Bearer-token identity: verify a JWT (signature, issuer, audience, expiry) into an Actor.

The router calls :meth:`Authenticator.authenticate` only for operations whose effective
OpenAPI ``security`` requires a bearer scheme; handlers read :func:`current_actor`. Verified
tokens are cached (a bounded LRU keyed by the whole token, never beyond its ``exp``) so a busy
client does not pay for signature verification on every request.
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

__all__ = ["AuthError", "Authenticator", "authenticator", "current_actor", "init_app"]

_EXTENSION = "satchel.auth"
_ASYMMETRIC_PREFIXES = ("RS", "PS", "ES", "Ed")


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
    ) -> None:
        if not key:
            raise AuthError(
                "No token verification key given; pass key=<HS secret or PEM key>."
            )
        if not algorithms:
            raise AuthError(
                "No JWT algorithms given; pass algorithms=['HS256'] or ['RS256']."
            )
        self.issuer, self.audience, self.leeway = issuer, audience, leeway
        self.algorithms = list(algorithms)
        self._key = _prepare_key(key, self.algorithms)
        self._cache: OrderedDict[str, tuple[Actor, float]] = OrderedDict()
        self._cache_size = cache_size
        self._lock = threading.Lock()

    @property
    def key(self) -> Any:
        """Return the verification key (for HS* algorithms, also the signing key)."""
        return self._key

    def authenticate(self, authorization: str | None) -> Actor:
        """Return the actor of a valid ``Authorization: Bearer`` header or raise a 401 Problem."""
        token = _bearer_token(authorization)
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
        actor_type = claims.get("actor_type")
        actor = Actor(
            id=str(claims["sub"]),
            type=actor_type if actor_type in ("user", "service") else "user",
            claims=claims,
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


def _prepare_key(key: Any, algorithms: list[str]) -> Any:
    """Parse a PEM key once at start-up instead of on every verification."""
    if isinstance(key, str) and algorithms[0].startswith(_ASYMMETRIC_PREFIXES):
        return jwt.get_algorithm_by_name(algorithms[0]).prepare_key(key)
    return key


def init_app(app: Flask, **options: Any) -> Authenticator:
    """Create the app's :class:`Authenticator` (issuer, audience, key, algorithms, leeway)."""
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
