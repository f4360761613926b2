"""The service's Python code, parsed once and indexed for :mod:`mockserver.drift.resolve`.

Each module keeps its top-level constants, ``from ... import`` names and classes, so a name
used in a call can be followed to the string it stands for without running anything.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

__all__ = ["Module", "Scope", "all_calls", "assigned", "parse_code"]

_SKIP_DIRS = {
    ".venv",
    "venv",
    "node_modules",
    ".git",
    "mocks",
    "migrations",
    "__pycache__",
}


@dataclass
class Module:
    """One parsed file: where it is, its dotted name, and what it defines at the top."""

    path: Path
    dotted: str
    tree: ast.Module
    constants: dict[str, ast.expr] = field(default_factory=dict)
    imported: dict[str, tuple[str, str]] = field(
        default_factory=dict
    )  # alias -> (module, name)
    classes: dict[str, ast.ClassDef] = field(default_factory=dict)


@dataclass(frozen=True)
class Scope:
    """Where an expression sits: its module, class and function (None at the top)."""

    module: Module
    cls: ast.ClassDef | None
    function: ast.FunctionDef | ast.AsyncFunctionDef | None


def parse_code(root: Path) -> list[Module]:
    """Parse every Python file under ``root`` (skipping virtualenvs, mocks, migrations)."""
    modules = []
    for path in sorted(root.rglob("*.py")):
        relative = path.relative_to(root)
        if _SKIP_DIRS & set(relative.parts):
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        except (SyntaxError, UnicodeDecodeError, OSError):
            continue
        dotted = ".".join(relative.with_suffix("").parts).removesuffix(".__init__")
        module = Module(path, dotted, tree)
        for statement in tree.body:
            _index(module, statement)
        modules.append(module)
    return modules


def _index(module: Module, statement: ast.stmt) -> None:
    """Record a module-level constant, import or class."""
    if isinstance(statement, ast.ClassDef):
        module.classes[statement.name] = statement
    elif isinstance(statement, ast.ImportFrom) and statement.module is not None:
        base = statement.module
        if statement.level:
            parent = module.dotted.split(".")[: -statement.level or None]
            base = ".".join([*parent, statement.module])
        for alias in statement.names:
            module.imported[alias.asname or alias.name] = (base, alias.name)
    else:
        for name, value in assigned(statement):
            module.constants[name] = value


def assigned(statement: ast.stmt) -> list[tuple[str, ast.expr]]:
    """Return (name, value) for ``NAME = value`` and ``NAME: T = value``."""
    if isinstance(statement, ast.Assign):
        return [
            (t.id, statement.value)
            for t in statement.targets
            if isinstance(t, ast.Name)
        ]
    if (
        isinstance(statement, ast.AnnAssign)
        and isinstance(statement.target, ast.Name)
        and statement.value is not None
    ):
        return [(statement.target.id, statement.value)]
    return []


def all_calls(module: Module) -> Iterator[tuple[Scope, ast.Call]]:
    """Yield (scope, call) for every call expression in the module."""

    def walk(node: ast.AST, scope: Scope):
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.ClassDef):
                yield from walk(child, Scope(module, child, None))
                continue
            if isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef)):
                yield from walk(child, Scope(module, scope.cls, child))
                continue
            if isinstance(child, ast.Call):
                yield scope, child
            yield from walk(child, scope)

    yield from walk(module.tree, Scope(module, None, None))
