"""Precompute, per operation, every answer the mock can give and the rules that pick one.

Building a plan is where "every response validates against the spec" is enforced: each
declared status, each named example (spec and overlay) and each rule's answer is built and
validated once, and the operation's security requirement compiled (a scheme the spec does not
define fails here). All failures are collected, so ``satchel-mock check`` lists them together.
"""

from __future__ import annotations

import difflib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from satchel.openapi import Operation, Spec

from mockserver.core.answers import SOURCE_HEADER, Answer, AnswerBuilder
from mockserver.core.errors import (
    AnswerError,
    AnswersInvalid,
    AnswerViolates,
    CannotSerialise,
    MockError,
    OverlayError,
)
from mockserver.core.messages import MockResponse, to_response
from mockserver.core.overlay import Condition, Overlay, Rule
from mockserver.core.security import Guard, guard_of
from mockserver.core.select import (
    declared_statuses,
    default_status,
    example_names,
    pick_media_type,
    response_for,
)
from mockserver.core.violations import (
    cannot_serialise_answer,
    spec_violation_answer,
    with_violations,
)

__all__ = ["Plan", "Planner", "find_operation"]

RuleTable = tuple[tuple[Condition, MockResponse], ...]


@dataclass(frozen=True, eq=False)
class Plan:
    """Everything needed to answer one operation."""

    operation: Operation
    label: str
    validator: Callable[..., Any]
    default: MockResponse
    answers: dict[tuple[int, str | None], MockResponse]
    rules: dict[str | None, RuleTable]
    overlay_examples: dict[str, dict[str, Any]]
    guard: Guard | None = (
        None  # the credentials it requires; None: none, or not checked
    )


def find_operation(spec: Spec, ref: str) -> Operation | None:
    """Return the operation named by an operationId or ``"METHOD /path"``, if any."""
    method, _, path = ref.partition(" ")
    for operation in spec.operations:
        if operation.operation_id == ref:
            return operation
        if path and operation.method == method.upper():
            if path in (operation.path, spec.base_path + operation.path):
                return operation
    return None


class Planner:
    """Build plans: the overlay's rules and examples at once, operations on demand.

    Creating a planner validates everything the overlay adds (raising
    :class:`AnswersInvalid`); :meth:`plans` then builds and validates the answers of any
    set of operations, so small specs are checked whole at load and big ones lazily.
    ``security=False`` (``security: off`` in mocks.yaml) leaves requirements unchecked.
    """

    def __init__(
        self,
        spec: Spec,
        overlay: Overlay,
        builder: AnswerBuilder,
        *,
        security: bool = True,
        lenient: bool = False,
        errors: bool = False,
    ) -> None:
        self.spec = spec
        self.overlay = overlay
        self.builder = builder
        self.security = security
        #: lenient: the spec's own bad examples become warnings (see _answers), never the
        #: overlay's, which the team writes.
        self.lenient = lenient
        #: errors (``--errors``): an answer that breaks the spec becomes a 500, never
        #: generated data in its place nor a flagged best effort.
        self.errors = errors
        self.warnings: list[MockError] = []
        #: Operations a lenient planner could not answer at all, and why.
        self.unanswerable: dict[Operation, list[MockError]] = {}
        errors: list[MockError] = []
        self.examples, self.origins = _overlay_examples(spec, overlay, errors)
        self.base_rules = _rules(
            spec, overlay, overlay.rules, self.examples, builder, errors
        )
        self.by_scenario = {
            name: _rules(spec, overlay, rules, self.examples, builder, errors)
            for name, rules in overlay.scenarios.items()
        }
        if errors:
            raise AnswersInvalid(errors)

    def plans(self, operations: Iterable[Operation]) -> dict[Operation, Plan]:
        """Return the plans of ``operations``; raise :class:`AnswersInvalid` listing failures."""
        errors: list[MockError] = []
        plans = {}
        for operation in operations:
            plan = self._plan(operation, errors)
            if plan is not None:
                plans[operation] = plan
        if errors:
            # A broken document-level requirement fails every operation the same way.
            raise AnswersInvalid(list({str(e): e for e in errors}.values()))
        return plans

    def _plan(self, operation: Operation, errors: list[MockError]) -> Plan | None:
        """Build one operation's plan, adding its failures to ``errors``."""
        own = self.examples.get(operation, {})
        label = operation.operation_id or f"{operation.method} {operation.path}"
        guard, broken = None, False
        warned = len(self.warnings)
        if self.security:
            try:
                guard = guard_of(self.spec, operation, label)
            except MockError as exc:  # still build the answers: report all at once
                errors.append(exc)
                broken = True
        answers = _answers(
            self.spec,
            self.origins,
            operation,
            own,
            self.builder,
            errors,
            self.warnings if self.lenient else None,
            refuse=self.errors,
        )
        default = answers.get((default_status(operation), None))
        if default is None or broken:
            if self.lenient and not broken:
                self.unanswerable[operation] = self.warnings[warned:] or [
                    MockError(f"{label}: no answer could be built.")
                ]
            return None  # its failure is already in errors (or, lenient, in warnings)
        base = tuple(self.base_rules.get(operation, ()))
        rules: dict[str | None, RuleTable] = {None: base}
        for name, table in self.by_scenario.items():
            rules[name] = tuple(table.get(operation, ())) + base
        return Plan(
            operation=operation,
            label=label,
            validator=operation.request_validator(),
            default=default,
            answers=answers,
            rules=rules,
            overlay_examples=own,
            guard=guard,
        )


def _answers(
    spec: Spec,
    origins: dict[tuple[Operation, str, str], str],
    operation: Operation,
    own: dict[str, dict[str, Any]],
    builder: AnswerBuilder,
    errors: list[MockError],
    warnings: list[MockError] | None = None,
    *,
    refuse: bool = False,
) -> dict[tuple[int, str | None], MockResponse]:
    """Build the default answer and every named example of every declared status.

    With ``warnings`` (a lenient engine), a spec example that does not validate is skipped
    (the default answer falls back to generated data, else to the candidate with the fewest
    violations, flagged) and the failure becomes a warning. ``refuse`` (``--errors``) answers
    500 for any of the spec's answers that breaks it instead. A structured value under a
    text media type answers 500 ``mock-cannot-serialise``.
    """
    answers = {}
    warned: set[str] = set()  # the default answer and its named example fail alike
    if not operation.responses and warnings is not None:
        return _no_responses(spec, operation, builder, warnings)
    label = operation.operation_id or f"{operation.method} {operation.path}"
    for status in declared_statuses(operation):
        response = response_for(operation, status)
        named = own.get(str(status), {})
        media = pick_media_type(response) if response is not None else None
        spec_names = media.examples if media is not None else {}
        for name in (None, *example_names(media, named)):
            origin = ""
            if name is not None and name not in spec_names:
                origin = origins.get((operation, str(status), name), "")
            try:
                answer = builder.build(
                    operation, status, named, example=name, origin=origin
                )
            except MockError as exc:
                if warnings is None or origin:
                    errors.append(exc)
                    continue
                where = f"{operation.pointer}/responses/{response.status}"
                if isinstance(exc, CannotSerialise):
                    note = "Answered 500 mock-cannot-serialise."
                    _warn_once(warnings, exc, _located(exc, where, note), warned)
                    answer = cannot_serialise_answer(exc)
                elif refuse and isinstance(exc, AnswerViolates):
                    note = "Answered 500 mock-spec-violation (--errors)."
                    _warn_once(warnings, exc, _located(exc, where, note), warned)
                    answer = spec_violation_answer(label, status, exc)
                elif name is not None:
                    note = "Skipped it."
                    _warn_once(warnings, exc, _located(exc, where, note), warned)
                    continue
                else:
                    served, note, again = _instead(
                        operation, status, named, builder, exc
                    )
                    _warn_once(warnings, exc, _located(exc, where, note), warned)
                    if served is None:  # nothing at all: the operation is unanswerable
                        if again is not None:
                            located = _located(again, where, "")
                            _warn_once(warnings, again, located, warned)
                        continue
                    answer = served
            answers[status, name] = to_response(answer, spec.base_path, operation)
    return answers


def _instead(
    operation: Operation,
    status: int,
    named: dict[str, Any],
    builder: AnswerBuilder,
    failed: MockError,
) -> tuple[Answer | None, str, MockError | None]:
    """Return what a lenient mock serves when the default answer failed, and a note saying so.

    Generated data when it validates; else the candidate with the fewest violations (the
    example on a tie), flagged in ``Satchel-Mock-Violations``; None when there is none (with
    the generator's failure, if it failed otherwise).
    """
    candidates = [failed] if isinstance(failed, AnswerViolates) else []
    again: MockError | None = None
    try:
        generated = builder.build(operation, status, named, variant=1)
        return generated, "Served generated data instead.", None
    except AnswerViolates as exc:
        candidates.append(exc)
        again = exc
    except MockError as exc:
        again = exc
    usable = [c for c in candidates if isinstance(c.answer, Answer)]
    if not usable:
        return None, "", again
    best = min(usable, key=lambda c: len(c.issues))  # min keeps the first on a tie
    kind = "the example" if best is failed else "generated data"
    note = (
        f"No valid answer can be built: served {kind} with the fewest violations, "
        "listed in its Satchel-Mock-Violations header."
    )
    return with_violations(best), note, None


def _located(error: MockError, pointer: str, note: str) -> AnswerError:
    """Return ``error`` as a warning naming the spec pointer, and what the mock did instead."""
    message = f"{pointer}: {error.message}" + (f" {note}" if note else "")
    return AnswerError(message, file=error.file, line=error.line, hint=error.hint)


def _warn_once(
    warnings: list[MockError], cause: MockError, warning: MockError, seen: set[str]
) -> None:
    """Add ``warning`` unless one for the same ``cause`` was already added."""
    if str(cause) not in seen:
        seen.add(str(cause))
        warnings.append(warning)


def _no_responses(
    spec: Spec, operation: Operation, builder: AnswerBuilder, warnings: list[MockError]
) -> dict[tuple[int, str | None], MockResponse]:
    """Answer an operation that declares no responses (OpenAPI 3.1 allows it) 200, no body."""
    label = operation.operation_id or f"{operation.method} {operation.path}"
    warnings.append(
        AnswerError(
            f"{label} declares no responses; answered 200 with no body.",
            file=builder.locate(operation, ""),
            hint="Declare its responses so the mock can answer as the service does.",
        )
    )
    answer = Answer(200, ((SOURCE_HEADER, "mock: no response declared"),), b"")
    return {(200, None): to_response(answer, spec.base_path, operation)}


def _overlay_examples(
    spec: Spec, overlay: Overlay, errors: list[MockError]
) -> tuple[
    dict[Operation, dict[str, dict[str, Any]]], dict[tuple[Operation, str, str], str]
]:
    """Resolve the overlay's examples to operations (statuses must be declared).

    Return the examples by operation and, for error messages, each one's ``file:line``.
    """
    found: dict[Operation, dict[str, dict[str, Any]]] = {}
    origins: dict[tuple[Operation, str, str], str] = {}
    for ref, by_status in overlay.examples.items():
        operation = find_operation(spec, ref)
        for status, named in by_status.items():
            lines = {n: overlay.example_lines.get((ref, status, n)) for n in named}
            line = next(iter(lines.values()), None)
            if operation is None:
                errors.append(_unknown_operation(spec, overlay, ref, line))
                break
            if not status.isdigit() or response_for(operation, int(status)) is None:
                errors.append(
                    OverlayError(
                        f"examples for {ref} {status}: the spec declares no such response "
                        f"(declared: {', '.join(operation.responses)}).",
                        file=overlay.path,
                        line=line,
                    )
                )
                continue
            found.setdefault(operation, {})[status] = named
            for name, example_line in lines.items():
                origins[operation, status, name] = f"{overlay.path}:{example_line}"
    return found, origins


def _rules(
    spec: Spec,
    overlay: Overlay,
    rules: tuple[Rule, ...],
    examples: dict[Operation, dict[str, dict[str, Any]]],
    builder: AnswerBuilder,
    errors: list[MockError],
) -> dict[Operation, list[tuple[Condition, MockResponse]]]:
    """Resolve rules to operations and build (and validate) each rule's answer."""
    table: dict[Operation, list[tuple[Condition, MockResponse]]] = {}
    for rule in rules:
        operation = find_operation(spec, rule.operation)
        if operation is None:
            errors.append(_unknown_operation(spec, overlay, rule.operation, rule.line))
            continue
        respond = rule.respond
        origin = f"{overlay.path}:{rule.line}"
        try:
            answer = builder.build(
                operation,
                respond.status,
                examples.get(operation, {}).get(str(respond.status), {}),
                example=respond.example,
                inline=respond.body,
                media_type=respond.media_type,
                extra_headers=respond.headers,
                origin=origin,
                rule=True,
            )
        except MockError as exc:
            errors.append(exc)
            continue
        response = to_response(answer, spec.base_path, operation)
        table.setdefault(operation, []).append((rule.when, response))
    return table


def _unknown_operation(
    spec: Spec, overlay: Overlay, ref: str, line: int | None
) -> OverlayError:
    """Explain an overlay reference to an operation the spec does not have."""
    names = [op.operation_id for op in spec.operations if op.operation_id]
    names += [f"{op.method} {op.path}" for op in spec.operations]
    close = difflib.get_close_matches(ref, names, n=1)
    return OverlayError(
        f"operation '{ref}' is not in the spec.",
        file=overlay.path,
        line=line,
        hint=(
            f"Did you mean '{close[0]}'?"
            if close
            else "Use an operationId or 'METHOD /path'."
        ),
    )
