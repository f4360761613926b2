"""Hook ``satchel-tenancy``: no database reached around the tenancy API, no default tenant.

Rules SAT-TEN-001, SAT-TEN-002 and SAT-TEN-003, standard: standards/tenancy.md. A service
reaches its tenant's database only through ``satchel.tenancy.session()``; an engine or a driver
connection made by hand can point at any tenant's database, or at none, and bypasses the engine
cache and connection budget. Calls are judged by what their names resolve to through the
module's imports, never by what a variable is called.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Sequence
from pathlib import Path

from hooks import cli
from hooks.findings import Finding
from hooks.names import Imports
from hooks.sources import parse_python, read_text
from hooks.tenant_flow import REVIEW, tenant_uses

ENGINE_FACTORIES = {
    "create_engine",
    "create_async_engine",
    "engine_from_config",
    "async_engine_from_config",
    "sessionmaker",
    "async_sessionmaker",
    "scoped_session",
    "async_scoped_session",
    "Session",
    "AsyncSession",
}
ENGINE_MAKERS = {
    "create_engine",
    "create_async_engine",
    "engine_from_config",
    "async_engine_from_config",
}
ENGINE_TYPES = {"Engine", "AsyncEngine", "Connection", "AsyncConnection"}
# Database drivers and pools, by module: what opens a connection without the tenancy API.
DRIVER_CONNECTS = {
    "psycopg": {"connect", "Connection.connect", "AsyncConnection.connect"},
    "psycopg_pool": {"ConnectionPool", "AsyncConnectionPool", "NullConnectionPool"},
    "psycopg2": {"connect", "pool.SimpleConnectionPool", "pool.ThreadedConnectionPool"},
    "asyncpg": {"connect", "create_pool"},
    "sqlite3": {"connect"},
    "aiosqlite": {"connect"},
    "pymysql": {"connect", "Connect"},
    "MySQLdb": {"connect", "Connect"},
    "mysql.connector": {"connect"},
    "aiomysql": {"connect", "create_pool"},
    "aiopg": {"connect", "create_pool"},
    "pg8000": {"connect", "dbapi.connect", "native.Connection"},
    "oracledb": {"connect", "connect_async", "create_pool"},
    "pyodbc": {"connect"},
    "flask_sqlalchemy": {"SQLAlchemy"},
}
# A name says it is a default tenant when "default" (or "fallback") qualifies "tenant" and
# whatever follows only names a handle of that tenant: default_tenant, DEFAULT_TENANT_ID,
# tenant_default. tenant_default_locale is a locale, so it is not one.
DEFAULTING = {"default", "fallback"}
TENANT_HANDLES = {"id", "slug", "host", "hostname", "name", "key", "domain", "db"}
TENANT_HANDLES |= {"database", "url", "uri", "dsn", "schema"}
_WORD = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_CONFIG_KEY = re.compile(r"^\s*(?:export\s+)?([\w.-]+)\s*[:=]")
_IDENTIFIER = re.compile(r"^[A-Za-z_][\w-]*$")
TENANCY_FIX = "use satchel.tenancy.session() for the current tenant's unit of work"


def names_default_tenant(name: str) -> bool:
    """Tell whether a name's words say it holds a default tenant (or that tenant's handle)."""
    words = [word.lower() for word in _WORD.findall(name)]
    words = ["tenant" if word == "tenants" else word for word in words]
    for i, (first, second) in enumerate(zip(words, words[1:])):
        pair = {first, second}
        if "tenant" in pair and pair & DEFAULTING and first != second:
            if all(word in TENANT_HANDLES for word in words[i + 2 :]):
                return True
    return False


def _driver_connect(qualified: str) -> bool:
    for module, calls in DRIVER_CONNECTS.items():
        if qualified.startswith(module + ".") and qualified[len(module) + 1 :] in calls:
            return True
    return False


def _factory(qualified: str | None) -> str | None:
    """Name the SQLAlchemy factory a dotted name is, or None."""
    if qualified and qualified.split(".")[0] == "sqlalchemy":
        last = qualified.rsplit(".", 1)[-1]
        return last if last in ENGINE_FACTORIES else None
    return None


def _engine_names(tree: ast.Module, imports: Imports) -> set[str]:
    """Return the expressions (``engine``, ``self.engine``) bound to a SQLAlchemy engine."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call):
            if _factory(imports.qualify(node.value.func)) in ENGINE_MAKERS:
                names.update(ast.unparse(target) for target in node.targets)
        annotation = getattr(node, "annotation", None)
        if isinstance(node, (ast.arg, ast.AnnAssign)) and annotation is not None:
            qualified = imports.qualify(annotation) or ""
            if qualified.startswith("sqlalchemy") and (
                qualified.rsplit(".", 1)[-1] in ENGINE_TYPES
            ):
                target = node.arg if isinstance(node, ast.arg) else node.target
                names.add(target if isinstance(target, str) else ast.unparse(target))
    return names


def _database_use(call: ast.Call, imports: Imports, engines: set[str]) -> str | None:
    """Name the engine, session or connection a call makes by hand, or None."""
    qualified = imports.qualify(call.func)
    factory = _factory(qualified)
    if factory:
        return f"{factory}()"
    if qualified and _driver_connect(qualified):
        return f"{qualified}()"
    func = call.func
    if isinstance(func, ast.Attribute) and func.attr in ("connect", "begin"):
        receiver = ast.unparse(func.value)
        if receiver in engines:
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
        if name and names_default_tenant(name):
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


def _payload_tenant(path: Path, use) -> Finding:
    return Finding(
        str(path),
        use.line,
        "SAT-TEN-003",
        f"{use.call} takes the tenant from the request's data ({use.reason})",
        "use the tenant satchel.tenancy resolved from the host: tenancy.session() inside "
        "the request, tenancy.current_tenant() to hand it to a job",
    )


def check_python(path: Path) -> list[Finding]:
    """Return the tenancy findings for one Python file."""
    _, tree = parse_python(path)
    imports = Imports(tree)
    engines = _engine_names(tree, imports)
    findings = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            what = _database_use(node, imports, engines)
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
    findings.extend(
        _payload_tenant(path, use)
        for use in tenant_uses(path, tree, imports)
        if use.verdict != REVIEW
    )
    return findings


def check_config(path: Path) -> list[Finding]:
    """Return a finding for each default-tenant key in a config file (.env, YAML, TOML, INI)."""
    findings = []
    for number, line in enumerate(read_text(path).splitlines(), start=1):
        match = _CONFIG_KEY.match(line)
        if match and names_default_tenant(match.group(1)):
            findings.append(_default_tenant(path, number, match.group(1)))
    return findings


def check_file(path: Path) -> list[Finding]:
    """Return the tenancy findings for a Python or config file."""
    return check_python(path) if path.suffix == ".py" else check_config(path)


def review_file(path: Path) -> list[Finding]:
    """Return the tenant choices in a Python file that only a reviewer can judge (SAT-TEN-003)."""
    if path.suffix != ".py":
        return []
    _, tree = parse_python(path)
    return [
        Finding(
            str(path),
            use.line,
            "SAT-TEN-003",
            f"{use.call}: {use.reason}",
            "check that no caller takes this tenant from a request's body, query or headers",
        )
        for use in tenant_uses(path, tree, Imports(tree))
        if use.verdict == REVIEW
    ]


def collect(argv: Sequence[str] | None = None) -> list[Finding]:
    """Check the files named on the command line."""
    parser = cli.file_parser("Check tenancy rules (standards/tenancy.md).")
    args = parser.parse_args(argv)
    return cli.check_each(cli.existing_paths(args.filenames), check_file)


def collect_review(argv: Sequence[str] | None = None) -> list[Finding]:
    """List what a reviewer must judge in the files named on the command line."""
    parser = cli.file_parser("List tenant choices to review (standards/tenancy.md).")
    args = parser.parse_args(argv)
    return cli.check_each(cli.existing_paths(args.filenames), review_file)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the hook: exit 0 clean, 1 with findings, 2 on a usage error."""
    return cli.run(collect, argv)


if __name__ == "__main__":
    raise SystemExit(main())
