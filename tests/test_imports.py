"""The import contracts in setup.cfg hold: no import cycles, and mockserver's layers."""

import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
LINT_IMPORTS = str(Path(sys.executable).with_name("lint-imports"))


def lint_imports(config: Path, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run import-linter's command line on ``config`` from ``cwd``, without its cache."""
    return subprocess.run(
        [LINT_IMPORTS, str(config), "--no-cache"],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=False,
    )


def test_kit_keeps_its_import_contracts():
    """Every contract in setup.cfg [importlinter] is kept (the report names any broken one)."""
    result = lint_imports(ROOT / "setup.cfg", ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "3 kept, 0 broken" in result.stdout


def test_a_cycle_through_a_function_level_import_is_reported(tmp_path):
    """An import moved into a function to dodge a cycle still breaks the acyclic contract."""
    package = tmp_path / "loop"
    package.mkdir()
    (package / "__init__.py").write_text("")
    (package / "store.py").write_text(
        "def open_store():\n    from loop import redis_store\n\n    return redis_store\n"
    )
    (package / "redis_store.py").write_text("from loop import store\n")
    config = tmp_path / "setup.cfg"
    config.write_text(textwrap.dedent("""\
            [importlinter]
            root_package = loop

            [importlinter:contract:acyclic]
            name = loop has no import cycles
            type = acyclic_siblings
            ancestors = loop
            """))
    result = lint_imports(config, tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert "No cycles are allowed in loop." in result.stdout
    assert ".store -> .redis_store" in result.stdout or (
        ".redis_store -> .store" in result.stdout
    )
