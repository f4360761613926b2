"""Stale-flag report: undeclared references, unreferenced declarations, expired releases.

Static (AST and template text), so hooks can run it without importing the service:
``python -m satchel.flags.hygiene [--flags-module FILE] [--today YYYY-MM-DD] PATH...``
"""

from __future__ import annotations

import argparse
import ast
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from satchel.flags.errors import FlagDeclarationError

TEMPLATE_SUFFIXES = (".html", ".jinja", ".jinja2", ".j2", ".txt")
TEMPLATE_REFERENCE = re.compile(r"""\bflag\(\s*["']([^"']+)["']""")
#: Function names whose first argument is a flag key wherever they are called from.
FLAG_CALLS = {"is_enabled", "flag_required"} | {
    f"get_{kind}_{what}"
    for kind in ("boolean", "string", "integer", "float", "object")
    for what in ("value", "details")
}
SKIPPED_DIRS = {".git", ".venv", "node_modules", "__pycache__", "build", "dist"}


@dataclass(frozen=True)
class FlagFinding:
    """One problem: where it is, which rule, and what to do."""

    path: Path
    line: int
    rule_id: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.rule_id} {self.message}"


@dataclass(frozen=True)
class Declaration:
    """A ``Flag(...)`` call found in a flags module."""

    key: str
    line: int
    kind: str | None
    owner: str | None
    expires: str | None


@dataclass(frozen=True)
class Reference:
    """A place where code or a template reads a flag by its key."""

    key: str
    path: Path
    line: int


def find_declarations(flags_module: Path) -> list[Declaration]:
    """Return the ``Flag("key", ...)`` calls of a flags module, in source order."""
    try:
        tree = ast.parse(flags_module.read_text(), filename=str(flags_module))
    except (OSError, SyntaxError) as error:
        raise FlagDeclarationError(
            f"{flags_module}: cannot read flag declarations: {error}"
        )
    declarations = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _call_name(node.func) == "Flag":
            key = _first_string(node)
            if key is not None:
                keywords = {kw.arg: kw.value for kw in node.keywords if kw.arg}
                declarations.append(
                    Declaration(
                        key,
                        node.lineno,
                        _kind_name(keywords.get("kind")),
                        _literal_string(keywords.get("owner")),
                        _literal_string(keywords.get("expires")),
                    )
                )
    return sorted(declarations, key=lambda d: d.line)


def find_references(sources: Iterable[Path]) -> list[Reference]:
    """Return every flag read in Python sources (AST) and Jinja templates (``flag("x")``)."""
    references: list[Reference] = []
    for path in expand(sources):
        if path.suffix == ".py":
            references.extend(_python_references(path))
        else:
            text = path.read_text(errors="replace")
            for match in TEMPLATE_REFERENCE.finditer(text):
                line = text.count("\n", 0, match.start()) + 1
                references.append(Reference(match.group(1), path, line))
    return references


def expand(sources: Iterable[Path]) -> Iterator[Path]:
    """Yield Python and template files, walking directories (skipping virtualenvs and caches)."""
    for source in sources:
        if source.is_dir():
            for path in sorted(source.rglob("*")):
                if path.is_file() and not SKIPPED_DIRS & set(
                    path.relative_to(source).parts
                ):
                    if path.suffix == ".py" or path.suffix in TEMPLATE_SUFFIXES:
                        yield path
        elif source.suffix == ".py" or source.suffix in TEMPLATE_SUFFIXES:
            yield source


def find_flag_problems(
    flags_module: Path, sources: Iterable[Path], today: date
) -> list[FlagFinding]:
    """Return findings SAT-FLG-001..004 for a flags module and the code that uses it."""
    declarations = find_declarations(flags_module)
    declared = {d.key for d in declarations}
    others = [p for p in expand(sources) if p.resolve() != flags_module.resolve()]
    references = find_references(others)
    referenced = {r.key for r in references}
    findings = [
        FlagFinding(
            r.path,
            r.line,
            "SAT-FLG-001",
            f"flag {r.key!r} is referenced but not declared in {flags_module}; "
            "declare it there or fix the key.",
        )
        for r in references
        if r.key not in declared
    ]
    for d in declarations:
        if d.key not in referenced:
            findings.append(
                FlagFinding(
                    flags_module,
                    d.line,
                    "SAT-FLG-002",
                    f"flag {d.key!r} is declared but never referenced; "
                    "remove the declaration and its stored rules, or use the flag.",
                )
            )
        if d.kind != "RELEASE":
            continue
        if not d.owner or not d.expires:
            findings.append(
                FlagFinding(
                    flags_module,
                    d.line,
                    "SAT-FLG-004",
                    f"release flag {d.key!r} has no owner or no expiry; "
                    "add owner='team-...' and expires='YYYY-MM-DD'.",
                )
            )
        elif _is_past(d.expires, today):
            findings.append(
                FlagFinding(
                    flags_module,
                    d.line,
                    "SAT-FLG-003",
                    f"release flag {d.key!r} expired on {d.expires}; finish the rollout and "
                    "remove the flag, or move expires with the owner's agreement.",
                )
            )
    return sorted(findings, key=lambda f: (str(f.path), f.line, f.rule_id))


def _python_references(path: Path) -> Iterator[Reference]:
    try:
        tree = ast.parse(path.read_text(), filename=str(path))
    except (SyntaxError, UnicodeDecodeError):
        return  # not ours to report: Black and flake8 fail on it first
    value_names = _names_imported_from_flags(tree)
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        key = _first_string(node)
        if key is not None and _reads_flag(node.func, value_names):
            yield Reference(key, path, node.lineno)


def _reads_flag(func: ast.expr, value_names: set[str]) -> bool:
    if isinstance(func, ast.Name):
        return func.id in FLAG_CALLS or func.id in value_names
    if isinstance(func, ast.Attribute):
        if func.attr in FLAG_CALLS:
            return True
        # `.value(...)` is too common a name: count it only on something called `flags`.
        return func.attr == "value" and _call_name(func.value) == "flags"
    return False


def _names_imported_from_flags(tree: ast.Module) -> set[str]:
    """Return the local names bound to ``satchel.flags.value`` (aliases included)."""
    return {
        alias.asname or alias.name
        for node in ast.walk(tree)
        if isinstance(node, ast.ImportFrom) and node.module == "satchel.flags"
        for alias in node.names
        if alias.name == "value"
    }


def _call_name(func: ast.expr) -> str | None:
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        return func.attr
    return None


def _first_string(node: ast.Call) -> str | None:
    return _literal_string(node.args[0]) if node.args else None


def _literal_string(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    return None


def _kind_name(node: ast.expr | None) -> str | None:
    if isinstance(node, ast.Attribute):
        return node.attr
    return _literal_string(node)


def _is_past(expires: str, today: date) -> bool:
    try:
        return date.fromisoformat(expires) < today
    except ValueError:
        return False  # declare_flags refuses it at start-up with a precise message


def main(argv: Sequence[str] | None = None) -> int:
    """Print findings for the given paths; exit 0 clean, 1 findings, 2 usage error."""
    parser = argparse.ArgumentParser(
        prog="python -m satchel.flags.hygiene", description=__doc__
    )
    parser.add_argument(
        "paths", nargs="+", type=Path, help="source files or directories"
    )
    parser.add_argument(
        "--flags-module", type=Path, help="the flags.py (default: found in PATHs)"
    )
    parser.add_argument("--today", type=date.fromisoformat, default=date.today())
    args = parser.parse_args(argv)
    flags_module = args.flags_module or _find_flags_module(args.paths)
    if flags_module is None:
        print(
            "no flags module found: pass --flags-module PATH or include the service's flags.py "
            "(the file that calls declare_flags) in PATHs.",
            file=sys.stderr,
        )
        return 2
    try:
        findings = find_flag_problems(flags_module, args.paths, args.today)
    except FlagDeclarationError as error:
        print(error, file=sys.stderr)
        return 2
    for finding in findings:
        print(finding)
    return 1 if findings else 0


def _find_flags_module(paths: Iterable[Path]) -> Path | None:
    for path in expand(paths):
        if path.name == "flags.py" and "declare_flags(" in path.read_text(
            errors="replace"
        ):
            return path
    return None


if __name__ == "__main__":
    raise SystemExit(main())
