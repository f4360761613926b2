"""Service configuration: defaults in code, prefixed environment variables, test overrides.

A service declares its settings as a dataclass (``settings.py``); :func:`load_config` fills it
from ``<PREFIX>_<FIELD>`` environment variables, coercing each value by the field's annotation.
Fields made with :func:`secret` hold credentials: they never appear in ``repr()``, may be read
from a file (``<PREFIX>_<FIELD>_FILE``, for Docker/Kubernetes secrets), and in staging and
production the service refuses to start while any of them is missing, empty, still its
development default or too weak (:mod:`satchel.key_strength`). An ``env`` setting must name
one of :data:`ENVIRONMENTS` exactly: ``Production`` or ``prod`` would otherwise start with
development secrets.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import types
import typing
from collections.abc import Mapping
from pathlib import Path
from typing import Any, TypeVar

from satchel.key_strength import weakness

__all__ = [
    "ENVIRONMENTS",
    "STRICT_ENVIRONMENTS",
    "ConfigError",
    "load_config",
    "secret",
    "secret_fields",
]

T = TypeVar("T")

#: The environments a service runs in; any other ``env`` is refused at start.
ENVIRONMENTS = ("development", "test", "staging", "production")
#: The environments real users or real data reach: no default, empty or weak secrets there.
STRICT_ENVIRONMENTS = ("staging", "production")

_SECRET = "satchel_secret"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off", ""})


class ConfigError(Exception):
    """The configuration cannot be loaded; the message says which setting and how to fix it."""


def secret(default: str = "") -> Any:
    """Declare a secret setting with a development-only default (hidden from repr and logs)."""
    return dataclasses.field(default=default, repr=False, metadata={_SECRET: True})


def secret_fields(settings_class: type) -> tuple[str, ...]:
    """Return the names of the fields declared with :func:`secret`."""
    return tuple(
        f.name for f in dataclasses.fields(settings_class) if f.metadata.get(_SECRET)
    )


def load_config(
    settings_class: type[T],
    prefix: str,
    environ: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> T:
    """Build ``settings_class`` from defaults, ``<PREFIX>_*`` variables, then ``overrides``.

    ``environ`` defaults to ``os.environ``, read at call time (never at import).
    """
    if not dataclasses.is_dataclass(settings_class):
        raise ConfigError(
            f"{settings_class!r} is not a dataclass; declare settings with @dataclass."
        )
    environ = os.environ if environ is None else environ
    prefix = prefix.upper().rstrip("_") + "_"
    fields = {f.name: f for f in dataclasses.fields(settings_class) if f.init}
    hints = typing.get_type_hints(settings_class)
    _reject_unknown(environ, prefix, fields)
    values: dict[str, Any] = {}
    from_environment: set[str] = set()
    for name, field in fields.items():
        raw = _raw_value(environ, prefix, field)
        if raw is not None:
            values[name] = _coerce(raw, hints[name], prefix + name.upper(), field)
            from_environment.add(name)
    for name, value in (overrides or {}).items():
        if name not in fields:
            raise ConfigError(
                f"Override {name!r} is not a setting of {settings_class.__name__}; "
                f"valid names: {', '.join(sorted(fields))}."
            )
        values[name] = value
    settings = settings_class(**values)
    _check_environment(settings, prefix, fields)
    _refuse_default_secrets(settings, prefix, fields)
    return settings


# Kubernetes injects <SERVICE>_SERVICE_HOST, <SERVICE>_PORT_80_TCP... for every service in the
# namespace; with the service named like the prefix these are not typos and must not block start.
_SERVICE_LINK = re.compile(
    r"SERVICE_HOST|SERVICE_PORT(_\w+)?|PORT(_\d+_(TCP|UDP|SCTP)(_\w+)?)?"
)
# Names the platform reads itself, documented for every service: flag overrides (checked by
# satchel.flags against the declared flags) and the test suite's database server.
_PLATFORM_NAMES = re.compile(r"FLAG_\w+|TEST_DATABASE_URL")


def _reject_unknown(environ: Mapping[str, str], prefix: str, fields: dict) -> None:
    """Refuse ``PREFIX_*`` variables that name no setting: they are almost always typos."""
    valid = {prefix + name.upper() for name in fields}
    valid |= {
        prefix + f.name.upper() + "_FILE"
        for f in fields.values()
        if f.metadata.get(_SECRET)
    }
    unknown = sorted(
        key
        for key in environ
        if key.startswith(prefix)
        and key not in valid
        and not _SERVICE_LINK.fullmatch(key[len(prefix) :])
        and not _PLATFORM_NAMES.fullmatch(key[len(prefix) :])
    )
    if unknown:
        raise ConfigError(
            f"Unknown environment variable(s) {', '.join(unknown)}: no such setting. "
            f"Valid names: {', '.join(sorted(valid))}, and {prefix}FLAG_<KEY> (flag"
            f" overrides), {prefix}TEST_DATABASE_URL (tests). Fix the spelling or unset them."
        )


def _raw_value(
    environ: Mapping[str, str], prefix: str, field: dataclasses.Field
) -> str | None:
    """Return the variable's text; a secret may instead come from the file named by ``*_FILE``."""
    name = prefix + field.name.upper()
    if name in environ:
        return environ[name]
    file_variable = name + "_FILE"
    if field.metadata.get(_SECRET) and file_variable in environ:
        path = Path(environ[file_variable])
        try:
            return path.read_text(encoding="utf-8").strip()
        except OSError as error:
            raise ConfigError(
                f"{file_variable}={path} cannot be read ({error.strerror}); "
                f"point it at a readable file holding the secret."
            ) from None
    return None


def _coerce(raw: str, annotation: Any, variable: str, field: dataclasses.Field) -> Any:
    """Convert the variable's text to the field's type, or say what was expected."""
    shown = "<hidden>" if field.metadata.get(_SECRET) else repr(raw)
    target, optional = _unwrap_optional(annotation)
    if optional and raw.strip() == "":
        return None
    try:
        return _convert(raw, target)
    except (ValueError, TypeError) as error:
        raise ConfigError(
            f"{variable}={shown} is not a valid {_describe(target)}: {error}. "
            f"Set {variable} to {_with_article(_describe(target))} or unset it to use the default."
        ) from None


def _unwrap_optional(annotation: Any) -> tuple[Any, bool]:
    """Return ``(X, True)`` for ``X | None``, else ``(annotation, False)``."""
    if typing.get_origin(annotation) in (typing.Union, types.UnionType):
        args = [a for a in typing.get_args(annotation) if a is not type(None)]
        if len(args) == 1:
            return args[0], True
    return annotation, False


def _convert(raw: str, target: Any) -> Any:
    """Convert one value; raise ValueError with a short reason when it does not fit."""
    origin = typing.get_origin(target) or target
    if target is str:
        return raw
    if origin is typing.Literal:
        choices = typing.get_args(target)
        if raw.strip() in choices:
            return raw.strip()
        raise ValueError(f"expected one of {_choices(choices)}")
    if target is bool:
        lowered = raw.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError("use one of 1/0, true/false, yes/no, on/off")
    if target in (int, float):
        return target(raw.strip())
    if origin in (list, tuple):
        item_type = (typing.get_args(target) or (str,))[0]
        items = [
            _convert(part.strip(), item_type) for part in raw.split(",") if part.strip()
        ]
        return items if origin is list else tuple(items)
    if origin is dict:
        try:
            value = json.loads(raw)
        except json.JSONDecodeError as error:
            raise ValueError(
                f"invalid JSON ({error.msg} at column {error.colno})"
            ) from None
        if not isinstance(value, dict):
            raise ValueError("expected a JSON object")
        return value
    raise TypeError(
        f"settings of type {_describe(target)} cannot be read from the environment"
    )


def _describe(target: Any) -> str:
    """Name a type the way the error message should show it."""
    origin = typing.get_origin(target)
    if origin is typing.Literal:
        return "choice"
    if origin is list:
        return "comma-separated list"
    if origin is dict or target is dict:
        return "JSON object"
    names = {str: "string", int: "integer", float: "number", bool: "boolean"}
    return names.get(target, getattr(target, "__name__", str(target)))


def _choices(choices: tuple[Any, ...]) -> str:
    return ", ".join(repr(choice) for choice in choices)


def _with_article(noun: str) -> str:
    """Return ``noun`` with its indefinite article ("an integer", "a string")."""
    return f"{'an' if noun[0] in 'aeiou' else 'a'} {noun}"


def _check_environment(settings: Any, prefix: str, fields: dict) -> None:
    """Refuse an ``env`` outside :data:`ENVIRONMENTS`, listing the names that are."""
    if "env" not in fields:
        return
    env = settings.env
    if env not in ENVIRONMENTS:
        raise ConfigError(
            f"{prefix}ENV={env!r} is not an environment: expected exactly one of"
            f" {', '.join(ENVIRONMENTS)} (lower case, no spaces). Set {prefix}ENV to one"
            " of them."
        )


def _refuse_default_secrets(settings: Any, prefix: str, fields: dict) -> None:
    """In staging and production, refuse a secret that is missing, a default or weak."""
    env = getattr(settings, "env", None)
    if env not in STRICT_ENVIRONMENTS:
        return
    bad = []
    for field in fields.values():
        if not field.metadata.get(_SECRET):
            continue
        value = getattr(settings, field.name)
        name = f"{field.name} ({prefix}{field.name.upper()})"
        if not value:
            bad.append(f"{name} is missing or empty")
        elif value == field.default:
            bad.append(f"{name} is still its development default")
        elif (reason := weakness(str(value))) is not None:
            bad.append(f"{name} {reason}")
    if bad:
        raise ConfigError(
            f"Refusing to start in {env} with unsafe secrets: "
            + "; ".join(bad)
            + f". Set each variable (or {prefix}<NAME>_FILE pointing at a secret file) "
            "to a strong, unique value."
        )
