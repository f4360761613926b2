"""A stand-in for python-jose (not on this machine's package index) backed by PyJWT.

Only what Connexion's jwt example imports: ``jwt.encode``, ``jwt.decode`` and ``JWTError``.
Both the Connexion app and its satchel port load it, so they are compared alike.
"""

from __future__ import annotations

import jwt as _pyjwt

__all__ = ["JWTError", "jwt"]

JWTError = _pyjwt.PyJWTError


class jwt:  # noqa: N801 - the module name the example imports (``from jose import jwt``)
    """``jose.jwt``'s encode and decode."""

    @staticmethod
    def encode(claims: dict, key: str, algorithm: str = "HS256") -> str:
        return _pyjwt.encode(claims, key, algorithm=algorithm)

    @staticmethod
    def decode(token: str, key: str, algorithms: list[str]) -> dict:
        return _pyjwt.decode(token, key, algorithms=algorithms)
