"""Drift: what changed in a neighbour's spec that breaks the calls this service makes.

Compares the vendored spec with the neighbour's current one, operation by operation
(matched by operationId), limited to the operations the service calls: found in its code
(``.call("operation_id", ...)`` inside the client whose ``neighbour = "<name>"``, see
``satchel.clients.NeighbourClient``) and, optionally, in a journal of the mock. Breaking:
an operation removed or moved, a new required parameter or body field, a parameter or field
whose type changed, an enum that lost values the service may send, a response status or field
the service may rely on removed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from satchel.openapi import Operation, Spec

__all__ = ["Change", "compare", "used_operations"]

_MAX_DEPTH = 12
_SKIP_DIRS = {
    ".venv",
    "venv",
    "node_modules",
    ".git",
    "mocks",
    "migrations",
    "__pycache__",
}


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
    changes: list[Change] = []
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
        differ.parameters(op, now)
        differ.request_body(op, now)
        differ.responses(op, now)
    return changes


class _Differ:
    """Collect the changes of one operation."""

    def __init__(self, old: Spec, new: Spec, name: str, changes: list[Change]) -> None:
        self.old, self.new, self.name, self.changes = old, new, name, changes

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
            self.schema(
                (before[key].schema, before[key].schema_uri),
                (param.schema, param.schema_uri),
                where,
                "request",
                0,
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
                self.schema(
                    (before.schema, before.schema_uri),
                    (after.schema, after.schema_uri),
                    "request body",
                    "request",
                    0,
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
                    self.schema(
                        (content.schema, content.schema_uri),
                        (later.schema, later.schema_uri),
                        f"response {status}",
                        "response",
                        0,
                    )

    def schema(
        self,
        before: tuple[Any, str],
        after: tuple[Any, str],
        where: str,
        direction: str,
        depth: int,
    ) -> None:
        """Compare two schemas as a client sending (request) or reading (response) them."""
        if depth > _MAX_DEPTH:
            return
        old, old_uri = self.old.deref(before[0], before[1]) if before[1] else before
        new, new_uri = self.new.deref(after[0], after[1]) if after[1] else after
        if not isinstance(old, dict) or not isinstance(new, dict):
            return
        if "type" in old and "type" in new and old["type"] != new["type"]:
            self.add(f"{where}: type changed from {old['type']} to {new['type']}")
            return
        if direction == "request" and "enum" in new:
            lost = [v for v in old.get("enum", []) if v not in new["enum"]]
            if lost or "enum" not in old:
                shown = ", ".join(map(repr, lost)) if lost else "values outside it"
                self.add(f"{where}: enum narrowed, no longer accepts {shown}")
        if direction == "response" and "enum" in old and "enum" in new:
            extra = [v for v in new["enum"] if v not in old["enum"]]
            if extra:
                self.add(
                    f"{where}: new enum value(s) {', '.join(map(repr, extra))}",
                    breaking=False,
                )
        self._properties(old, old_uri, new, new_uri, where, direction, depth)
        if "items" in old and "items" in new:
            self.schema(
                (old["items"], old_uri),
                (new["items"], new_uri),
                f"{where}[]",
                direction,
                depth + 1,
            )

    def _properties(
        self,
        old: dict,
        old_uri: str,
        new: dict,
        new_uri: str,
        where: str,
        direction: str,
        depth: int,
    ) -> None:
        """Compare the object properties of two schemas."""
        before, after = old.get("properties", {}), new.get("properties", {})
        required_before, required_after = set(old.get("required", [])), set(
            new.get("required", [])
        )
        for field in sorted(required_after - required_before):
            if direction == "request":
                self.add(f"{where}: new required field {field}")
        for field in sorted(before):
            path = (
                f"{where}.{field}"
                if not where.endswith(" body")
                else f"{where} {field}"
            )
            if field not in after:
                if direction == "response":
                    self.add(f"{path} removed")
                continue
            if direction == "response" and field in required_before - required_after:
                self.add(f"{path} is no longer always sent")
            self.schema(
                (before[field], _child(old_uri, "properties", field)),
                (after[field], _child(new_uri, "properties", field)),
                path,
                direction,
                depth + 1,
            )


def _child(uri: str, *parts: str) -> str:
    """Return the URI of a sub-schema (so nested $refs resolve against the right file)."""
    if not uri:
        return uri
    escaped = "/".join(p.replace("~", "~0").replace("/", "~1") for p in parts)
    return f"{uri.rstrip('/')}/{escaped}"


def used_operations(root: Path, neighbour: str) -> set[str]:
    """Return the operationIds the code under ``root`` calls on ``neighbour``.

    A ``.call("op")`` inside a class declaring ``neighbour = "<name>"`` counts for that
    neighbour only; one outside any such class counts for every neighbour.
    """
    found: set[str] = set()
    for path in sorted(root.rglob("*.py")):
        if _SKIP_DIRS & set(path.relative_to(root).parts):
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except (SyntaxError, UnicodeDecodeError):
            continue
        found |= _calls(tree, neighbour, None)
    return found


def _calls(node: ast.AST, neighbour: str, owner: str | None) -> set[str]:
    """Return the operationIds called under ``node`` that belong to ``neighbour``."""
    found: set[str] = set()
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.ClassDef):
            found |= _calls(child, neighbour, _declared_neighbour(child) or owner)
            continue
        if (
            isinstance(child, ast.Call)
            and isinstance(child.func, ast.Attribute)
            and child.func.attr == "call"
            and child.args
            and isinstance(child.args[0], ast.Constant)
            and isinstance(child.args[0].value, str)
            and owner in (None, neighbour)
        ):
            found.add(child.args[0].value)
        found |= _calls(child, neighbour, owner)
    return found


def _declared_neighbour(cls: ast.ClassDef) -> str | None:
    """Return the value of ``neighbour = "..."`` in a class body, if any."""
    for statement in cls.body:
        if (
            isinstance(statement, (ast.Assign, ast.AnnAssign))
            and isinstance(statement.value, ast.Constant)
            and isinstance(statement.value.value, str)
        ):
            targets = (
                statement.targets
                if isinstance(statement, ast.Assign)
                else [statement.target]
            )
            if any(isinstance(t, ast.Name) and t.id == "neighbour" for t in targets):
                return statement.value.value
    return None
