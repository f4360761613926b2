"""Token check for Connexion's ``x-bearerInfoFunc`` (satchel ignores the extension)."""

from __future__ import annotations

import os

import jwt


def decode_token(token: str) -> dict:
    """Verify the benchmark token the way satchel.auth does (signature, iss, aud, exp)."""
    return jwt.decode(
        token,
        os.environ["BENCH_JWT_KEY"],
        algorithms=["HS256"],
        issuer="https://auth.bench.test",
        audience="bench-items",
        options={"require": ["exp", "iss", "aud", "sub"]},
    )
