"""Find a Connexion app in a repository by reading its Python (never running it).

An app is a call to ``connexion.FlaskApp``/``App``/``AsyncApp``; each ``.add_api(...)`` on it
names a spec (relative to ``specification_dir``) and, as literals, the resolver and options
that decide which handler serves each operation.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from satchel.api import connexion_compat as compat
from satchel_kit.adopt.errors import AdoptError

__all__ = ["ConnexionApi", "ConnexionApp", "find_apps"]

APP_CLASSES = {"FlaskApp", "App", "AsyncApp"}
RESOLVERS = {
    "Resolver": compat.Resolver,
    "RelativeResolver": compat.RelativeResolver,
    "RestyResolver": compat.RestyResolver,
    "MethodResolver": compat.MethodResolver,
    "MethodViewResolver": compat.MethodViewResolver,
}
SKIPPED = {".git", ".venv", "venv", "node_modules", "__pycache__", "build", "dist"}


@dataclass
class ConnexionApi:
    """One ``add_api`` call: the spec and how its handlers are found."""

    spec: Path
    line: int
    resolver: compat.Resolver
    pythonic_params: bool = False
    arguments: dict[str, Any] | None = None
    notes: list[str] = field(default_factory=list)


@dataclass
class ConnexionApp:
    """A Connexion app found in ``source`` at ``line`` and the APIs added to it."""

    source: Path
    line: int
    kind: str
    apis: list[ConnexionApi] = field(default_factory=list)


def find_apps(root: Path) -> list[ConnexionApp]:
    """Return every Connexion app under ``root``; raise AdoptError when there is none."""
    apps = []
    for path in sorted(root.rglob("*.py")):
        if SKIPPED & set(path.relative_to(root).parts):
            continue
        try:
            tree = ast.parse(path.read_text(encoding="utf-8"), str(path))
        except (SyntaxError, UnicodeDecodeError):
            continue
        apps.extend(_apps_in(tree, path))
    if not apps:
        raise AdoptError(
            f"{root} is not a Connexion service: no connexion.FlaskApp(...), App(...) or "
            "AsyncApp(...) call in any of its .py files. `satchel adopt` brings Connexion "
            "services aboard; stamp a new service with cookiecutter instead."
        )
    return apps


def _name(node: ast.AST) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _literal(node: ast.AST | None, default: Any = None) -> Any:
    if node is None:
        return default
    try:
        return ast.literal_eval(node)
    except ValueError:
        return default


def _apps_in(tree: ast.Module, path: Path) -> list[ConnexionApp]:
    """Return the apps built in one module, with the add_api calls on their variables."""
    apps: dict[str, tuple[ConnexionApp, Path]] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            call = node.value
            if _name(call.func) in APP_CLASSES and _mentions_connexion(call.func):
                keywords = {k.arg: k.value for k in call.keywords}
                spec_dir = _literal(keywords.get("specification_dir"), "")
                app = ConnexionApp(path, node.lineno, _name(call.func))
                for target in node.targets:
                    apps[ast.unparse(target)] = (app, path.parent / str(spec_dir))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Call)
            and _name(node.func) == "add_api"
            and isinstance(node.func, ast.Attribute)
            and ast.unparse(node.func.value) in apps
        ):
            app, spec_dir = apps[ast.unparse(node.func.value)]
            app.apis.append(_api(node, spec_dir))
    return [app for app, _ in apps.values()]


def _mentions_connexion(func: ast.AST) -> bool:
    return isinstance(func, ast.Attribute) and ast.unparse(func.value) == "connexion"


def _api(call: ast.Call, spec_dir: Path) -> ConnexionApi:
    keywords = {k.arg: k.value for k in call.keywords}
    first = call.args[0] if call.args else keywords.get("specification")
    spec = _literal(first)
    notes = []
    if not isinstance(spec, str):
        raise AdoptError(
            f"line {call.lineno}: add_api's spec is {ast.unparse(first) if first else 'missing'}, "
            "not a file name; adopt reads it as written (pass the spec as a string literal)"
        )
    resolver, note = _resolver(keywords.get("resolver"))
    if note:
        notes.append(note)
    arguments = _literal(keywords.get("arguments"))
    return ConnexionApi(
        spec=spec_dir / spec,
        line=call.lineno,
        resolver=resolver,
        pythonic_params=bool(_literal(keywords.get("pythonic_params"), False)),
        arguments=arguments if isinstance(arguments, dict) else None,
        notes=notes,
    )


def _resolver(node: ast.AST | None) -> tuple[compat.Resolver, str | None]:
    """Build the compat resolver a literal ``resolver=X(...)`` names."""
    if node is None:
        return compat.Resolver(), None
    if isinstance(node, ast.Call) and _name(node.func) in RESOLVERS:
        args = [_literal(a) for a in node.args]
        keywords = {k.arg: _literal(k.value) for k in node.keywords if k.arg}
        keywords.pop(
            "class_arguments", None
        )  # views are not instantiated to check names
        try:
            return RESOLVERS[_name(node.func)](*args, **keywords), None
        except TypeError as error:
            return (
                compat.Resolver(),
                f"resolver {ast.unparse(node)} not understood: {error}",
            )
    return compat.Resolver(), (
        f"resolver={ast.unparse(node)} is not one of {', '.join(sorted(RESOLVERS))}; "
        "operationIds were read as import paths"
    )
