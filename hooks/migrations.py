"""Hook ``satchel-migrations``: one linear history, every migration reversible, tables audited.

Rules SAT-DAT-001, SAT-DAT-002 and SAT-DAT-004, standard: standards/data.md. Migrations run per
tenant database, 1,500 times over: two heads leave tenants on different schemas, a migration
that cannot be downgraded turns a bad deploy into a restore, and a table nobody tracks has
changes nobody can attribute. Read with ``ast``; Alembic is not imported.
"""

from __future__ import annotations

import ast
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hooks import cli
from hooks.findings import Finding
from hooks.migration_tables import CREATE, DROP, TRACK, TableCall, table_calls
from hooks.sources import BadInput, parse_python
from hooks.waivers import drop_waived


@dataclass(frozen=True)
class Migration:
    """One revision file: its id, the ids it follows and where they are written."""

    path: Path
    revision: str | None
    down_revisions: tuple[str, ...]
    line: int
    downgrade: ast.FunctionDef | None
    upgrade: ast.FunctionDef | None = None
    module: ast.Module = field(default_factory=lambda: ast.Module([], []))


def _constant_strings(value: ast.expr | None) -> tuple[str, ...]:
    if isinstance(value, ast.Constant) and isinstance(value.value, str):
        return (value.value,)
    if isinstance(value, (ast.Tuple, ast.List)):
        return tuple(
            e.value
            for e in value.elts
            if isinstance(e, ast.Constant) and isinstance(e.value, str)
        )
    return ()


def read_migration(path: Path) -> Migration:
    """Parse a revision file's ``revision``, ``down_revision`` and ``downgrade()``."""
    _, tree = parse_python(path)
    values: dict[str, tuple[ast.expr | None, int]] = {}
    downgrade = upgrade = None
    for node in tree.body:
        if isinstance(node, ast.Assign):
            for target in node.targets:
                if isinstance(target, ast.Name):
                    values[target.id] = (node.value, node.lineno)
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            values[node.target.id] = (node.value, node.lineno)
        elif isinstance(node, ast.FunctionDef) and node.name == "downgrade":
            downgrade = node
        elif isinstance(node, ast.FunctionDef) and node.name == "upgrade":
            upgrade = node
    revision = _constant_strings(values.get("revision", (None, 0))[0])
    down_value, down_line = values.get("down_revision", (None, 1))
    return Migration(
        path,
        revision[0] if revision else None,
        _constant_strings(down_value),
        down_line or 1,
        downgrade,
        upgrade,
        tree,
    )


def _dat1(migration: Migration, message: str, fix: str) -> Finding:
    return Finding(str(migration.path), migration.line, "SAT-DAT-001", message, fix)


def check_history(migrations: Sequence[Migration]) -> list[Finding]:
    """Return findings unless the revisions form one chain with one head."""
    findings = []
    by_id: dict[str, Migration] = {}
    for m in migrations:
        if m.revision is None:
            findings.append(
                _dat1(
                    m,
                    'has no `revision = "..."`',
                    "create migrations with `alembic revision`",
                )
            )
        elif m.revision in by_id:
            findings.append(
                _dat1(
                    m,
                    f"revision {m.revision} is also the id of {by_id[m.revision].path}",
                    "give this migration a new id with `alembic revision`",
                )
            )
        else:
            by_id[m.revision] = m
    followed = set()
    for m in by_id.values():
        if len(m.down_revisions) > 1:
            findings.append(
                _dat1(
                    m,
                    f"revision {m.revision} merges {', '.join(m.down_revisions)}; "
                    "history must be linear",
                    "delete the merge and set the newer migration's down_revision to the "
                    "other head",
                )
            )
        for parent in m.down_revisions:
            if parent not in by_id:
                findings.append(
                    _dat1(
                        m,
                        f"down_revision {parent} is not a revision in {m.path.parent}",
                        "point down_revision at an existing revision (`alembic history`)",
                    )
                )
            followed.add(parent)
    heads = sorted(rev for rev in by_id if rev not in followed)
    if len(heads) > 1:
        for head in heads:
            others = ", ".join(f'"{h}"' for h in heads if h != head)
            findings.append(
                _dat1(
                    by_id[head],
                    f"Alembic history has {len(heads)} heads ({', '.join(heads)}); expected one",
                    f"if this migration is the newer one, set down_revision = {others}",
                )
            )
    return findings


def check_downgrade(migration: Migration) -> list[Finding]:
    """Return a finding if the migration has no downgrade() or one that does nothing."""
    fix = (
        "undo upgrade() in downgrade(), or waive above it: "
        "`# satchel: allow SAT-DAT-002 -- <why it cannot be undone>`"
    )
    path = str(migration.path)
    if migration.downgrade is None:
        return [Finding(path, 1, "SAT-DAT-002", "migration has no downgrade()", fix)]
    body = [
        stmt
        for stmt in migration.downgrade.body
        if not isinstance(stmt, ast.Pass)
        and not (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant))
    ]
    line = migration.downgrade.lineno
    if not body:
        return [Finding(path, line, "SAT-DAT-002", "downgrade() does nothing", fix)]
    if all(isinstance(stmt, ast.Raise) for stmt in body):
        exc = body[0].exc
        name = ast.unparse(exc).split("(")[0] if exc is not None else "an exception"
        return [
            Finding(
                path,
                line,
                "SAT-DAT-002",
                f"downgrade() only raises {name}, so a bad deploy cannot be rolled back",
                fix,
            )
        ]
    return []


def _audit_finding(migration: Migration, call: TableCall, message: str) -> Finding:
    return Finding(
        str(migration.path),
        call.line,
        "SAT-DAT-004",
        message,
        # A migration that has run on a tenant is never edited: the fix is a new one.
        "add a new migration (`alembic revision -m 'audit <table>'`) that calls"
        f' `audit.install(op)` and `audit.track(op, "{call.table or "<table>"}")` (from'
        " satchel import audit), or waive above it:"
        " `# satchel: allow SAT-DAT-004 -- <why its changes need no audit>`",
    )


def check_audited(
    migrations: Sequence[Migration], checked: Sequence[Path]
) -> list[Finding]:
    """Return a finding for each table created in ``checked`` that no migration tracks.

    Tracking may come in the same or any other migration of the folder (a later one adds
    it); a table a later upgrade drops needs none. A table whose name the hook cannot read
    is refused too: it cannot tell whether it is tracked.
    """
    calls = {m.path: table_calls(m.upgrade, m.module)[0] for m in migrations}
    every = [call for found in calls.values() for call in found]
    tracked = {call.table for call in every if call.kind == TRACK}
    dropped = {call.table for call in every if call.kind == DROP}
    findings = []
    for migration in migrations:
        if migration.path not in checked:
            continue
        for call in calls[migration.path]:
            if call.kind != CREATE or call.table in tracked or call.table in dropped:
                continue
            if call.table is None:
                findings.append(
                    _audit_finding(
                        migration,
                        call,
                        f"cannot tell which table {call.how} creates, so whether it is"
                        " audited: name it with a string or a module-level constant",
                    )
                )
                continue
            findings.append(
                _audit_finding(
                    migration,
                    call,
                    f"table {call.table!r} is created but no migration audits it",
                )
            )
    return findings


def unread_sql(migrations: Sequence[Migration]) -> list[Finding]:
    """Return the raw SQL the hook cannot read (built elsewhere), for a reviewer (SAT-DAT-004)."""
    return [
        Finding(
            str(migration.path),
            call.line,
            "SAT-DAT-004",
            f"{call.how}: its SQL is not spelled out in this migration",
            "check that it creates no table, or that the migrations track the table",
        )
        for migration in migrations
        for call in table_calls(migration.upgrade, migration.module)[1]
    ]


def check_migrations(paths: Sequence[Path]) -> list[Finding]:
    """Check the given revision files' downgrades and the history of their folders."""
    findings: list[Finding] = []
    folders = sorted({path.parent for path in paths})
    by_path: dict[Path, Migration] = {}
    for path in [p for folder in folders for p in sorted(folder.glob("*.py"))]:
        if path.name.startswith("__"):
            continue
        try:
            by_path[path] = read_migration(path)
        except BadInput as bad:
            findings.append(bad.finding)
    for folder in folders:
        history = [m for p, m in by_path.items() if p.parent == folder]
        findings.extend(check_history(history))
        findings.extend(check_audited(history, paths))
    for path in paths:
        if path in by_path:
            findings.extend(check_downgrade(by_path[path]))
    return drop_waived(findings)


def collect(argv: Sequence[str] | None = None) -> list[Finding]:
    """Check the revision files named on the command line."""
    parser = cli.file_parser("Check Alembic migrations (standards/data.md).")
    args = parser.parse_args(argv)
    return check_migrations(cli.existing_paths(args.filenames))


def collect_review(argv: Sequence[str] | None = None) -> list[Finding]:
    """List the raw SQL in the named revision files that the hook cannot read."""
    parser = cli.file_parser("List migrations' SQL to review (standards/data.md).")
    args = parser.parse_args(argv)
    migrations = []
    for path in cli.existing_paths(args.filenames):
        try:
            migrations.append(read_migration(path))
        except BadInput:
            continue  # collect() reports it
    return unread_sql(migrations)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the hook: exit 0 clean, 1 with findings, 2 on a usage error."""
    return cli.run(collect, argv)


if __name__ == "__main__":
    raise SystemExit(main())
