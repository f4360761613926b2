"""Resolve the expression naming an operation to the strings it may hold, by reading code.

Followed: string constants, ``a if c else b``, tuples and lists, local variables (loops over
constants included), module and class constants (inherited and imported ones too), and a
parameter, through every call of its function in the scanned code (and its default). Anything
computed at run time is reported with the reason, never guessed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mockserver.drift.code import Module, Scope, all_calls, assigned

__all__ = ["Resolver"]

_MAX_STEPS = 12  # names, constants and parameters followed at most this far


class Resolver:
    """Resolve expressions to the strings they may hold, across the scanned modules."""

    def __init__(self, modules: list[Module]) -> None:
        self.modules = modules
        self.by_name = {m.dotted: m for m in modules}

    def neighbour_of(self, cls: ast.ClassDef, module: Module) -> str | None:
        """Return the neighbour a client class declares (or inherits), if any."""
        for current, home in self._lineage(cls, module):
            value = _class_attributes(current).get("neighbour")
            if value is not None:
                names, _ = self.strings(value, Scope(home, current, None), 0)
                if names and len(names) == 1:
                    return next(iter(names))
        return None

    def strings(
        self, node: ast.expr, scope: Scope, hops: int
    ) -> tuple[set[str] | None, str]:
        """Return the strings ``node`` may hold, or (None, why not)."""
        if hops > _MAX_STEPS:
            return None, f"{ast.unparse(node)} refers to itself or nests too deep"
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            return {node.value}, ""
        if isinstance(node, ast.IfExp):
            return self._union([node.body, node.orelse], scope, hops)
        if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            return self._union(node.elts, scope, hops)
        if isinstance(node, ast.Name):
            return self._name(node.id, scope, hops)
        if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
            return self._attribute(node.value.id, node.attr, scope, hops)
        return None, f"{ast.unparse(node)} is computed at run time"

    def _union(
        self, nodes: list[ast.expr], scope: Scope, hops: int
    ) -> tuple[set[str] | None, str]:
        found: set[str] = set()
        for item in nodes:
            names, reason = self.strings(item, scope, hops)
            if names is None:
                return None, reason
            found |= names
        return found, ""

    def _name(self, name: str, scope: Scope, hops: int) -> tuple[set[str] | None, str]:
        """Resolve a bare name: a local, a parameter, a module constant or an import."""
        function = scope.function
        if function is not None:
            local = _local_values(function, name)
            if local:
                return self._union(local, scope, hops + 1)
            if name in _parameters(function):
                return self._parameter(function, name, scope, hops)
        if name in scope.module.constants:
            return self.strings(
                scope.module.constants[name], Scope(scope.module, None, None), hops + 1
            )
        if name in scope.module.imported:
            source, original = scope.module.imported[name]
            module = self.by_name.get(source)
            if module is not None and original in module.constants:
                return self.strings(
                    module.constants[original], Scope(module, None, None), hops + 1
                )
            return (
                None,
                f"{name} is imported from {source}, which is not in the scanned code",
            )
        return None, f"{name} is not a constant drift can find"

    def _attribute(
        self, owner: str, attr: str, scope: Scope, hops: int
    ) -> tuple[set[str] | None, str]:
        """Resolve ``self.X``, ``cls.X``, ``Class.X`` or ``module.X``."""
        cls, home = None, scope.module
        if owner in ("self", "cls") and scope.cls is not None:
            cls = scope.cls
        elif owner in scope.module.classes:
            cls = scope.module.classes[owner]
        elif owner in scope.module.imported:
            source, original = scope.module.imported[owner]
            module = self.by_name.get(f"{source}.{original}") or self.by_name.get(
                source
            )
            if module is not None and original in module.classes:
                cls, home = module.classes[original], module
            elif module is not None and attr in module.constants:
                return self.strings(
                    module.constants[attr], Scope(module, None, None), hops + 1
                )
        if cls is not None:
            for current, where in self._lineage(cls, home):
                value = _class_attributes(current).get(attr)
                if value is not None:
                    return self.strings(value, Scope(where, current, None), hops + 1)
        return None, f"{owner}.{attr} is not a constant drift can find"

    def _parameter(
        self,
        function: ast.FunctionDef | ast.AsyncFunctionDef,
        name: str,
        scope: Scope,
        hops: int,
    ) -> tuple[set[str] | None, str]:
        """Resolve a parameter from every call of its function (and its default)."""
        params = _parameters(function)
        method = scope.cls is not None and params[:1] in (["self"], ["cls"])
        position = params.index(name) - (1 if method else 0)
        found: set[str] = set()
        default = _default(function, name)
        if default is not None:
            names, reason = self.strings(default, scope, hops + 1)
            if names is None:
                return None, reason
            found |= names
        for module in self.modules:
            for site_scope, site in all_calls(module):
                if _callee(site) != function.name:
                    continue
                argument = _argument(site, position, name)
                if argument is None:
                    continue
                names, reason = self.strings(argument, site_scope, hops + 1)
                if names is None:
                    return None, reason
                found |= names
        if not found:
            return (
                None,
                f"{name} is a parameter of {function.name}(), called with no constant",
            )
        return found, ""

    def _lineage(
        self, cls: ast.ClassDef, module: Module
    ) -> Iterator[tuple[ast.ClassDef, Module]]:
        """Yield the class and its bases found in the scanned code, nearest first."""
        seen = set()
        queue = [(cls, module)]
        while queue:
            current, home = queue.pop(0)
            if id(current) in seen:
                continue
            seen.add(id(current))
            yield current, home
            for base in current.bases:
                if isinstance(base, ast.Name):
                    found = self._class(base.id, home)
                    if found is not None:
                        queue.append(found)

    def _class(self, name: str, module: Module) -> tuple[ast.ClassDef, Module] | None:
        if name in module.classes:
            return module.classes[name], module
        if name in module.imported:
            source, original = module.imported[name]
            home = self.by_name.get(source)
            if home is not None and original in home.classes:
                return home.classes[original], home
        return None


def _class_attributes(cls: ast.ClassDef) -> dict[str, ast.expr]:
    """Return the class body's ``NAME = value`` assignments."""
    found: dict[str, ast.expr] = {}
    for statement in cls.body:
        for name, value in assigned(statement):
            found[name] = value
    return found


def _local_values(
    function: ast.FunctionDef | ast.AsyncFunctionDef, name: str
) -> list[ast.expr]:
    """Return what the function assigns to ``name`` (loops over constants included)."""
    values: list[ast.expr] = []
    for node in ast.walk(function):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            values += [value for target, value in assigned(node) if target == name]
        elif (
            isinstance(node, (ast.For, ast.AsyncFor))
            and isinstance(node.target, ast.Name)
            and node.target.id == name
        ):
            values.append(node.iter)
    return values


def _parameters(function: ast.FunctionDef | ast.AsyncFunctionDef) -> list[str]:
    arguments = function.args
    return [
        a.arg for a in [*arguments.posonlyargs, *arguments.args, *arguments.kwonlyargs]
    ]


def _default(
    function: ast.FunctionDef | ast.AsyncFunctionDef, name: str
) -> ast.expr | None:
    """Return the default value of parameter ``name``, if it has one."""
    arguments = function.args
    positional = [*arguments.posonlyargs, *arguments.args]
    offset = len(positional) - len(arguments.defaults)
    for index, argument in enumerate(positional):
        if argument.arg == name and index >= offset:
            return arguments.defaults[index - offset]
    for argument, default in zip(arguments.kwonlyargs, arguments.kw_defaults):
        if argument.arg == name:
            return default
    return None


def _callee(node: ast.Call) -> str | None:
    """Return the name a call invokes (``f(...)`` or ``x.f(...)``)."""
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def _argument(node: ast.Call, position: int, name: str) -> ast.expr | None:
    """Return the argument a call passes for a parameter (by position or keyword)."""
    for keyword in node.keywords:
        if keyword.arg == name:
            return keyword.value
    if 0 <= position < len(node.args) and not any(
        isinstance(a, ast.Starred) for a in node.args[: position + 1]
    ):
        return node.args[position]
    return None
