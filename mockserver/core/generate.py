"""Generate data from a JSON schema, deterministically for a seed.

Values prefer what the schema itself offers (``const``, ``enum``, ``example``, ``examples``,
``default``) and otherwise honour type, format, bounds, length, simple patterns, required and
properties, items, ``allOf``/``oneOf``/``anyOf``, OAS 3.0 ``nullable`` and 3.1 type arrays,
``contains`` (with ``minContains``/``maxContains``), ``prefixItems``, ``patternProperties``,
``propertyNames``, ``min/maxProperties``, ``dependentRequired`` (draft 4 ``dependencies``),
``dependentSchemas``, ``if``/``then``/``else`` and ``not``.
Recursion is bounded: below ``max_depth`` only required properties and minimum items are
produced. The caller validates the result; this module only aims to make that succeed.
"""

from __future__ import annotations

import base64
import math
import random
import string
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

from jsonschema import Draft4Validator, Draft202012Validator

from mockserver.core.errors import MockError
from mockserver.core.pattern import generate_from_pattern, unsupported_reason
from satchel.openapi.ecma import PatternInvalid, compile_pattern

__all__ = ["GenerationError", "Resolver", "generate", "local_resolver"]

#: Follows a ``$ref`` written in a schema found under ``base``; returns (schema, its base).
Resolver = Callable[[str, Any], tuple[Any, Any]]

_HARD_DEPTH = 32
#: Keywords that constrain a value after it is built (see _Builder.conditional).
_CONDITIONS = ("not", "if", "then", "else", "dependentSchemas")
_CONDITION_TRIES = 8
_WORDS = ("alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel")
_EPOCH = datetime(2026, 1, 1, tzinfo=timezone.utc)


class GenerationError(MockError):
    """The schema asks for something this generator cannot build."""


def local_resolver(root: Any) -> Resolver:
    """Return a resolver for ``#/...`` references into ``root``."""

    def resolve(ref: str, base: Any) -> tuple[Any, Any]:
        if not ref.startswith("#"):
            raise GenerationError(
                f"cannot follow $ref '{ref}': only local references here."
            )
        value = root
        for token in ref[1:].split("/")[1:]:
            token = token.replace("~1", "/").replace("~0", "~")
            value = value[int(token)] if isinstance(value, list) else value[token]
        return value, base

    return resolve


def generate(
    schema: Any,
    *,
    seed: int | str = 0,
    resolve: Resolver | None = None,
    base: Any = None,
    max_depth: int = 3,
    for_response: bool = True,
    version: str = "3.0",
    offered: bool = True,
) -> Any:
    """Return a value for ``schema``; the same seed always gives the same value.

    ``version`` is the OpenAPI version whose readOnly/writeOnly rules apply: in 3.0 (and
    Swagger 2.0) a readOnly property is left out of requests and a writeOnly one out of
    responses even when required; 3.1 schemas are JSON Schema, where required means required.
    ``offered=False`` ignores the schemas' own ``example``/``default`` values, for specs
    whose nested examples contradict their schemas.
    """
    builder = _Builder(random.Random(str(seed)), resolve, max_depth, for_response)
    builder.drop_required_access = version != "3.1"
    builder.offered = offered
    return builder.value(schema, base, 0)


class _Builder:
    """One generation run: the random stream and the settings, threaded through recursion."""

    def __init__(
        self,
        rng: random.Random,
        resolve: Resolver | None,
        max_depth: int,
        for_response: bool,
    ) -> None:
        self.rng = rng
        self.resolve = resolve
        self.max_depth = max_depth
        self.for_response = for_response
        self.drop_required_access = True
        self.offered = True  # use the schemas' own example/default values

    def deref(self, schema: Any, base: Any) -> tuple[Any, Any]:
        """Follow ``$ref`` until a concrete schema."""
        for _ in range(_HARD_DEPTH):
            if not (isinstance(schema, dict) and isinstance(schema.get("$ref"), str)):
                return schema, base
            if self.resolve is None:
                raise GenerationError(
                    f"cannot follow $ref '{schema['$ref']}': no resolver."
                )
            schema, base = self.resolve(schema["$ref"], base)
        raise GenerationError("$ref chain too long while generating.")

    def value(self, schema: Any, base: Any, depth: int) -> Any:
        """Return a value for ``schema`` at recursion ``depth``."""
        if depth > _HARD_DEPTH:
            raise GenerationError(
                f"schema nests deeper than {_HARD_DEPTH} levels even with only required "
                "properties; a required property probably refers back to its own schema."
            )
        schema, base = self.deref(schema, base)
        if schema is True or schema is None or schema == {}:
            return "string"
        if not isinstance(schema, dict):
            raise GenerationError(f"a schema must be an object, not {schema!r}.")
        for key in ("const",):
            if key in schema:
                return schema[key]
        if isinstance(schema.get("enum"), list) and schema["enum"]:
            return self.rng.choice(schema["enum"])
        if self.offered:
            if "example" in schema:
                return schema["example"]
            if isinstance(schema.get("examples"), list) and schema["examples"]:
                return schema["examples"][0]
            if "default" in schema:
                return schema["default"]
        if any(key in schema for key in _CONDITIONS):
            return self.conditional(schema, base, depth)
        if "allOf" in schema:
            return self.value(self.merge_all_of(schema, base), base, depth)
        for key in ("oneOf", "anyOf"):
            if isinstance(schema.get(key), list) and schema[key]:
                return self.alternative(schema, key, base, depth)
        kind = _type_of(schema)
        if kind == "object":
            return self.object(schema, base, depth)
        if kind == "array":
            return self.array(schema, base, depth)
        if kind == "string":
            return self.string(schema)
        if kind == "integer":
            return self.integer(schema)
        if kind == "number":
            return self.number(schema)
        if kind == "boolean":
            return self.rng.random() < 0.5
        if kind == "null":
            return None
        return "string"

    def conditional(self, schema: dict[str, Any], base: Any, depth: int) -> Any:
        """Build a value meeting ``not``, ``if``/``then``/``else`` and ``dependentSchemas``.

        The schema without them is built, then the branch ``if`` picks (or the dependent
        schemas its properties trigger) is merged in and built again; a value ``not`` refuses
        is drawn again, a few times.
        """
        plain = {k: v for k, v in schema.items() if k not in _CONDITIONS}
        value: Any = None
        for _ in range(_CONDITION_TRIES):
            value = self.value(plain, base, depth)
            if "if" in schema:
                chosen = "then" if self.matches(schema["if"], value, base) else "else"
                if schema.get(chosen) is not None:
                    value = self.value({"allOf": [plain, schema[chosen]]}, base, depth)
                    if self.matches(schema["if"], value, base) != (chosen == "then"):
                        continue
            dependents = schema.get("dependentSchemas")
            if isinstance(value, dict) and isinstance(dependents, dict):
                wanted = [sub for name, sub in dependents.items() if name in value]
                if wanted:
                    value = self.value({"allOf": [plain, *wanted]}, base, depth)
                    if any(
                        name in value and sub not in wanted
                        for name, sub in dependents.items()
                    ):
                        continue
            if "not" in schema and self.matches(schema["not"], value, base):
                continue
            return value
        return value  # the caller validates it and says which keyword it breaks

    def matches(self, schema: Any, value: Any, base: Any) -> bool:
        """Tell whether ``value`` meets ``schema`` (False when it refers elsewhere)."""
        schema, _ = self.deref(schema, base)
        if isinstance(schema, bool):
            return schema
        cls = Draft4Validator if self.drop_required_access else Draft202012Validator
        try:
            return bool(cls(schema).is_valid(value))
        except Exception:  # noqa: BLE001 - a nested $ref or a keyword it cannot read
            return False

    def merge_all_of(self, schema: dict[str, Any], base: Any) -> dict[str, Any]:
        """Merge ``allOf`` parts into one schema (properties and required are unioned)."""
        merged: dict[str, Any] = {k: v for k, v in schema.items() if k != "allOf"}
        for part in schema["allOf"]:
            part, _ = self.deref(part, base)
            if isinstance(part, dict) and "allOf" in part:
                part = self.merge_all_of(part, base)
            for key, value in part.items():
                if key == "properties":
                    # A property two parts describe must meet both.
                    known = dict(merged.get("properties", {}))
                    for name, sub in value.items():
                        known[name] = (
                            {"allOf": [known[name], sub]}
                            if name in known and known[name] != sub
                            else sub
                        )
                    merged["properties"] = known
                elif key == "required":
                    merged["required"] = sorted({*merged.get("required", []), *value})
                else:
                    merged.setdefault(key, value)
        return merged

    def alternative(
        self, schema: dict[str, Any], key: str, base: Any, depth: int
    ) -> Any:
        """Build the first alternative of ``oneOf``/``anyOf``, tagging a discriminator."""
        choice = schema[key][0]
        rest = {k: v for k, v in schema.items() if k not in (key, "discriminator")}
        if rest.get("properties") or rest.get("required"):
            choice = {"allOf": [rest, choice]}
        value = self.value(choice, base, depth)
        discriminator = schema.get("discriminator")
        if isinstance(discriminator, dict) and isinstance(value, dict):
            name = discriminator.get("propertyName")
            ref = (
                schema[key][0].get("$ref") if isinstance(schema[key][0], dict) else None
            )
            if name and ref:
                value[name] = _tag_for(ref, discriminator.get("mapping") or {})
        if key == "oneOf" and isinstance(value, dict):
            self.exclude_others(value, schema, base)
        return value

    def exclude_others(
        self, value: dict[str, Any], schema: dict[str, Any], base: Any
    ) -> None:
        """Make an object built for the first ``oneOf`` branch fail the other branches.

        Branches that overlap (each accepts the object) break ``oneOf``; a property another
        branch declares and the first leaves open, given a value of another type, tells them
        apart without leaving the first.
        """
        chosen = self.flat(schema["oneOf"][0], base)
        declared = set(chosen.get("properties") or ()) | set(
            schema.get("properties") or ()
        )
        if chosen.get("additionalProperties") is not None or chosen.get(
            "patternProperties"
        ):
            return  # extra properties are constrained: leave the value as built
        for other in schema["oneOf"][1:]:
            other = self.flat(other, base)
            if set(other.get("required") or ()) - value.keys():
                continue  # already fails: it requires a property the value lacks
            for name, sub in (other.get("properties") or {}).items():
                sub, _ = self.deref(sub, base)
                kind = sub.get("type") if isinstance(sub, dict) else None
                if name in declared or name in value or not isinstance(kind, str):
                    continue
                value[name] = (
                    0 if kind in ("string", "boolean", "array", "object") else "x"
                )
                break

    def flat(self, schema: Any, base: Any) -> dict[str, Any]:
        """Return ``schema`` dereferenced, with its ``allOf`` merged ({} for non-objects)."""
        schema, _ = self.deref(schema, base)
        if not isinstance(schema, dict):
            return {}
        return self.merge_all_of(schema, base) if "allOf" in schema else schema

    def object(self, schema: dict[str, Any], base: Any, depth: int) -> dict[str, Any]:
        """Build an object: every property near the top, only required ones deeper down."""
        required = set(schema.get("required") or ())
        result: dict[str, Any] = {}
        skip = "writeOnly" if self.for_response else "readOnly"
        properties = schema.get("properties") or {}
        optional: list[str] = (
            []
        )  # left out for depth, kept in case minProperties wants them
        for name, sub in properties.items():
            concrete = self.flat(sub, base)
            if isinstance(concrete, dict) and concrete.get(skip):
                if name not in required:
                    continue
                if self.drop_required_access:
                    # OpenAPI 3.0: a required readOnly property is required in responses only
                    # (a writeOnly one in requests only); the validator refuses the other way.
                    required.discard(name)
                    continue
            if name not in required and depth >= self.max_depth:
                optional.append(name)
                continue
            result[name] = self.value(sub, base, depth + 1)
        extra = schema.get("additionalProperties")
        self.add_dependents(schema, result, required)
        for name in sorted(required - result.keys()):
            if (
                isinstance(name, str) and extra is not False
            ):  # required, never described
                result[name] = self.value(
                    self.extra_schema(schema, name), base, depth + 1
                )
        self.fit_property_count(schema, result, required)
        wanted = schema.get("minProperties", 0)
        if not result and isinstance(extra, dict) and depth < self.max_depth:
            wanted = max(wanted, 1)
        for name in optional:
            if len(result) >= wanted:
                break
            result[name] = self.value(properties[name], base, depth + 1)
        index = 1
        while len(result) < wanted and index <= wanted * 4:
            name = self.extra_name(schema, index, base)
            index += 1
            if name is None:
                break
            if name not in result:
                sub = self.extra_schema(schema, name)
                result[name] = self.value(sub, base, depth + 1)
        return result

    def add_dependents(
        self, schema: dict[str, Any], result: dict[str, Any], required: set[str]
    ) -> None:
        """Require what present properties depend on (dependentRequired, draft 4's lists)."""
        rules = {
            **{k: v for k, v in (schema.get("dependencies") or {}).items()},
            **(schema.get("dependentRequired") or {}),
        }
        for name, needs in rules.items():
            if name in result and isinstance(needs, list):
                required.update(n for n in needs if isinstance(n, str))

    def fit_property_count(
        self,
        schema: dict[str, Any],
        result: dict[str, Any],
        required: set[str],
    ) -> None:
        """Drop optional properties beyond ``maxProperties``."""
        limit = schema.get("maxProperties")
        if not isinstance(limit, int):
            return
        for name in [n for n in reversed(list(result)) if n not in required]:
            if len(result) <= limit:
                break
            del result[name]

    def extra_schema(self, schema: dict[str, Any], name: str) -> Any:
        """Return the schema a property not in ``properties`` must meet."""
        for pattern, sub in (schema.get("patternProperties") or {}).items():
            try:
                if compile_pattern(str(pattern)).find(name) is not None:
                    return sub
            except PatternInvalid:
                continue  # warned at load; the validator reports it where it is used
        extra = schema.get("additionalProperties")
        return extra if isinstance(extra, dict) else {"type": "string"}

    def extra_name(self, schema: dict[str, Any], index: int, base: Any) -> str | None:
        """Name an extra property: from patternProperties, else additionalProperties.

        The name meets ``propertyNames``; None when no extra property is allowed.
        """
        names, _ = self.deref(schema.get("propertyNames"), base)
        names = names if isinstance(names, dict) else {}
        patterns = [p for p in (schema.get("patternProperties") or {}) if p]
        if patterns:
            pattern = patterns[(index - 1) % len(patterns)]
            names = {**names, "pattern": pattern}
        elif schema.get("additionalProperties") is False:
            return None
        if not names:
            return f"key{index}"
        return str(self.value({**names, "type": "string"}, base, self.max_depth))

    def array(self, schema: dict[str, Any], base: Any, depth: int) -> list[Any]:
        """Build a list of ``minItems`` items (at least one above ``max_depth``)."""
        low = schema.get("minItems", 0)
        high = schema.get("maxItems")
        contains = schema.get("contains")
        matching = 0
        if contains is not None:
            matching = schema.get("minContains", 1)
            low = max(low, matching)
        count = max(low, 1 if depth < self.max_depth else 0)
        if high is not None:
            count = min(count, high)
        items = schema.get("items", {})
        result: list[Any] = []
        if isinstance(schema.get("prefixItems"), list):
            prefix = schema["prefixItems"]
            result = [self.value(sub, base, depth + 1) for sub in prefix]
            if items is False or len(result) >= count:
                return result[: max(count, len(prefix))]
        if contains is not None:
            # Items that meet ``contains`` (and ``items``), as many as allowed, then plain ones.
            most = schema.get("maxContains")
            matching = max(matching, count - len(result))
            if isinstance(most, int):
                matching = min(matching, most)
            both = {"allOf": [items if isinstance(items, dict) else {}, contains]}
            result += self.items(schema, both, matching, base, depth)
        return result + self.items(schema, items, count - len(result), base, depth)

    def items(
        self, schema: dict[str, Any], items: Any, count: int, base: Any, depth: int
    ) -> list[Any]:
        """Build ``count`` items of ``items``, distinct when ``uniqueItems`` says so."""
        result: list[Any] = []
        for _ in range(count * 4):
            if len(result) >= count:
                break
            item = self.value(items, base, depth + 1)
            if not schema.get("uniqueItems") or item not in result:
                result.append(item)
        return result

    def string(self, schema: dict[str, Any]) -> str:
        """Build a string honouring format, pattern and length."""
        text = _FORMATS.get(schema.get("format", ""), _word)(self.rng)
        low = schema.get("minLength", 0)
        high = schema.get("maxLength")
        pattern = schema.get("pattern")
        if isinstance(pattern, str):
            reason = unsupported_reason(pattern)
            if reason is not None:
                raise GenerationError(
                    f"cannot generate text for pattern {pattern!r} ({reason})"
                )
            # Padding would break the pattern: let open repeats run longer instead.
            # Three random tries, then every open repeat at its shortest, then stretched.
            for cap, longest in ((4, False),) * 3 + ((0, False), (max(4, low), True)):
                text = generate_from_pattern(pattern, self.rng, cap, longest)
                if len(text) >= low and (high is None or len(text) <= high):
                    return text
        if len(text) < low:
            text += "".join(
                self.rng.choice(string.ascii_lowercase) for _ in range(low - len(text))
            )
        if high is not None and len(text) > high:
            text = text[:high]
        return text

    def integer(self, schema: dict[str, Any]) -> int:
        """Build an integer inside the bounds, a multiple of ``multipleOf`` when given."""
        low, high = _bounds(schema, step=1)
        low, high = math.ceil(low), math.floor(high)
        step = schema.get("multipleOf")
        if isinstance(step, float) and step > 0:
            # The integers that are multiples of p/q (in lowest terms) are the multiples of p.
            step = Decimal(repr(step)).as_integer_ratio()[0]
        if isinstance(step, int) and step > 0:
            first = -(-low // step) * step
            last = high // step * step
            return first if last < first else self.rng.randrange(first, last + 1, step)
        return self.rng.randint(low, max(low, high))

    def number(self, schema: dict[str, Any]) -> float | int:
        """Build a number inside the bounds; a multiple of ``multipleOf`` when given."""
        step = schema.get("multipleOf")
        if step:
            # In decimal, as the validator checks: 0.01 * 7835 is 78.35, not 78.35000000000001,
            # and an exclusive bound is stepped over exactly (0.07 - 0.01 is not 0.06 in floats).
            exact = Decimal(repr(step))
            first, last = _multiples(schema, exact)
            value = exact * self.rng.randint(
                first, min(max(last, first), first + 10_000)
            )
            return int(value) if value == value.to_integral_value() else float(value)
        low, high = _bounds(schema, step=0.01)
        return round(self.rng.uniform(low, high), 2)


def _multiples(schema: dict[str, Any], step: Decimal) -> tuple[int, int]:
    """Return the first and last n for which n * step lies inside the schema's bounds."""
    low, high = schema.get("minimum"), schema.get("maximum")
    open_low = schema.get("exclusiveMinimum") is True
    open_high = schema.get("exclusiveMaximum") is True
    for key in ("exclusiveMinimum", "exclusiveMaximum"):
        bound = schema.get(key)
        if isinstance(bound, (int, float)) and not isinstance(bound, bool):
            if key == "exclusiveMinimum" and (low is None or bound >= low):
                low, open_low = bound, True
            elif key == "exclusiveMaximum" and (high is None or bound <= high):
                high, open_high = bound, True
    if low is None:
        low, open_low = (min(1, high) if high is not None else 1), False
    first = math.ceil(Decimal(repr(low)) / step)
    if open_low and first * step == Decimal(repr(low)):
        first += 1
    if high is None:
        return first, first + 99_900
    last = math.floor(Decimal(repr(high)) / step)
    if open_high and last * step == Decimal(repr(high)):
        last -= 1
    return first, last


def _tag_for(ref: str, mapping: dict[str, Any]) -> str:
    """Return the discriminator value naming ``ref``: its mapping key, else its schema name."""
    name = ref.rsplit("/", 1)[-1]
    for tag, target in mapping.items():
        # A mapping value is a reference or, if it has no "/" or "#", a schema name.
        if target == ref or (
            "/" not in target and "#" not in target and target == name
        ):
            return str(tag)
    return name


def _type_of(schema: dict[str, Any]) -> str | None:
    """Return the one type to build: the first non-null of a 3.1 type array, or inferred."""
    kind = schema.get("type")
    if isinstance(kind, list):
        kinds = [k for k in kind if k != "null"]
        return kinds[0] if kinds else "null"
    if kind:
        return kind
    if "properties" in schema or "additionalProperties" in schema:
        return "object"
    if "items" in schema or "prefixItems" in schema:
        return "array"
    return None


def _bounds(schema: dict[str, Any], step: float) -> tuple[float, float]:
    """Return inclusive (low, high) from minimum/maximum and both exclusive styles."""
    low = schema.get("minimum")
    high = schema.get("maximum")
    exclusive_low = schema.get("exclusiveMinimum")
    exclusive_high = schema.get("exclusiveMaximum")
    if exclusive_low is True and low is not None:
        low += step
    elif isinstance(exclusive_low, (int, float)) and not isinstance(
        exclusive_low, bool
    ):
        low = exclusive_low + step
    if exclusive_high is True and high is not None:
        high -= step
    elif isinstance(exclusive_high, (int, float)) and not isinstance(
        exclusive_high, bool
    ):
        high = exclusive_high - step
    if low is None:
        low = min(1, high) if high is not None else 1
    if high is None:
        high = low + 999
    return low, high


def _word(rng: random.Random) -> str:
    return rng.choice(_WORDS)


def _date_time(rng: random.Random) -> str:
    moment = _EPOCH + timedelta(seconds=rng.randrange(0, 365 * 86400))
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


_FORMATS: dict[str, Callable[[random.Random], str]] = {
    "date-time": _date_time,
    "date": lambda rng: _date_time(rng)[:10],
    "time": lambda rng: _date_time(rng)[11:],
    "email": lambda rng: f"{_word(rng)}{rng.randrange(100)}@example.com",
    "uuid": lambda rng: str(uuid.UUID(int=rng.getrandbits(128), version=4)),
    "uri": lambda rng: f"https://example.com/{_word(rng)}",
    "url": lambda rng: f"https://example.com/{_word(rng)}",
    "hostname": lambda rng: f"{_word(rng)}.example.com",
    "ipv4": lambda rng: ".".join(str(rng.randrange(1, 255)) for _ in range(4)),
    "ipv6": lambda rng: ":".join(f"{rng.getrandbits(16):x}" for _ in range(8)),
    "byte": lambda rng: base64.b64encode(_word(rng).encode()).decode(),
    "binary": _word,
    "password": lambda rng: "secret",
    # Internationalised forms: non-ASCII on purpose, so clients meet it.
    "idn-email": lambda rng: f"{_word(rng)}.m\u00fcller@b\u00fccher.example",
    "idn-hostname": lambda rng: f"{_word(rng)}.b\u00fccher.example",
    "iri": lambda rng: f"https://b\u00fccher.example/{_word(rng)}",
    "iri-reference": lambda rng: f"/{_word(rng)}/\u00e9t\u00e9",
    "uri-reference": lambda rng: f"/{_word(rng)}",
    "uri-template": lambda rng: f"https://example.com/{_word(rng)}/{{id}}",
    "json-pointer": lambda rng: f"/{_word(rng)}/0",
    "relative-json-pointer": lambda rng: "0/" + _word(rng),
    "regex": lambda rng: "^[a-z]+$",
    "duration": lambda rng: f"P{rng.randrange(1, 30)}DT{rng.randrange(24)}H",
}
