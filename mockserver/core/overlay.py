"""Read an overlay: our examples, request-content rules and scenarios for one neighbour.

An overlay sits beside the vendored spec (``mocks/<neighbour>/overlay.yaml``), never inside it,
so re-vendoring the spec keeps our additions. Example::

    examples:                      # extra named examples: operation -> status -> name -> body
      showPetById:
        "404":
          not-found: {code: 404, message: Pet not found}
    rules:                         # always on; the first rule that matches answers
      - operation: showPetById     # an operationId, or "GET /pets/{petId}"
        when:
          path: {petId: "404"}     # raw path parameter values
          query: {verbose: "1"}    # first value of a query parameter
          header: {x-tenant: demo} # case-insensitive header names
          body: {/name: Rex}       # JSON pointer into the parsed request body -> value
        respond: {status: 404, example: not-found}
    scenarios:                     # named sets of rules, switched on from the CLI or admin API
      outage:
        - operation: showPetById   # no `when`: every call of the operation
          respond:
            status: 503
            body: {code: 503, message: down for maintenance}
            headers: {Retry-After: "30"}

A rule answers with ``example`` (a name from the overlay or the spec), an inline ``body``, or
neither (the usual choice for that status). Every answer is checked against the spec when
the mock loads.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mockserver.core.errors import OverlayError
from mockserver.core.yamlsource import YamlSource, check_keys, read_yaml

__all__ = [
    "MISSING_BODY",
    "Condition",
    "Overlay",
    "Respond",
    "Rule",
    "load_overlay",
]

_TOP_KEYS = ("examples", "rules", "scenarios")
_RULE_KEYS = ("operation", "when", "respond")
_WHEN_KEYS = ("path", "query", "header", "body")
_RESPOND_KEYS = ("status", "example", "body", "media_type", "headers")


class _Missing:
    """Marks a rule without an inline body (``None`` is a valid JSON body: ``null``)."""

    def __repr__(self) -> str:
        return "MISSING_BODY"


MISSING_BODY: Any = _Missing()


@dataclass(frozen=True)
class Condition:
    """What a request must carry for a rule to apply; empty means every request."""

    path: tuple[tuple[str, str], ...] = ()
    query: tuple[tuple[str, str], ...] = ()
    header: tuple[tuple[str, str], ...] = ()
    body: tuple[tuple[str, Any], ...] = ()

    def matches(
        self,
        path: dict[str, str],
        query: dict[str, list[str]],
        headers: Any,
        body: Any,
    ) -> bool:
        """Return whether the request's raw values satisfy every condition."""
        for name, want in self.path:
            if path.get(name) != want:
                return False
        for name, want in self.query:
            values = query.get(name)
            if not values or values[0] != want:
                return False
        for name, want in self.header:
            if headers.get(name) != want:
                return False
        for pointer, want in self.body:
            if _at_pointer(body, pointer) != want:
                return False
        return True


@dataclass(frozen=True)
class Respond:
    """How a rule answers: a status and optionally an example name or an inline body."""

    status: int
    example: str | None = None
    body: Any = MISSING_BODY
    media_type: str | None = None
    headers: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Rule:
    """Answer ``respond`` when a call of ``operation`` satisfies ``when``."""

    operation: str
    respond: Respond
    when: Condition = Condition()
    line: int | None = None


@dataclass(frozen=True)
class Overlay:
    """A parsed overlay file."""

    path: Path | None = None
    examples: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)
    example_lines: dict[tuple[str, str, str], int | None] = field(default_factory=dict)
    rules: tuple[Rule, ...] = ()
    scenarios: dict[str, tuple[Rule, ...]] = field(default_factory=dict)


def load_overlay(path: str | Path) -> Overlay:
    """Read and check an overlay file; raise :class:`OverlayError` naming file and line."""
    source = read_yaml(path, OverlayError)
    data = {} if source.data is None else source.data
    top = check_keys(source, "", data, _TOP_KEYS, OverlayError, "an overlay")
    examples, example_lines = _examples(source, top.get("examples") or {})
    rules = _rules(source, "/rules", top.get("rules") or [])
    scenarios_raw = top.get("scenarios") or {}
    if not isinstance(scenarios_raw, dict):
        _fail(
            source,
            "/scenarios",
            "scenarios must map a scenario name to a list of rules.",
        )
    scenarios = {
        str(name): _rules(source, f"/scenarios/{name}", items)
        for name, items in scenarios_raw.items()
    }
    return Overlay(
        path=source.path,
        examples=examples,
        example_lines=example_lines,
        rules=rules,
        scenarios=scenarios,
    )


def _examples(
    source: YamlSource, value: Any
) -> tuple[
    dict[str, dict[str, dict[str, Any]]], dict[tuple[str, str, str], int | None]
]:
    """Parse ``examples: {operation: {status: {name: body}}}``."""
    if not isinstance(value, dict):
        _fail(
            source,
            "/examples",
            "examples must map operation -> status -> name -> body.",
        )
    examples: dict[str, dict[str, dict[str, Any]]] = {}
    lines: dict[tuple[str, str, str], int | None] = {}
    for operation, by_status in value.items():
        pointer = f"/examples/{_escape(str(operation))}"
        if not isinstance(by_status, dict):
            _fail(
                source,
                pointer,
                f"examples of {operation} must map a status to named bodies.",
            )
        for status, named in by_status.items():
            status_pointer = f"{pointer}/{status}"
            if not isinstance(named, dict):
                _fail(
                    source,
                    status_pointer,
                    f"examples of {operation} {status} must map an example name to a body.",
                )
            for name, body in named.items():
                examples.setdefault(str(operation), {}).setdefault(str(status), {})[
                    str(name)
                ] = body
                lines[str(operation), str(status), str(name)] = source.line(
                    f"{status_pointer}/{_escape(str(name))}"
                )
    return examples, lines


def _rules(source: YamlSource, pointer: str, items: Any) -> tuple[Rule, ...]:
    """Parse a list of rules."""
    if not isinstance(items, list):
        _fail(source, pointer, "rules must be a list of {operation, when, respond}.")
    return tuple(_rule(source, f"{pointer}/{i}", item) for i, item in enumerate(items))


def _rule(source: YamlSource, pointer: str, item: Any) -> Rule:
    """Parse one rule."""
    entry = check_keys(source, pointer, item, _RULE_KEYS, OverlayError, "a rule")
    operation = entry.get("operation")
    if not isinstance(operation, str) or not operation:
        _fail(
            source,
            pointer,
            "a rule needs operation: an operationId or 'METHOD /path'.",
        )
    if "respond" not in entry:
        _fail(source, pointer, f"the rule for {operation} has no respond.")
    return Rule(
        operation=operation,
        when=_condition(source, f"{pointer}/when", entry.get("when") or {}),
        respond=_respond(source, f"{pointer}/respond", entry["respond"]),
        line=source.line(pointer),
    )


def _condition(source: YamlSource, pointer: str, value: Any) -> Condition:
    """Parse ``when``: raw strings for path/query/header, JSON values for body pointers."""
    when = check_keys(source, pointer, value, _WHEN_KEYS, OverlayError, "when")
    parts: dict[str, tuple[tuple[str, Any], ...]] = {}
    for part in _WHEN_KEYS:
        mapping = when.get(part) or {}
        if not isinstance(mapping, dict):
            _fail(source, f"{pointer}/{part}", f"when.{part} must be a mapping.")
        if part == "body":
            for key in mapping:
                if not str(key).startswith("/"):
                    _fail(
                        source,
                        f"{pointer}/body/{_escape(str(key))}",
                        f"when.body keys are JSON pointers such as /name, not {key!r}.",
                    )
            parts[part] = tuple((str(k), v) for k, v in mapping.items())
        elif part == "header":
            parts[part] = tuple((str(k).lower(), _raw(v)) for k, v in mapping.items())
        else:
            parts[part] = tuple((str(k), _raw(v)) for k, v in mapping.items())
    return Condition(**parts)


def _respond(source: YamlSource, pointer: str, value: Any) -> Respond:
    """Parse ``respond``."""
    respond = check_keys(source, pointer, value, _RESPOND_KEYS, OverlayError, "respond")
    status = respond.get("status")
    if isinstance(status, str) and status.isdigit():
        status = int(status)
    if (
        isinstance(status, bool)
        or not isinstance(status, int)
        or not 100 <= status <= 599
    ):
        _fail(
            source,
            f"{pointer}/status",
            f"respond.status must be an HTTP status, not {status!r}.",
        )
    if "example" in respond and "body" in respond:
        _fail(source, pointer, "respond takes example or body, not both.")
    example = respond.get("example")
    if example is not None and not isinstance(example, str):
        _fail(
            source,
            f"{pointer}/example",
            f"respond.example must be a name, not {example!r}.",
        )
    headers = respond.get("headers") or {}
    if not isinstance(headers, dict):
        _fail(
            source,
            f"{pointer}/headers",
            "respond.headers must map a header name to a value.",
        )
    return Respond(
        status=status,
        example=example,
        body=respond.get("body", MISSING_BODY),
        media_type=respond.get("media_type"),
        headers=tuple((str(k), _raw(v)) for k, v in headers.items()),
    )


def _raw(value: Any) -> str:
    """Return how ``value`` appears on the wire (YAML ``true`` -> ``"true"``, 404 -> "404")."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _at_pointer(document: Any, pointer: str) -> Any:
    """Return the value at a JSON pointer, or ``MISSING_BODY`` when it is absent."""
    current = document
    for token in pointer.split("/")[1:]:
        token = token.replace("~1", "/").replace("~0", "~")
        if isinstance(current, dict) and token in current:
            current = current[token]
        elif (
            isinstance(current, list) and token.isdigit() and int(token) < len(current)
        ):
            current = current[int(token)]
        else:
            return MISSING_BODY
    return current


def _escape(token: str) -> str:
    """Escape a key as a JSON pointer token."""
    return token.replace("~", "~0").replace("/", "~1")


def _fail(source: YamlSource, pointer: str, message: str) -> None:
    """Raise an :class:`OverlayError` at the line of ``pointer``."""
    raise OverlayError(message, file=source.path, line=source.line(pointer))
