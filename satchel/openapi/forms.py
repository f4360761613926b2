"""Read the fields of form bodies as their encoding says: arrays, delimiters, reserved characters.

application/x-www-form-urlencoded and multipart/form-data bodies arrive as lists of strings (or
bytes for uploads) per field name. Each field is coerced to its schema's type; an array is
either repeated (``explode``, the default) or one value split on its style's delimiter (2.0
``collectionFormat: csv``, or ``explode: false``). Where a field's Encoding object applies and
``allowReserved`` is false, reserved characters (RFC 3986) must arrive percent-encoded.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from typing import Any, Callable, Mapping
from urllib.parse import unquote, unquote_plus

from satchel.openapi.coerce import Coercer, scalar_coercer, types_of
from satchel.openapi.errors import Issue
from satchel.openapi.media import FORM
from satchel.openapi.model import Encoding
from satchel.openapi.source import escape_token

__all__ = ["FormPlan", "form_plan"]

#: RFC 3986 reserved characters (gen-delims and sub-delims).
RESERVED = ":/?#[]@!$&'()*+,;="
# In a urlencoded body "+" is an encoded space and "&" ends the value: neither is raw data.
_RAW_IN_URLENCODED = frozenset(RESERVED) - {"+", "&"}
_RAW_IN_MULTIPART = frozenset(RESERVED)
_DELIMITERS = {"form": ",", "spaceDelimited": " ", "pipeDelimited": "|"}


_NO_RULE, _LEFT_OUT = object(), object()


@dataclass(frozen=True)
class _Field:
    """How one declared field is read, decided when the operation's validator is built."""

    is_array: bool
    scalar: Coercer
    item: Coercer
    delimiter: str | None
    strict_reserved: bool
    #: With allowEmptyValue, what an empty value reads as: the default, or _LEFT_OUT.
    empty: Any = _NO_RULE


def _keep(raw: Any) -> Any:
    return raw


_UNDECLARED = _Field(False, _keep, _keep, None, False)


class FormPlan:
    """The fields of one form media type, ready to read parsed bodies."""

    def __init__(self, fields: dict[str, _Field]) -> None:
        self._fields = fields
        self._strict = frozenset(n for n, f in fields.items() if f.strict_reserved)

    def values(self, form: dict[str, list[Any]], media_type: str) -> dict[str, Any]:
        """Coerce a parsed form: arrays keep (or split) every value, others take the first."""
        values = {}
        for name, raw in form.items():
            field = self._fields.get(name, _UNDECLARED)
            if field.empty is not _NO_RULE and not any(raw):
                # Sent empty, which allowEmptyValue allows: the default, else left out.
                if field.empty is not _LEFT_OUT:
                    values[name] = copy.deepcopy(field.empty)
                continue
            if field.strict_reserved and media_type != FORM:
                # Serialised as in a URL: the part's text is percent-encoded.
                raw = [unquote(v) if isinstance(v, str) else v for v in raw]
            if field.is_array:
                if field.delimiter is not None:
                    raw = _split(raw, field.delimiter)
                values[name] = [field.item(v) if isinstance(v, str) else v for v in raw]
            else:
                first = raw[0]
                values[name] = field.scalar(first) if isinstance(first, str) else first
        return values

    def reserved_issues(
        self, body: bytes, form: dict[str, list[Any]], media_type: str
    ) -> list[Issue]:
        """Return one issue per field that must not, but does, carry raw reserved characters."""
        if not self._strict:
            return []
        found: dict[str, str] = {}
        if media_type == FORM:
            for pair in body.split(b"&"):
                name, _, value = pair.partition(b"=")
                key = unquote_plus(name.decode("utf-8", "replace"))
                if key in self._strict and key not in found:
                    text = value.decode("utf-8", "replace")
                    raw = self._raw(key, text, _RAW_IN_URLENCODED)
                    if raw:
                        found[key] = raw
        else:
            for key in self._strict:
                for value in form.get(key, ()):
                    raw = self._raw(key, value, _RAW_IN_MULTIPART)
                    if raw and key not in found:
                        found[key] = raw
        return [
            Issue(
                "body",
                "/" + escape_token(key),
                f"reserved characters {chars!r} must be percent-encoded "
                "(the spec's encoding has allowReserved: false)",
            )
            for key, chars in sorted(found.items())
        ]

    def _raw(self, key: str, value: Any, reserved: frozenset[str]) -> str:
        """Return the reserved characters in ``value``, but a delimited array's delimiter."""
        if not isinstance(value, str):
            return ""  # an uploaded file's content
        raw = set(value) & reserved
        raw.discard(self._fields[key].delimiter or "")
        return "".join(sorted(raw))


def form_plan(
    schema: Mapping[str, Any],
    encoding: Mapping[str, Encoding],
    resolve: Callable[[Any], tuple[dict[str, Any], Callable[[Any], dict[str, Any]]]],
) -> FormPlan:
    """Plan how each property of a form's (resolved) object schema is read.

    ``resolve(sub)`` returns a sub-schema with its refs followed, and the resolver for its
    own sub-schemas.
    """
    fields = {}
    for name, sub in (schema.get("properties") or {}).items():
        sub, resolve_inner = resolve(sub)
        items, _ = resolve_inner(sub.get("items"))
        rule = encoding.get(name)
        serialised = rule is not None and rule.serialised
        delimiter = None
        if serialised and not rule.explode:
            delimiter = _DELIMITERS.get(rule.style)
        empty: Any = _NO_RULE
        if rule is not None and rule.allow_empty_value:
            if "default" in sub:
                empty = sub["default"]
            elif "string" not in types_of(sub):
                empty = _LEFT_OUT
        fields[name] = _Field(
            is_array="array" in types_of(sub),
            scalar=scalar_coercer(sub),
            item=scalar_coercer(items),
            delimiter=delimiter,
            strict_reserved=serialised and not rule.allow_reserved,
            empty=empty,
        )
    return FormPlan(fields)


def _split(raw: list[Any], delimiter: str) -> list[Any]:
    """Split each text value on the delimiter ("a,b" is two items; "" is none)."""
    items: list[Any] = []
    for value in raw:
        if isinstance(value, str):
            items.extend(value.split(delimiter) if value else [])
        else:
            items.append(value)
    return items
