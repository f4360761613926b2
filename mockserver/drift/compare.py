"""Drift: what changed in a neighbour's spec that breaks the calls this service makes.

Compares the vendored spec with the neighbour's current one, operation by operation
(matched by operationId), limited to the operations the service calls (found in its code by
:mod:`mockserver.drift.calls`, plus a mock journal). Breaking: an operation removed or moved,
a new required parameter or body field, a type the client cannot send or read any more, an
enum that lost values the service may send, a response status or field the service may rely
on removed, credentials it does not send. Schemas are compared through ``allOf``/``oneOf``
(:mod:`mockserver.drift.schemas`), security by where credentials travel
(:mod:`mockserver.drift.security`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from satchel.openapi import Operation, Spec

from mockserver.drift.schemas import SchemaDiffer
from mockserver.drift.security import security_changes

__all__ = ["Change", "compare"]


@dataclass(frozen=True)
class Change:
    """One difference between the vendored and the current spec of an operation."""

    operation: str
    message: str
    breaking: bool = True

    def __str__(self) -> str:
        return f"{'breaking' if self.breaking else 'note'}: {self.operation}: {self.message}"


def _label(op: Operation) -> str:
    return op.operation_id or f"{op.method} {op.path}"


def compare(old: Spec, new: Spec, used: Iterable[str] | None = None) -> list[Change]:
    """Return the changes from ``old`` to ``new`` in the ``used`` operations (all if None)."""
    wanted = None if used is None else set(used)
    current = {_label(op): op for op in new.operations}
    vendored = {_label(op) for op in old.operations}
    changes: list[Change] = [
        Change(name, "called by the code, but not in the vendored spec (a typo?)")
        for name in sorted((wanted or set()) - vendored)
    ]
    for op in old.operations:
        name = _label(op)
        if wanted is not None and name not in wanted:
            continue
        now = current.get(name)
        if now is None:
            changes.append(Change(name, "removed from the neighbour's spec"))
            continue
        differ = _Differ(old, new, name, changes)
        if (op.method, old.base_path + op.path) != (
            now.method,
            new.base_path + now.path,
        ):
            differ.add(
                f"moved from {op.method} {old.base_path}{op.path} to "
                f"{now.method} {new.base_path}{now.path}"
            )
        for message, breaking in security_changes(old, op, new, now):
            differ.add(message, breaking)
        differ.parameters(op, now)
        differ.request_body(op, now)
        differ.responses(op, now)
    return changes


class _Differ:
    """Collect the changes of one operation."""

    def __init__(self, old: Spec, new: Spec, name: str, changes: list[Change]) -> None:
        self.name, self.changes = name, changes
        self.schemas = SchemaDiffer(old, new, self.add)

    def add(self, message: str, breaking: bool = True) -> None:
        self.changes.append(Change(self.name, message, breaking))

    def parameters(self, op: Operation, now: Operation) -> None:
        before = {(p.location, p.name): p for p in op.parameters}
        for key, param in {(p.location, p.name): p for p in now.parameters}.items():
            where = f"{key[0]} parameter {key[1]}"
            if key not in before:
                if param.required:
                    self.add(f"new required {where}")
                continue
            if param.required and not before[key].required:
                self.add(f"{where} became required")
            self.schemas.compare(
                (before[key].schema, before[key].schema_uri),
                (param.schema, param.schema_uri),
                where,
                "request",
            )
        for key in before.keys() - {(p.location, p.name) for p in now.parameters}:
            self.add(f"{key[0]} parameter {key[1]} removed", breaking=False)

    def request_body(self, op: Operation, now: Operation) -> None:
        if now.request_body is None:
            return
        if op.request_body is None:
            if now.request_body.required:
                self.add("a request body became required")
            return
        if now.request_body.required and not op.request_body.required:
            self.add("the request body became required")
        for media, before in op.request_body.content.items():
            after = now.request_body.content.get(media)
            if after is None:
                self.add(f"the request body no longer accepts {media}")
            elif before.schema is not None and after.schema is not None:
                self.schemas.compare(
                    (before.schema, before.schema_uri),
                    (after.schema, after.schema_uri),
                    "request body",
                    "request",
                )

    def responses(self, op: Operation, now: Operation) -> None:
        for status, before in op.responses.items():
            after = now.responses.get(status)
            if after is None:
                self.add(f"response {status} removed")
                continue
            for media, content in before.content.items():
                later = after.content.get(media)
                if later is None:
                    self.add(f"response {status} no longer sent as {media}")
                elif content.schema is not None and later.schema is not None:
                    self.schemas.compare(
                        (content.schema, content.schema_uri),
                        (later.schema, later.schema_uri),
                        f"response {status}",
                        "response",
                    )
