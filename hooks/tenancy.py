"""Hook ``satchel-tenancy``: no engine or session outside the tenancy API, no default tenant.

Rules SAT-TEN-001 and SAT-TEN-002, standard: standards/tenancy.md. A service reaches its
tenant's database only through ``satchel.tenancy.session()``; an engine built by hand can point
at any tenant's database, or at none, and bypasses the engine cache and connection budget.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from pathlib import Path

from hooks import cli
from hooks.findings import Finding
from hooks.sources import parse_python, read_text

ENGINE_FACTORIES = {
    "create_engine",
    "create_async_engine",
    "engine_from_config",
    "sessionmaker",
    "async_sessionmaker",
    "scoped_session",
    "async_scoped_session",
    "Session",
    "AsyncSession",
}
DEFAULT_TENANT = re.compile(r"default[_-]?tenant|tenant[_-]?default", re.IGNORECASE)
_CONFIG_KEY = re.compile(r"^\s*(?:export\s+)?([\w.-]+)\s*[:=]")
_IDENTIFIER = re.compile(r"^[A-Za-z_][\w-]*$")
TENANCY_FIX = "use satchel.tenancy.session() for the current tenant's unit of work"


def _sqlalchemy_names(tree: ast.Module) -> dict[str, str]:
    """Map each local name bound by an import from sqlalchemy to the name it imports."""
    names = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
            "sqlalchemy"
        ):
            names.update(
                {alias.asname or alias.name: alias.name for alias in node.names}
            )
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("sqlalchemy"):
                    local = (alias.asname or alias.name).split(".")[0]
                    names[local] = alias.name
    return names


def _root_name(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _terminal_name(node: ast.expr) -> str:
    if isinstance(node, ast.Attribute):
        return node.attr
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Call):
        return _terminal_name(node.func)
    return ""


def _engine_use(call: ast.Call, sqlalchemy: dict[str, str]) -> str | None:
    """Name what the call builds or opens by hand, or None if it is not an engine use."""
    func = call.func
    if isinstance(func, ast.Name) and func.id in sqlalchemy:
        imported = sqlalchemy[func.id]
        return f"{imported}()" if imported in ENGINE_FACTORIES else None
    if isinstance(func, ast.Attribute):
        if func.attr in ENGINE_FACTORIES and _root_name(func) in sqlalchemy:
            return f"{func.attr}()"
        receiver = _terminal_name(func.value)
        if func.attr in ("connect", "begin") and "engine" in receiver.lower():
            return f"{receiver}.{func.attr}()"
    return None


def _default_tenant_names(tree: ast.Module) -> list[tuple[int, str]]:
    """Return (line, name) for each default-tenant name a module binds or looks up."""
    hits: dict[int, str] = {}
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store):
            name = node.id
        elif isinstance(node, ast.Attribute) and isinstance(node.ctx, ast.Store):
            name = node.attr
        elif isinstance(node, ast.arg):
            name = node.arg
        elif isinstance(node, ast.keyword):
            name = node.arg
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            name = node.value if _IDENTIFIER.match(node.value) else None
        if name and DEFAULT_TENANT.search(name):
            hits.setdefault(node.lineno, name)
    return sorted(hits.items())


def _default_tenant(path: Path, line: int, name: str) -> Finding:
    return Finding(
        str(path),
        line,
        "SAT-TEN-002",
        f"default tenant setting {name}: a request without a known tenant must fail",
        "remove it; an unknown host is answered 404 by satchel.tenancy, never sent to a "
        "default database",
    )


def check_python(path: Path) -> list[Finding]:
    """Return the tenancy findings for one Python file."""
    _, tree = parse_python(path)
    sqlalchemy = _sqlalchemy_names(tree)
    findings = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            what = _engine_use(node, sqlalchemy)
            if what:
                findings.append(
                    Finding(
                        str(path),
                        node.lineno,
                        "SAT-TEN-001",
                        f"{what} outside the tenancy API",
                        TENANCY_FIX,
                    )
                )
    findings.extend(
        _default_tenant(path, line, name) for line, name in _default_tenant_names(tree)
    )
    return findings


def check_config(path: Path) -> list[Finding]:
    """Return a finding for each default-tenant key in a config file (.env, YAML, TOML, INI)."""
    findings = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        match = _CONFIG_KEY.match(line)
        if match and DEFAULT_TENANT.search(match.group(1)):
            findings.append(_default_tenant(path, number, match.group(1)))
    return findings


def check_file(path: Path) -> list[Finding]:
    """Return the tenancy findings for a Python or config file."""
    return check_python(path) if path.suffix == ".py" else check_config(path)


def collect(argv: Sequence[str] | None = None) -> list[Finding]:
    """Check the files named on the command line."""
    parser = cli.file_parser("Check tenancy rules (standards/tenancy.md).")
    args = parser.parse_args(argv)
    return cli.check_each(cli.existing_paths(args.filenames), check_file)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the hook: exit 0 clean, 1 with findings, 2 on a usage error."""
    return cli.run(collect, argv)


if __name__ == "__main__":
    raise SystemExit(main())
