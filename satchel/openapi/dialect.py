"""The validator classes the spec core compiles schemas with: OpenAPI's, with these fixes.

- ``pattern`` and the keys of ``patternProperties`` (which ``additionalProperties`` consults
  too) are ECMA-262 (:mod:`satchel.openapi.ecma`), as the specifications say;
- ``multipleOf`` is decimal-exact: ``19.99`` is a multiple of ``0.01`` (binary floating
  point says it is not, since 19.99 / 0.01 == 1998.9999999999998);
- ``format: time`` is RFC 3339's ``full-time`` (``22:31:08Z``, ``08:00:00+02:00``), the
  definition JSON Schema and OpenAPI use; jsonschema's shared format checker holds draft 3's
  ``HH:MM:SS`` under that name, which refuses the offset RFC 3339 requires.

The data generator (mockserver) builds values for exactly these rules, and a property test
checks that everything it builds passes here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from decimal import Decimal, InvalidOperation, localcontext
from typing import Any

from jsonschema import FormatChecker
from jsonschema._keywords import multipleOf as _float_multiple_of
from jsonschema.exceptions import ValidationError
from jsonschema.validators import Draft202012Validator, create
from openapi_schema_validator import (
    OAS30ReadValidator,
    OAS30WriteValidator,
    OAS31Validator,
)

from satchel.openapi.ecma import (
    additional_properties_keyword,
    pattern_keyword,
    pattern_properties_keyword,
)

__all__ = ["is_multiple", "validator_class"]

_FULL_TIME = re.compile(
    r"(?P<h>[0-9]{2}):(?P<m>[0-9]{2}):(?P<s>[0-9]{2})(?:\.[0-9]+)?"
    r"(?:[Zz]|[+-](?P<oh>[0-9]{2}):(?P<om>[0-9]{2}))",
    re.ASCII,
)


def is_full_time(instance: object) -> bool:
    """Tell whether ``instance`` is an RFC 3339 ``full-time`` (non-strings pass, as usual)."""
    if not isinstance(instance, str):
        return True
    found = _FULL_TIME.fullmatch(instance)
    if found is None:
        return False
    hour, minute, second = int(found["h"]), int(found["m"]), int(found["s"])
    offset_ok = found["oh"] is None or (int(found["oh"]) < 24 and int(found["om"]) < 60)
    # Second 60 is a leap second (RFC 3339 section 5.7).
    return hour < 24 and minute < 60 and second <= 60 and offset_ok


def is_multiple(value: Any, step: Any) -> bool:
    """Tell whether ``value`` is a multiple of ``step``, exactly as their decimal texts say."""
    if isinstance(value, int) and isinstance(step, int):
        return value % step == 0
    with localcontext() as context:
        context.prec = 400  # enough for any float's exponent range
        try:
            return Decimal(repr(value)) % Decimal(repr(step)) == 0
        except (InvalidOperation, ValueError):
            return False


def multiple_of_keyword(
    validator: Any, step: Any, instance: Any, schema: Mapping[str, Any]
) -> Iterator[ValidationError]:
    """Check ``multipleOf`` in decimal (integers as before, floats by their shortest text)."""
    if not validator.is_type(instance, "number"):
        return
    if isinstance(instance, float) or isinstance(step, float):
        if not is_multiple(instance, step):
            yield ValidationError(f"{instance!r} is not a multiple of {step}")
        return
    yield from _float_multiple_of(validator, step, instance, schema)


def _format_checker(base: FormatChecker) -> FormatChecker:
    """Return a copy of ``base`` with RFC 3339 ``time``."""
    checker = FormatChecker(formats=())
    checker.checkers = dict(base.checkers)
    checker.checks("time")(is_full_time)
    return checker


def _fixed(cls: Any, meta_schema: Any) -> Any:
    """Return ``cls`` with the fixes above.

    ``meta_schema`` decides how ``$id`` scopes resolve: for 3.1 it must be draft 2020-12's,
    which OpenAPI's validator was built from before its meta-schema was swapped for the
    OpenAPI dialect's (unknown to the reference resolver, which would then ignore ``$id``).
    """
    ecma = {"additionalProperties": additional_properties_keyword}
    if (
        "patternProperties" in cls.VALIDATORS
    ):  # 3.1; OpenAPI 3.0 schemas lack the keyword
        ecma["patternProperties"] = pattern_properties_keyword
    fixed = create(
        meta_schema=meta_schema,
        validators={
            **cls.VALIDATORS,
            **ecma,
            "pattern": pattern_keyword,
            "multipleOf": multiple_of_keyword,
        },
        type_checker=cls.TYPE_CHECKER,
        format_checker=_format_checker(cls.FORMAT_CHECKER),
        id_of=cls.ID_OF,
        applicable_validators=cls._APPLICABLE_VALIDATORS,
    )
    fixed.META_SCHEMA = cls.META_SCHEMA
    return fixed


_OAS30_READ = _fixed(OAS30ReadValidator, OAS30ReadValidator.META_SCHEMA)
_OAS30_WRITE = _fixed(OAS30WriteValidator, OAS30WriteValidator.META_SCHEMA)
_OAS31 = _fixed(OAS31Validator, Draft202012Validator.META_SCHEMA)


def validator_class(version: str, response: bool) -> Any:
    """Return the class validating a spec of ``version`` (responses read, requests write)."""
    if version == "3.1":
        return _OAS31
    return _OAS30_READ if response else _OAS30_WRITE
