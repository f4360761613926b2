"""Find the operations a service calls on a neighbour, however its code names them.

A call is ``.call(<operation>, ...)`` (``satchel.clients.NeighbourClient``). Inside a class
declaring ``neighbour = "<name>"`` (or inheriting one) it belongs to that neighbour; outside
any such class it counts for every neighbour. The operation may be written as a string, a
module or class constant (imported ones too), a local variable, a loop over constants, or a
parameter of a helper method that is itself called with one of those: each is resolved to its
strings by reading the code, never by running it. A call inside a neighbour's client whose
operation cannot be resolved is reported as unresolved, so drift never claims "ok" over calls
it could not read.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

from mockserver.drift.code import all_calls, parse_code
from mockserver.drift.resolve import Resolver

__all__ = ["Call", "Scan", "scan_calls"]


@dataclass(frozen=True)
class Call:
    """One ``.call(...)`` in the code and the operations it may name."""

    where: str  # file:line
    text: str  # the call as written (shortened)
    operations: frozenset[str]
    reason: str = ""  # why it could not be resolved, when ``operations`` is empty


@dataclass(frozen=True)
class Scan:
    """What a scan of a service's code found for one neighbour."""

    root: Path
    files: int
    clients: tuple[
        str, ...
    ]  # "file:line Class" of the classes declaring this neighbour
    calls: tuple[Call, ...]

    @property
    def operations(self) -> set[str]:
        """Return every operation the resolved calls name."""
        return {op for call in self.calls for op in call.operations}

    @property
    def unresolved(self) -> tuple[Call, ...]:
        """Return the calls whose operation could not be read."""
        return tuple(call for call in self.calls if not call.operations)


def scan_calls(root: Path, neighbour: str, known: set[str] | None = None) -> Scan:
    """Return the calls to ``neighbour`` in the Python files under ``root``.

    A ``.call(...)`` outside any neighbour's client may be anything (``subprocess.call``):
    it counts only for names in ``known`` (the neighbour's operations), when given.
    """
    modules = parse_code(root)
    reader = Resolver(modules)
    clients, calls = [], []
    for module in modules:
        for scope, node in all_calls(module):
            if not isinstance(node.func, ast.Attribute) or node.func.attr != "call":
                continue
            owner = reader.neighbour_of(scope.cls, module) if scope.cls else None
            if scope.cls is not None and owner == neighbour:
                where = f"{module.path}:{scope.cls.lineno} {scope.cls.name}"
                if where not in clients:
                    clients.append(where)
            if owner not in (None, neighbour):
                continue
            argument = _operation_argument(node)
            names, reason = (
                reader.strings(argument, scope, 0) if argument else (None, "")
            )
            if owner is None:  # maybe some other .call() (subprocess, mock)
                names = {n for n in names or () if known is None or n in known}
                if not names:
                    continue
            calls.append(
                Call(
                    f"{module.path}:{node.lineno}",
                    _shorten(ast.unparse(node)),
                    frozenset(names or ()),
                    reason or "no operation argument",
                )
            )
    return Scan(root, len(modules), tuple(clients), tuple(calls))


def _operation_argument(node: ast.Call) -> ast.expr | None:
    """Return the expression naming the operation: the first argument or operation_id=."""
    if node.args:
        return node.args[0]
    for keyword in node.keywords:
        if keyword.arg == "operation_id":
            return keyword.value
    return None


def _shorten(text: str, limit: int = 70) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
