"""What replay compares of a request: the host, the query, the credential.

Shared by the recorder (which files each exchange under these) and replay (which matches
requests by them), so both read a request the same way. Credentials themselves are never
kept: only whether one was sent, and for a refused one the start of its SHA-256.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from dataclasses import dataclass

from mockserver.core.security import Guard

__all__ = ["Incoming", "credential_token", "host_of", "visible_query"]


@dataclass(frozen=True)
class Incoming:
    """What replay compares of a request."""

    path: str
    host: str | None
    query: tuple[tuple[str, tuple[str, ...]], ...]
    present: bool | None  # None: the operation requires no credential
    token: str | None  # the start of the credential's SHA-256, when present
    body: bytes


def host_of(headers: Mapping[str, str]) -> str | None:
    """Return the host name the caller addressed (no port), lower-case."""
    host = headers.get("x-forwarded-host") or headers.get("host")
    if not host:
        return None
    host = host.split(",")[0].strip().lower()
    if host.startswith("["):  # an IPv6 literal keeps its colons
        return host.split("]")[0] + "]"
    return host.rsplit(":", 1)[0]


def _credential_keys(guard: Guard | None, location: str) -> set[str]:
    """Return the names of the credential parameters the guard reads in ``location``."""
    if guard is None:
        return set()
    return {s.key for req in guard.alternatives for s in req if s.location == location}


def visible_query(
    guard: Guard | None, query: Mapping[str, list[str]]
) -> tuple[tuple[str, tuple[str, ...]], ...]:
    """Return the query without credential parameters, sorted and hashable."""
    secret = _credential_keys(guard, "query")
    return tuple(sorted((k, tuple(v)) for k, v in query.items() if k not in secret))


def credential_token(
    guard: Guard | None,
    headers: Mapping[str, str],
    query: Mapping[str, list[str]],
    cookies: Mapping[str, str],
) -> tuple[bool | None, str | None]:
    """Return (present, fingerprint) of the request's credential for ``guard``.

    ``present`` is None when the operation requires none. The fingerprint is the start of
    the SHA-256 of the credential values: enough to recognise a token again, never to
    recover it.
    """
    if guard is None:
        return None, None
    if guard.missing(headers, query, cookies) is not None:
        return False, None
    values = []
    for requirement in guard.alternatives:
        for scheme in requirement:
            if scheme.location == "authorization":
                values.append(headers.get("authorization") or "")
            elif scheme.location == "header":
                values.append(headers.get(scheme.key.lower()) or "")
            elif scheme.location == "query":
                values.append(next(iter(query.get(scheme.key) or ()), ""))
            elif scheme.location == "cookie":
                values.append(cookies.get(scheme.key) or "")
    digest = hashlib.sha256("\n".join(sorted(set(values))).encode()).hexdigest()
    return True, digest[:16]
