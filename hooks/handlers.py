"""Hook ``satchel-handlers``: operationIds and the functions of <package>/api/<tag>.py match.

Rules SAT-API-004 (every operationId names a handler) and SAT-API-007 (every public function
there is a handler an operation names), standard: standards/api.md. Reads the spec and the
handler modules with ``ast``; it never imports the service.
"""

from __future__ import annotations

import argparse
import ast
from collections.abc import Sequence
from pathlib import Path

from hooks import cli
from hooks.findings import Finding
from hooks.openapi import line_of, load_spec, operations
from hooks.service import find_package
from hooks.sources import BadInput, parse_python
from hooks.waivers import drop_waived


def defined_names(tree: ast.Module) -> set[str]:
    """Return the names a module binds at top level (functions, assignments, imports)."""
    names = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            names.add(node.name)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update(
                (alias.asname or alias.name).split(".")[0] for alias in node.names
            )
        elif isinstance(node, ast.Assign):
            names.update(t.id for t in node.targets if isinstance(t, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
    return names


def public_functions(tree: ast.Module) -> list[tuple[str, int]]:
    """Return (name, line) of each function a module defines at top level without a ``_``."""
    return [
        (node.name, node.lineno)
        for node in tree.body
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef))
        and not node.name.startswith("_")
    ]


def check_unnamed(spec: dict, spec_path: Path, package: Path) -> list[Finding]:
    """Return a finding for each public function in api/ that no operation of its tag names."""
    by_tag: dict[str, set[str]] = {}
    tag_of: dict[str, str] = {}
    for op in operations(spec):
        operation_id, tags = op.body.get("operationId"), op.body.get("tags") or []
        if isinstance(operation_id, str) and tags:
            by_tag.setdefault(str(tags[0]), set()).add(operation_id)
            tag_of[operation_id] = str(tags[0])
    findings = []
    for module in sorted((package / "api").glob("*.py")):
        if module.name == "__init__.py":
            continue
        tag = module.stem
        for name, line in public_functions(parse_python(module)[1]):
            if name in by_tag.get(tag, ()):
                continue
            elsewhere = (
                f"; it is the operationId of an operation tagged {tag_of[name]}, whose "
                f"handler module is {package}/api/{tag_of[name]}.py"
                if name in tag_of
                else ""
            )
            findings.append(
                Finding(
                    str(module),
                    line,
                    "SAT-API-007",
                    f"public function {name} is named by no operation tagged {tag} in "
                    f"{spec_path}{elsewhere}",
                    f"add its operation to the spec (operationId: {name}, tags: [{tag}]), "
                    f"or make it a private helper: _{name} (names with a leading underscore "
                    "are allowed)",
                )
            )
    return findings


def check_handlers(spec_path: Path, package: Path) -> list[Finding]:
    """Return a finding for each operation without its handler, and each handler without one."""
    spec = load_spec(spec_path)
    modules: dict[Path, set[str]] = {}
    findings = check_unnamed(spec, spec_path, package)
    for op in operations(spec):
        operation_id = op.body.get("operationId")
        if not operation_id:
            continue  # SAT-API-001's finding, from satchel-spec
        line = line_of(op.body, "operationId")
        tags = op.body.get("tags") or []
        if not tags:
            findings.append(
                Finding(
                    str(spec_path),
                    line,
                    "SAT-API-004",
                    f"{op.label} ({operation_id}) has no tag, so no handler module",
                    f"add `tags: [<resource>]`; the first tag names {package}/api/<tag>.py",
                )
            )
            continue
        module = package / "api" / f"{tags[0]}.py"
        if module not in modules:
            modules[module] = (
                defined_names(parse_python(module)[1]) if module.is_file() else set()
            )
        if operation_id not in modules[module]:
            where = (
                "defines no function"
                if module.is_file()
                else "does not exist, so it has no"
            )
            findings.append(
                Finding(
                    str(spec_path),
                    line,
                    "SAT-API-004",
                    f"{op.label} operationId {operation_id} has no handler: "
                    f"{module} {where} {operation_id}",
                    f"add `def {operation_id}(...)` to {module}, or correct the operationId",
                )
            )
    return sorted(findings)


def collect(argv: Sequence[str] | None = None) -> list[Finding]:
    """Check the spec against the handler modules of the service in the current folder."""
    parser = argparse.ArgumentParser(
        description="Check that every operationId has a handler."
    )
    parser.add_argument(
        "filenames", nargs="*", help="ignored: the spec and package are read"
    )
    parser.add_argument(
        "--spec", default="spec/openapi.yaml", help="the service's spec"
    )
    parser.add_argument("--package", help="the service package (default: found)")
    args = parser.parse_args(argv)
    spec_path = cli.existing_paths([args.spec])[0]
    package = find_package(Path("."), args.package)
    try:
        return drop_waived(check_handlers(spec_path, package))
    except BadInput as bad:
        return [bad.finding]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the hook: exit 0 clean, 1 with findings, 2 on a usage error."""
    return cli.run(collect, argv)


if __name__ == "__main__":
    raise SystemExit(main())
