"""Security: which credential an operation requires, and whether a request carries one.

The mock checks presence, never validity (it cannot know the neighbour's keys): any bearer
token passes, no token gets 401. So a service that forgets to send its token fails against
the mock, not first in staging. Requirements are compiled when an operation's plan is built:
a scheme the spec names but never defines is a load-time error with its ``file:line``, and a
request costs a few header lookups.
"""

from __future__ import annotations

import base64
import binascii

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from satchel.openapi import Operation, Spec
from satchel.openapi.source import escape_token

from mockserver.core.answers import locate_in_spec
from mockserver.core.errors import MockError

__all__ = ["Guard", "Scheme", "guard_of", "unauthorized_detail"]

# Scheme.location for credentials in the Authorization header.
_AUTHORIZATION = "authorization"
# mutualTLS: a TLS client certificate, which the mock's plain HTTP never carries.
_UNCHECKED = "unchecked"
_HINT = (
    "Fix the neighbour's spec and re-vendor it, "
    'or set "security: off" for this neighbour in mocks.yaml.'
)


@dataclass(frozen=True)
class Scheme:
    """One security scheme, reduced to where its credential travels."""

    name: str  # as the spec names it, e.g. bearerAuth
    location: str  # "authorization", "header", "query", "cookie" or "unchecked"
    key: str  # the Authorization scheme (Bearer, Basic, ...) or the parameter's name

    def present(
        self,
        headers: Mapping[str, str],
        query: Mapping[str, list[str]],
        cookies: Mapping[str, str],
    ) -> bool:
        """Return whether the request carries a non-empty credential for this scheme."""
        if self.location == _AUTHORIZATION:
            given, _, credentials = (headers.get(_AUTHORIZATION) or "").partition(" ")
            if given.lower() != self.key.lower() or not credentials.strip():
                return False
            return self.key != "Basic" or _basic_form(credentials)
        if self.location == _UNCHECKED:
            return True
        return bool(self._value(headers, query, cookies).strip())

    def describe(self) -> str:
        """Return what to send, e.g. ``bearerAuth (Authorization: Bearer <token>)``."""
        if self.location == _AUTHORIZATION:
            what = {"Bearer": "<token>", "Basic": "<credentials>"}.get(self.key, "...")
            return f"{self.name} (Authorization: {self.key} {what})"
        if self.location == _UNCHECKED:
            return f"{self.name} (a TLS client certificate)"
        return f"{self.name} ({self._noun()})"

    def absence(
        self,
        headers: Mapping[str, str],
        query: Mapping[str, list[str]],
        cookies: Mapping[str, str],
    ) -> str:
        """Return what the request has instead, e.g. ``no X-API-Key header``."""
        present = self._value(headers, query, cookies, None) is not None
        return f"an empty {self._noun()}" if present else f"no {self._noun()}"

    def _noun(self) -> str:
        """Return ``X-API-Key header``, ``api_key query parameter`` or ``session cookie``."""
        kind = "query parameter" if self.location == "query" else self.location
        return f"{self.key} {kind}"

    def _value(
        self,
        headers: Mapping[str, str],
        query: Mapping[str, list[str]],
        cookies: Mapping[str, str],
        default: str | None = "",
    ) -> Any:
        """Return the apiKey's value as sent (the first one of a query parameter)."""
        if self.location == "header":
            value = headers.get(self.key.lower())
        elif self.location == "query":
            value = next(iter(query.get(self.key) or ()), None)
        elif self.location == "cookie":
            value = cookies.get(self.key)
        else:
            value = None
        return default if value is None else value


@dataclass(frozen=True)
class Guard:
    """An operation's security: any alternative will do, each needs all of its schemes."""

    alternatives: tuple[tuple[Scheme, ...], ...]

    def missing(
        self,
        headers: Mapping[str, str],
        query: Mapping[str, list[str]],
        cookies: Mapping[str, str],
    ) -> str | None:
        """Return what the request lacks (``no Authorization header``); None if it passes."""
        absent: list[Scheme] = []
        for requirement in self.alternatives:
            gaps = [s for s in requirement if not s.present(headers, query, cookies)]
            if not gaps:
                return None
            absent += [s for s in gaps if s not in absent]
        reasons: list[str] = []
        for scheme in absent:
            if scheme.location == _AUTHORIZATION:
                wanted = [s.key for s in absent if s.location == _AUTHORIZATION]
                reason = _authorization_reason(headers.get(_AUTHORIZATION), wanted)
            else:
                reason = scheme.absence(headers, query, cookies)
            if reason not in reasons:
                reasons.append(reason)
        return " and ".join(reasons)

    def describe(self) -> str:
        """Return the requirement in words: ``a (...) or both b (...) and c (...)``."""
        if len(self.alternatives) == 1:
            return " and ".join(s.describe() for s in self.alternatives[0])
        phrases = []
        for requirement in self.alternatives:
            names = [s.describe() for s in requirement]
            if len(names) == 1:
                phrases.append(names[0])
            else:
                lead = "both" if len(names) == 2 else "all of"
                phrases.append(f"{lead} {', '.join(names[:-1])} and {names[-1]}")
        return " or ".join(phrases)

    def challenge(self, realm: str) -> str | None:
        """Return a ``WWW-Authenticate`` value for the Authorization schemes, if any.

        Every HTTP scheme gets its challenge (RFC 9110 11.6.1); Digest's also needs a
        nonce and qop (RFC 7616 3.3), which the mock never checks, so a fixed one will do.
        """
        keys = [
            s.key
            for requirement in self.alternatives
            for s in requirement
            if s.location == _AUTHORIZATION
        ]
        challenges = []
        for key in dict.fromkeys(keys):
            if key.lower() == "digest":
                key, extra = "Digest", _DIGEST_PARAMS
            else:
                extra = ""
            challenges.append(f'{key} realm="{realm}"{extra}')
        return ", ".join(challenges) or None


_DIGEST_PARAMS = ', qop="auth", algorithm=SHA-256, nonce="satchel-mock"'


def _basic_form(credentials: str) -> bool:
    """Tell whether Basic credentials are base64 of "user:password" (RFC 7617 2)."""
    try:
        decoded = base64.b64decode(credentials.strip(), validate=True)
    except (binascii.Error, ValueError):
        return False
    return b":" in decoded


def _authorization_reason(header: str | None, wanted: list[str]) -> str:
    """Say what is wrong with the Authorization header, for every scheme it failed."""
    if header is None:
        return "no Authorization header"
    given, _, credentials = header.strip().partition(" ")
    if any(given.lower() == key.lower() for key in wanted):
        if given.lower() == "basic" and credentials.strip():
            return (
                "Authorization: Basic credentials that are not base64 of user:password"
            )
        word = "token" if given.lower() == "bearer" else "credentials"
        return f"Authorization: {given} with no {word}"
    expected = " or ".join(dict.fromkeys(wanted))
    if not credentials:  # one word: probably a bare token, which is not echoed back
        return f"an Authorization header without a scheme, not {expected}"
    return f"Authorization: {given}, not {expected}"


def unauthorized_detail(
    neighbour: str, method: str, route: str, guard: Guard, missing: str
) -> str:
    """Return the 401 problem's detail: what is required, what is missing, how to fix it."""
    return (
        f"{neighbour} mock: {method} {route} requires {guard.describe()}; the request has "
        f"{missing}. Send the credential the real service expects, or set "
        f'"security: off" for {neighbour} in mocks.yaml.'
    )


def guard_of(spec: Spec, operation: Operation, label: str) -> Guard | None:
    """Compile the operation's effective security; None when it requires nothing.

    Raise :class:`MockError` at the ``file:line`` of a requirement naming an undefined or
    unusable scheme: the spec is broken, and the mock says so when it loads.
    """
    requirements = operation.security
    if not requirements:  # absent, or `security: []` switching it off
        return None
    # Operation-level security is its own list; the document's is shared by identity.
    own = requirements is not spec.document.get("security")
    pointer = f"{operation.pointer}/security" if own else "/security"
    where = f"{label}: " if own else ""
    if not isinstance(requirements, list) or not all(
        isinstance(r, dict) for r in requirements
    ):
        raise MockError(
            f"{where}security must be a list of requirement objects, "
            f"not {requirements!r}.",
            file=locate_in_spec(spec, pointer),
            hint=_HINT,
        )
    section, defined = _definitions(spec)
    alternatives = tuple(
        tuple(
            _scheme(
                spec,
                section,
                defined,
                name,
                f"{pointer}/{i}/{escape_token(name)}",
                where,
            )
            for name in requirement
        )
        for i, requirement in enumerate(requirements)
    )
    if any(not schemes for schemes in alternatives):
        return None  # `{}` among the alternatives: anonymous access is allowed
    return Guard(alternatives)


def _definitions(spec: Spec) -> tuple[str, dict[str, Any]]:
    """Return where the spec defines its security schemes, and the definitions."""
    document = spec.document
    if spec.version == "2.0":
        found = document.get("securityDefinitions")
        return "securityDefinitions", found if isinstance(found, dict) else {}
    components = document.get("components")
    found = components.get("securitySchemes") if isinstance(components, dict) else None
    return "components.securitySchemes", found if isinstance(found, dict) else {}


def _scheme(
    spec: Spec,
    section: str,
    defined: dict[str, Any],
    name: str,
    used_at: str,
    where: str,
) -> Scheme:
    """Resolve one scheme named by a requirement, or raise saying what is wrong."""
    if name not in defined:
        raise MockError(
            f"{where}security requirement '{name}' is not defined in {section} "
            f"(defined: {', '.join(defined) or 'none'}).",
            file=locate_in_spec(spec, used_at),
            hint=_HINT,
        )
    pointer = f"/{section.replace('.', '/')}/{escape_token(name)}"
    root = Path(spec.source_path).resolve().as_uri()
    definition, _ = spec.deref(defined[name], f"{root}#{pointer}")
    definition = definition if isinstance(definition, dict) else {}
    kind = definition.get("type")
    scheme = str(definition.get("scheme") or "") if kind == "http" else ""
    if kind in ("oauth2", "openIdConnect") or scheme.lower() == "bearer":
        return Scheme(name, _AUTHORIZATION, "Bearer")
    if kind == "basic" or scheme.lower() == "basic":
        return Scheme(name, _AUTHORIZATION, "Basic")
    if scheme:
        return Scheme(name, _AUTHORIZATION, scheme)
    if kind == "mutualTLS":
        return Scheme(name, _UNCHECKED, "")
    located, key = definition.get("in"), definition.get("name")
    if (
        kind == "apiKey"
        and located in ("header", "query", "cookie")
        and isinstance(key, str)
        and key
    ):
        return Scheme(name, located, key)
    problem = (
        "needs 'in' (header, query or cookie) and 'name'"
        if kind == "apiKey"
        else "needs a 'scheme'" if kind == "http" else f"has unknown type {kind!r}"
    )
    raise MockError(
        f"security scheme '{name}' {problem}, so the mock cannot check it.",
        file=locate_in_spec(spec, pointer),
        hint=_HINT,
    )
