"""Check the security schemes a Connexion spec declares with ``x-*InfoFunc`` functions.

Connexion's semantics: each alternative of ``security`` is tried in turn, the first that finds
credentials decides; an alternative naming several schemes needs all of them; an info function
returning None means bad credentials (401). The result becomes the handler's ``token_info``,
and its ``sub`` (or ``uid``) the ``user``. Unlike Connexion 3, which warns and then answers
401 to every request, a scheme whose function is missing stops the start-up.
"""

from __future__ import annotations

import base64
import binascii
import http.cookies
import inspect
import os
from collections.abc import Callable
from typing import Any

from flask import request

from satchel.api.connexion_compat.resolvers import ResolverError, function_from_name
from satchel.problems import Problem

__all__ = ["INFO_KEYS", "Verifier", "compat_schemes", "verifier"]

NO_VALUE = object()
#: The spec extension (and environment variable fallback) naming each kind's function.
INFO_KEYS = {
    "basic": ("x-basicInfoFunc", "BASICINFO_FUNC"),
    "bearer": ("x-bearerInfoFunc", "BEARERINFO_FUNC"),
    "apiKey": ("x-apikeyInfoFunc", "APIKEYINFO_FUNC"),
    "oauth2": ("x-tokenInfoFunc", "TOKENINFO_FUNC"),
}
Verifier = Callable[[], dict[str, Any] | None]


def unauthorized(detail: str) -> Problem:
    """Return the 401 Connexion answers (``OAuthProblem``), same title and detail."""
    return Problem(status=401, title="Unauthorized", detail=detail)


def _kind(scheme: dict[str, Any]) -> str | None:
    """Return basic, bearer, apiKey or oauth2 for a scheme Connexion checks with a function."""
    kind = str(scheme.get("type", ""))
    if kind == "http":
        return {"basic": "basic", "bearer": "bearer"}.get(
            str(scheme.get("scheme", "")).lower()
        )
    if (
        kind == "apiKey"
        and str(scheme.get("x-authentication-scheme", "")).lower() == "bearer"
    ):
        return "bearer"
    return kind if kind in ("basic", "apiKey", "oauth2") else None


def compat_schemes(document: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Return the declared schemes that name an info function (in the spec or environment)."""
    schemes = (document.get("components") or {}).get("securitySchemes") or document.get(
        "securityDefinitions", {}
    )
    found = {}
    for name, scheme in (schemes or {}).items():
        kind = _kind(scheme) if isinstance(scheme, dict) else None
        if kind is None:
            continue
        key, environ = INFO_KEYS[kind]
        if scheme.get(key) or os.environ.get(environ):
            found[name] = scheme
    return found


def verifier(
    security: list[dict[str, list[str]]], schemes: dict[str, dict[str, Any]]
) -> Verifier:
    """Return a function checking the current request; raise ResolverError if it cannot be built.

    Every scheme named must be in ``schemes`` (those with an info function).
    """
    alternatives = []
    for alternative in security:
        checks = []
        for name, scopes in alternative.items():
            if name not in schemes:
                raise ResolverError(
                    f"security scheme {name!r} has no info function; add "
                    "x-bearerInfoFunc, x-basicInfoFunc, x-apikeyInfoFunc or x-tokenInfoFunc"
                )
            checks.append((name, _scheme_check(schemes[name], list(scopes or []))))
        alternatives.append(checks)

    def verify() -> dict[str, Any] | None:
        errors: list[Exception] = []
        for checks in alternatives:
            if not checks:
                return {}
            try:
                results = {name: check() for name, check in checks}
            except (
                Exception
            ) as error:  # noqa: BLE001 - collected, the most specific re-raised
                errors.append(error)
                continue
            if any(value is NO_VALUE for value in results.values()):
                continue
            return results[checks[0][0]] if len(checks) == 1 else results
        if errors:
            raise _most_specific(errors)
        raise unauthorized("No authorization token provided")

    return verify


def _status(error: Exception) -> int:
    for attribute in ("status_code", "status", "code"):
        value = getattr(error, attribute, None)
        if isinstance(value, int):
            return value
    return 600


def _most_specific(errors: list[Exception]) -> Exception:
    """Return the 403, else the 401, else the lowest status among the errors (as Connexion)."""
    by_status = {_status(error): error for error in errors}
    for status in (403, 401):
        if status in by_status:
            return by_status[status]
    return by_status[min(by_status)]


def _info_function(scheme: dict[str, Any], kind: str) -> Callable[..., Any]:
    key, environ = INFO_KEYS[kind]
    return function_from_name(scheme.get(key) or os.environ[environ])


def _caller(function: Callable[..., Any], message: str) -> Callable[..., Any]:
    """Call an info function with ``required_scopes``/``request`` only if it takes them."""
    parameters = inspect.signature(function).parameters
    any_keyword = any(p.kind is p.VAR_KEYWORD for p in parameters.values())
    wants_scopes = any_keyword or "required_scopes" in parameters
    wants_request = any_keyword or "request" in parameters

    def call(*args: Any, required_scopes: list[str] | None = None) -> Any:
        keywords: dict[str, Any] = {}
        if wants_scopes:
            keywords["required_scopes"] = required_scopes
        if wants_request:
            keywords["request"] = request._get_current_object()
        info = function(*args, **keywords)
        if info is None:
            raise unauthorized(message)
        return info

    return call


def _authorization() -> tuple[str | None, str | None]:
    header = request.headers.get("Authorization")
    if not header:
        return None, None
    parts = header.split(maxsplit=1)
    if len(parts) != 2:
        raise unauthorized("Invalid authorization header")
    return parts[0].lower(), parts[1]


def _scheme_check(scheme: dict[str, Any], scopes: list[str]) -> Callable[[], Any]:
    kind = _kind(scheme)
    assert kind is not None  # compat_schemes only keeps known kinds
    function = _info_function(scheme, kind)
    if kind == "basic":
        call = _caller(function, "Provided authorization is not valid")

        def check_basic() -> Any:
            auth_type, value = _authorization()
            if auth_type != "basic":
                return NO_VALUE
            try:
                username, password = (
                    base64.b64decode(value).decode("latin1").split(":", 1)
                )
            except (binascii.Error, ValueError):
                raise unauthorized("Invalid authorization header") from None
            return call(username, password)

        return check_basic
    if kind == "bearer":
        call = _caller(function, "Provided token is not valid")

        def check_bearer() -> Any:
            auth_type, token = _authorization()
            return call(token) if auth_type == "bearer" else NO_VALUE

        return check_bearer
    if kind == "apiKey":
        return _api_key_check(
            scheme, scopes, _caller(function, "Provided apikey is not valid")
        )
    return _oauth_check(
        scheme, scopes, _caller(function, "Provided token is not valid")
    )


def _api_key_check(
    scheme: dict[str, Any], scopes: list[str], call: Callable
) -> Callable:
    where, name = scheme.get("in"), scheme.get("name", "")

    def check_api_key() -> Any:
        if where == "query":
            key = request.args.get(name)
        elif where == "header":
            key = request.headers.get(name)
        elif where == "cookie":
            cookies = http.cookies.SimpleCookie()
            cookies.load(request.headers.get("Cookie", ""))
            key = cookies[name].value if name in cookies else None
        else:
            return NO_VALUE
        return NO_VALUE if key is None else call(key, required_scopes=scopes)

    return check_api_key


def validate_scope(required_scopes: list[str], token_scopes: Any) -> bool:
    """Return whether the token has every required scope (Connexion's default)."""
    if isinstance(token_scopes, str):
        token_scopes = token_scopes.split()
    return set(required_scopes) <= set(token_scopes)


def _oauth_check(scheme: dict[str, Any], scopes: list[str], call: Callable) -> Callable:
    name = scheme.get("x-scopeValidateFunc") or os.environ.get("SCOPEVALIDATE_FUNC")
    validate = function_from_name(name) if name else validate_scope

    def check_oauth() -> Any:
        auth_type, token = _authorization()
        if auth_type != "bearer":
            return NO_VALUE
        info = call(token, required_scopes=scopes)
        token_scopes = info.get("scope", info.get("scopes", ""))
        if not validate(scopes, token_scopes):
            raise Problem(
                status=403,
                title="Forbidden",
                detail="Provided token does not have the required scopes. "
                f"Provided: {token_scopes}; Required: {scopes}",
            )
        return info

    return check_oauth
