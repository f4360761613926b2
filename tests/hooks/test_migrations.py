"""satchel-migrations: one linear Alembic history, every migration reversible."""

from __future__ import annotations

from pathlib import Path

import pytest

from hooks.migrations import check_migrations, collect_review, main
from tests.hooks.conftest import write

V = "migrations/versions"
DOWN_FIX = (
    "(fix: undo upgrade() in downgrade(), or waive above it: "
    "`# satchel: allow SAT-DAT-002 -- <why it cannot be undone>`)"
)


def revision(rev: str, down: str, downgrade: str = 'op.drop_column("t", "c")') -> str:
    """Return a revision file's text."""
    return (
        f"from alembic import op\n\nrevision = {rev!r}\ndown_revision = {down}\n\n\n"
        f"def upgrade():\n    op.add_column('t', None)\n\n\ndef downgrade():\n    {downgrade}\n"
    )


def audit_fix(table: str) -> str:
    """Return the fix SAT-DAT-004 gives for a table (``<table>`` when it cannot tell)."""
    return (
        "(fix: add a new migration (`alembic revision -m 'audit <table>'`) that calls"
        f' `audit.install(op)` and `audit.track(op, "{table}")` (from satchel import audit),'
        " or waive above it: "
        "`# satchel: allow SAT-DAT-004 -- <why its changes need no audit>`)"
    )


AUDIT_FIX = audit_fix("notes")
CANNOT_TELL = (
    "so whether it is audited: name it with a string or a module-level constant"
)


def module(*lines: str) -> str:
    """Return a revision file ("a", first) with module-level lines and upgrade() lines."""
    head, _, body = "\n".join(lines).partition("---\n")
    return (
        f"from alembic import op\nimport sqlalchemy as sa\n\nrevision = 'a'\ndown_revision = None\n"
        f"{head}\n\ndef upgrade():\n    {body.replace(chr(10), chr(10) + '    ')}\n\n\n"
        "def downgrade():\n    op.drop_table('x')\n"
    )


def tables(rev: str, down: str, *upgrade: str) -> str:
    """Return a revision file whose upgrade() runs the given lines (line 8 is the first)."""
    body = "\n    ".join(upgrade)
    return (
        f"from alembic import op\n\nrevision = {rev!r}\ndown_revision = {down}\n\n\n"
        f"def upgrade():\n    {body}\n\n\ndef downgrade():\n    op.drop_table('x')\n"
    )


CASES = [
    pytest.param(
        {f"{V}/a.py": revision("a", "None"), f"{V}/b.py": revision("b", "'a'")},
        [],
        id="linear",
    ),
    pytest.param(
        {
            f"{V}/a.py": revision("a", "None"),
            f"{V}/b.py": revision("b", "'a'"),
            f"{V}/c.py": revision("c", "'a'"),
        },
        [
            f"{V}/b.py:4: SAT-DAT-001 Alembic history has 2 heads (b, c); expected one (fix: if "
            f'this migration is the newer one, set down_revision = "c")',
            f"{V}/c.py:4: SAT-DAT-001 Alembic history has 2 heads (b, c); expected one (fix: if "
            f'this migration is the newer one, set down_revision = "b")',
        ],
        id="second-head",
    ),
    pytest.param(
        {
            f"{V}/a.py": revision("a", "None"),
            f"{V}/b.py": revision("b", "'a'"),
            f"{V}/c.py": revision("c", "'a'"),
            f"{V}/d.py": revision("d", "('b', 'c')"),
        },
        [
            f"{V}/d.py:4: SAT-DAT-001 revision d merges b, c; history must be linear (fix: "
            "delete the merge and set the newer migration's down_revision to the other head)"
        ],
        id="merge",
    ),
    pytest.param(
        {
            f"{V}/a.py": revision("a", "'zzz'"),
            f"{V}/b.py": "x = 1\n",
            f"{V}/__init__.py": "",
        },
        [
            f"{V}/a.py:4: SAT-DAT-001 down_revision zzz is not a revision in {V} (fix: point "
            "down_revision at an existing revision (`alembic history`))",
            f'{V}/b.py:1: SAT-DAT-001 has no `revision = "..."` (fix: create migrations with '
            "`alembic revision`)",
            f"{V}/b.py:1: SAT-DAT-002 migration has no downgrade() {DOWN_FIX}",
        ],
        id="unknown-parent-and-no-revision",
    ),
    pytest.param(
        {f"{V}/a.py": revision("a", "None"), f"{V}/a2.py": revision("a", "None")},
        [
            f"{V}/a2.py:4: SAT-DAT-001 revision a is also the id of {V}/a.py (fix: give this "
            "migration a new id with `alembic revision`)"
        ],
        id="duplicate-id",
    ),
    pytest.param(
        {
            f"{V}/a.py": revision(
                "a", "None", downgrade='"""Nothing to undo."""\n    pass'
            )
        },
        [f"{V}/a.py:11: SAT-DAT-002 downgrade() does nothing {DOWN_FIX}"],
        id="downgrade-pass",
    ),
    pytest.param(
        {
            f"{V}/a.py": revision(
                "a", "None", downgrade='raise NotImplementedError("no")'
            )
        },
        [
            f"{V}/a.py:11: SAT-DAT-002 downgrade() only raises NotImplementedError, so a bad "
            f"deploy cannot be rolled back {DOWN_FIX}"
        ],
        id="downgrade-only-raises-not-implemented",
    ),
    pytest.param(
        {
            f"{V}/a.py": revision(
                "a",
                "None",
                downgrade='"""One way."""\n    pass\n    raise RuntimeError',
            )
        },
        [
            f"{V}/a.py:11: SAT-DAT-002 downgrade() only raises RuntimeError, so a bad deploy "
            f"cannot be rolled back {DOWN_FIX}"
        ],
        id="downgrade-only-raises-anything",
    ),
    pytest.param(
        {
            f"{V}/a.py": revision(
                "a",
                "None",
                downgrade="if op.get_context().as_sql:\n        raise NotImplementedError\n"
                '    op.drop_column("t", "c")',
            )
        },
        [],
        id="downgrade-raising-only-offline",
    ),
    pytest.param(
        {
            f"{V}/a.py": revision("a", "None")
            .replace(
                "def downgrade",
                "# satchel: allow SAT-DAT-002 -- data backfill\ndef downgrade",
            )
            .replace('op.drop_column("t", "c")', "...")
        },
        [],
        id="downgrade-waived",
    ),
    pytest.param(
        {f"{V}/a.py": tables("a", "None", "op.create_table('notes')")},
        [
            f"{V}/a.py:8: SAT-DAT-004 table 'notes' is created but no migration audits"
            f" it {AUDIT_FIX}"
        ],
        id="table-not-audited",
    ),
    pytest.param(
        {
            f"{V}/a.py": tables(
                "a", "None", "op.create_table('notes')", "audit.track(op, 'notes')"
            )
        },
        [],
        id="table-audited",
    ),
    pytest.param(
        {
            f"{V}/a.py": tables("a", "None", "op.create_table('notes')"),
            f"{V}/b.py": tables("b", "'a'", "audit.track(op, 'notes')"),
        },
        [],
        id="table-audited-later",
    ),
    pytest.param(
        {
            f"{V}/a.py": tables("a", "None", "op.create_table('tmp')"),
            f"{V}/b.py": tables("b", "'a'", "op.drop_table('tmp')"),
        },
        [],
        id="table-dropped-later",
    ),
    pytest.param(
        {
            f"{V}/a.py": tables(
                "a",
                "None",
                "# satchel: allow SAT-DAT-004 -- a cache, rebuilt at will",
                "op.create_table('cache')",
            )
        },
        [],
        id="table-audit-waived",
    ),
    pytest.param(
        {f"{V}/a.py": tables("a", "None", 'op.execute("CREATE TABLE notes (id int)")')},
        [
            f"{V}/a.py:8: SAT-DAT-004 table 'notes' is created but no migration audits"
            f" it {AUDIT_FIX}"
        ],
        id="raw-sql-table-not-audited",
    ),
    pytest.param(
        {
            f"{V}/a.py": module(
                'SQL = """CREATE UNLOGGED TABLE IF NOT EXISTS public."notes" (id int);"""',
                'TABLE = "notes"',
                "---",
                "conn = op.get_bind()",
                "conn.execute(sa.text(SQL))",
                "audit.track(op, TABLE)",
            )
        },
        [],
        id="raw-sql-and-names-in-constants-audited",
    ),
    pytest.param(
        {
            f"{V}/a.py": module(
                'PREFIX = "school_"',
                "---",
                'table = PREFIX + "notes"',
                "op.create_table(table)",
                'op.execute("CREATE TEMPORARY TABLE scratch (id int)")',
                "op.execute(notes.update().values(x=1))",
                'audit.track(op, "school_notes")',
            )
        },
        [],
        id="name-built-from-constants-temporary-table-and-expressions",
    ),
    pytest.param(
        {
            f"{V}/a.py": module(
                "",
                "---",
                "for name in names():",
                "    op.create_table(name)",
                'op.execute(f"CREATE TABLE {name}_log (id int)")',
                "metadata.create_all(op.get_bind())",
            )
        },
        [
            f"{V}/a.py:11: SAT-DAT-004 cannot tell which table op.create_table(...) creates, "
            f"{CANNOT_TELL} {audit_fix('<table>')}",
            f"{V}/a.py:12: SAT-DAT-004 cannot tell which table op.execute(<SQL>) creates, "
            f"{CANNOT_TELL} {audit_fix('<table>')}",
            f"{V}/a.py:13: SAT-DAT-004 cannot tell which table metadata.create_all(...) "
            f"creates, {CANNOT_TELL} {audit_fix('<table>')}",
        ],
        id="cannot-tell-which-table",
    ),
    pytest.param(
        {
            f"{V}/a.py": tables(
                "a", "None", 'op.execute(sa.text("CREATE TABLE tmp (x int)"))'
            ),
            f"{V}/b.py": tables("b", "'a'", 'op.execute("DROP TABLE tmp")'),
        },
        [],
        id="raw-sql-table-dropped-later",
    ),
]


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_check_migrations(
    workdir: Path, files: dict[str, str], expected: list[str]
) -> None:
    """The check function returns exactly the expected findings."""
    write(workdir, files)
    paths = sorted(Path(name) for name in files if not name.endswith("__init__.py"))
    assert [str(f) for f in check_migrations(paths)] == expected


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_main(
    workdir: Path, run_main, files: dict[str, str], expected: list[str]
) -> None:
    """main prints the findings and exits 1 on findings, 0 when clean."""
    write(workdir, files)
    names = sorted(name for name in files if not name.endswith("__init__.py"))
    code, out, err = run_main(main, names)
    assert (code, out.splitlines(), err) == (1 if expected else 0, expected, "")


def test_audit_is_checked_only_for_the_migrations_committed(
    workdir: Path, run_main
) -> None:
    """An old migration's untracked table does not block committing an unrelated one."""
    write(
        workdir,
        {
            f"{V}/a.py": tables("a", "None", "op.create_table('legacy')"),
            f"{V}/b.py": tables("b", "'a'", "op.add_column('legacy', None)"),
        },
    )
    assert run_main(main, [f"{V}/b.py"]) == (0, "", "")
    code, out, _ = run_main(main, [f"{V}/a.py"])
    assert (code, out.split(" ")[:2]) == (1, [f"{V}/a.py:8:", "SAT-DAT-004"])


def test_history_reads_files_not_passed(workdir: Path, run_main) -> None:
    """Committing only the new migration still finds the head it conflicts with."""
    write(
        workdir,
        {f"{V}/a.py": revision("a", "None"), f"{V}/b.py": revision("b", "None")},
    )
    code, out, _ = run_main(main, [f"{V}/b.py"])
    assert code == 1
    assert [line.split(" ")[0] for line in out.splitlines()] == [
        f"{V}/a.py:4:",
        f"{V}/b.py:4:",
    ]


def test_sql_from_elsewhere_is_listed_for_review(workdir: Path, run_main) -> None:
    """SQL a migration imports passes the hook, and satchel-standards lists it for review."""
    name = f"{V}/a.py"
    write(
        workdir,
        {
            name: module(
                "from .sql import CREATE_NOTES", "---", "op.execute(CREATE_NOTES)"
            )
        },
    )
    assert run_main(main, [name]) == (0, "", "")
    assert [str(f) for f in collect_review([name])] == [
        f"{name}:10: SAT-DAT-004 op.execute(...): its SQL is not spelled out in this migration "
        "(fix: check that it creates no table, or that the migrations track the table)"
    ]
