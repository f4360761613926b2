"""Say whether a secret is strong enough for production: length for secrets, size for keys.

A shared secret (an HMAC key, Flask's ``SECRET_KEY``) needs at least 32 bytes, the size of
SHA-256's output (RFC 7518 3.2); a PEM key is judged by its kind and size instead: RSA at
least 2048 bits (NIST SP 800-131A), EC at least 256. Used by :mod:`satchel.config` for every
setting declared with ``secret()``.
"""

from __future__ import annotations

from typing import Any

from cryptography import x509
from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa

__all__ = ["MIN_EC_BITS", "MIN_RSA_BITS", "MIN_SECRET_BYTES", "weakness"]

MIN_SECRET_BYTES = 32
MIN_RSA_BITS = 2048
MIN_EC_BITS = 256
_PEM = "-----BEGIN "


def weakness(value: str) -> str | None:
    """Return why ``value`` is too weak for production, or None when it is strong enough."""
    if _PEM in value:
        return _key_weakness(value)
    size = len(value.encode("utf-8"))
    if size < MIN_SECRET_BYTES:
        return (
            f"is {size} byte{'s' if size != 1 else ''} long; at least {MIN_SECRET_BYTES}"
            " random bytes are needed (e.g. python -c 'import secrets;"
            " print(secrets.token_urlsafe(32))')"
        )
    return None


def _key_weakness(pem: str) -> str | None:
    key = _load(pem.strip().encode("utf-8"))
    if key is None:
        return (
            "looks like a PEM key but cannot be read as one; check the whole key is set"
        )
    if isinstance(key, (rsa.RSAPublicKey, rsa.RSAPrivateKey)):
        if key.key_size < MIN_RSA_BITS:
            return f"is a {key.key_size}-bit RSA key; at least {MIN_RSA_BITS} bits are needed"
    elif isinstance(key, (ec.EllipticCurvePublicKey, ec.EllipticCurvePrivateKey)):
        if key.curve.key_size < MIN_EC_BITS:
            return f"is a {key.curve.key_size}-bit EC key; at least {MIN_EC_BITS} are needed"
    elif isinstance(key, (dsa.DSAPublicKey, dsa.DSAPrivateKey)):
        return "is a DSA key; use RSA (2048 bits or more), EC or Ed25519"
    return None


def _load(data: bytes) -> Any:
    """Return the key in a PEM block (public, private or certificate), or None."""
    loaders = (
        serialization.load_pem_public_key,
        lambda raw: serialization.load_pem_private_key(raw, password=None),
        lambda raw: x509.load_pem_x509_certificate(raw).public_key(),
    )
    for load in loaders:
        try:
            return load(data)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            continue
    return None
