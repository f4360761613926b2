"""Resolve what a name in a module refers to: the dotted name an import binds, or a constant.

The hooks judge code by what it calls, not by what a variable happens to be called:
``import psycopg as pg; pg.connect()`` is ``psycopg.connect``, while ``rules_engine.connect()``
(a local object) resolves to nothing and is left alone.
"""

from __future__ import annotations

import ast


class Imports:
    """The names a module's imports bind, each mapped to the dotted name it stands for."""

    def __init__(self, tree: ast.Module) -> None:
        self.bound: dict[str, str] = {}
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.asname:
                        self.bound[alias.asname] = alias.name
                    else:  # `import a.b` binds `a`
                        top = alias.name.split(".")[0]
                        self.bound[top] = top
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                for alias in node.names:
                    local = alias.asname or alias.name
                    self.bound[local] = f"{node.module}.{alias.name}"

    def qualify(self, node: ast.expr) -> str | None:
        """Return the dotted name an expression refers to (``pg.connect`` -> ``psycopg.connect``).

        None when its root is not an imported name (a local, a parameter, a call result).
        """
        attrs = []
        while isinstance(node, ast.Attribute):
            attrs.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name) or node.id not in self.bound:
            return None
        return ".".join([self.bound[node.id], *reversed(attrs)])


def module_constants(tree: ast.Module) -> dict[str, str]:
    """Return the module-level names assigned exactly once, to a string this module spells out."""
    values: dict[str, str] = {}
    assigned: dict[str, int] = {}
    for node in tree.body:
        targets: list[ast.expr] = []
        value = None
        if isinstance(node, ast.Assign):
            targets, value = node.targets, node.value
        elif isinstance(node, ast.AnnAssign) and node.value is not None:
            targets, value = [node.target], node.value
        for target in targets:
            if isinstance(target, ast.Name):
                assigned[target.id] = assigned.get(target.id, 0) + 1
                text = string_value(value, values) if value is not None else None
                if text is not None:
                    values[target.id] = text
    return {name: text for name, text in values.items() if assigned[name] == 1}


def string_value(node: ast.expr | None, constants: dict[str, str]) -> str | None:
    """Return the string an expression always evaluates to, or None if it cannot be told.

    Understands literals, names of ``constants``, ``+`` between those and f-strings made of
    them; anything else (a parameter, a call) is unknown.
    """
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.Name):
        return constants.get(node.id)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left = string_value(node.left, constants)
        right = string_value(node.right, constants)
        return None if left is None or right is None else left + right
    if isinstance(node, ast.JoinedStr):
        parts = []
        for part in node.values:
            value = part.value if isinstance(part, ast.FormattedValue) else part
            text = string_value(value, constants)
            if text is None or (
                isinstance(part, ast.FormattedValue)
                and (part.conversion != -1 or part.format_spec)
            ):
                return None
            parts.append(text)
        return "".join(parts)
    return None
