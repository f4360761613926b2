"""Hooks that read a whole service: satchel-handlers, satchel-flags, satchel-cruft."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from hooks import flags, handlers, template_drift
from tests.hooks.conftest import write

SPEC = "spec/openapi.yaml"
UNNAMED = "is named by no operation tagged notes in spec/openapi.yaml"


def test_clean_service_passes_every_service_hook(service: Path, run_main) -> None:
    """The fixture service passes handlers, flags and cruft with exit 0."""
    assert run_main(handlers.main, []) == (0, "", "")
    assert run_main(flags.main, ["--today", "2026-11-27"]) == (0, "", "")
    assert run_main(template_drift.main, []) == (0, "", "")


@pytest.mark.parametrize(
    ("edit", "expected"),
    [
        pytest.param(
            ("students/api/notes.py", "def delete_note(", "def remove_note("),
            [
                "spec/openapi.yaml:48: SAT-API-004 DELETE /notes/{note_id} operationId "
                "delete_note has no handler: students/api/notes.py defines no function "
                "delete_note (fix: add `def delete_note(...)` to students/api/notes.py, or "
                "correct the operationId)",
                f"students/api/notes.py:27: SAT-API-007 public function remove_note {UNNAMED} "
                "(fix: add its operation to the spec (operationId: remove_note, tags: [notes]), "
                "or make it a private helper: _remove_note (names with a leading underscore "
                "are allowed))",
            ],
            id="function-renamed",
        ),
        pytest.param(
            (
                "students/api/notes.py",
                '    """Delete a note."""',
                '    """Delete."""\n\n\n'
                "async def export_notes():\n    return []\n\n\ndef _helper():\n    pass\n",
            ),
            [
                f"students/api/notes.py:31: SAT-API-007 public function export_notes {UNNAMED} "
                "(fix: add its operation to the spec (operationId: export_notes, tags: "
                "[notes]), or make it a private helper: _export_notes (names with a leading "
                "underscore are allowed))",
            ],
            id="public-function-no-operation-names",
        ),
        pytest.param(
            (
                "students/api/notes.py",
                "def delete_note(",
                "def _unused(note_id):\n    pass\n\n\ndef delete_note(",
            ),
            [],
            id="private-helper-allowed",
        ),
        pytest.param(
            ("students/api/pupils.py", None, "def list_notes():\n    pass\n"),
            [
                "students/api/pupils.py:1: SAT-API-007 public function list_notes is named by "
                "no operation tagged pupils in spec/openapi.yaml; it is the operationId of an "
                "operation tagged notes, whose handler module is students/api/notes.py (fix: "
                "add its operation to the spec (operationId: list_notes, tags: [pupils]), or "
                "make it a private helper: _list_notes (names with a leading underscore are "
                "allowed))",
            ],
            id="handler-in-another-tags-module",
        ),
        pytest.param(
            (
                SPEC,
                "      tags: [notes]\n      summary: Delete",
                "      tags: [memo]\n      summary: Delete",
            ),
            [
                "spec/openapi.yaml:48: SAT-API-004 DELETE /notes/{note_id} operationId "
                "delete_note has no handler: students/api/memo.py does not exist, so it has no "
                "delete_note (fix: add `def delete_note(...)` to students/api/memo.py, or "
                "correct the operationId)",
                "students/api/notes.py:27: SAT-API-007 public function delete_note is named by "
                "no operation tagged notes in spec/openapi.yaml; it is the operationId of an "
                "operation tagged memo, whose handler module is students/api/memo.py (fix: add "
                "its operation to the spec (operationId: delete_note, tags: [notes]), or make "
                "it a private helper: _delete_note (names with a leading underscore are "
                "allowed))",
            ],
            id="module-missing",
        ),
        pytest.param(
            (
                SPEC,
                "      tags: [notes]\n      summary: Delete",
                "      summary: Delete",
            ),
            [
                "spec/openapi.yaml:48: SAT-API-004 DELETE /notes/{note_id} (delete_note) has no "
                "tag, so no handler module (fix: add `tags: [<resource>]`; the first tag names "
                "students/api/<tag>.py)",
                f"students/api/notes.py:27: SAT-API-007 public function delete_note {UNNAMED} "
                "(fix: add its operation to the spec (operationId: delete_note, tags: [notes]), "
                "or make it a private helper: _delete_note (names with a leading underscore "
                "are allowed))",
            ],
            id="no-tag",
        ),
    ],
)
def test_handlers(
    service: Path, run_main, edit: tuple[str, str | None, str], expected: list[str]
) -> None:
    """Operations and handler functions must match both ways (SAT-API-004, SAT-API-007)."""
    name, old, new = edit
    if old is None:
        (service / name).write_text(new)
    else:
        text = (service / name).read_text()
        assert old in text
        (service / name).write_text(text.replace(old, new))
    output = "".join(line + "\n" for line in expected)
    assert run_main(handlers.main, []) == (1 if expected else 0, output, "")
    spec_path, package = Path(SPEC), Path("students")
    assert [str(f) for f in handlers.check_handlers(spec_path, package)] == expected


@pytest.mark.parametrize(
    ("argv", "expected_err"),
    [
        pytest.param(
            ["--spec", "nope.yaml"],
            "error: no such file: nope.yaml (fix: pass existing files, or run the hook through "
            "pre-commit, which passes only files that exist)\n",
            id="missing-spec",
        ),
        pytest.param(
            ["--package", "spec"],
            "error: --package spec is not a Python package (no __init__.py) (fix: pass the "
            "folder that holds app.py and api/)\n",
            id="not-a-package",
        ),
    ],
)
def test_handlers_usage_errors(
    service: Path, run_main, argv: list[str], expected_err
) -> None:
    """A missing spec or a wrong --package is a usage error (exit 2)."""
    assert run_main(handlers.main, argv) == (2, "", expected_err)


def test_no_package_found(workdir: Path, run_main) -> None:
    """Outside a service the hook says what it looked for (exit 2)."""
    write(workdir, {SPEC: "openapi: 3.1.0\npaths: {}\n"})
    code, out, err = run_main(handlers.main, [])
    assert (code, out) == (2, "")
    assert err == (
        "error: expected one service package (a folder with __init__.py and api/ or app.py) "
        f"under {workdir.resolve()}, found none (fix: run from the service root or pass "
        "--package NAME)\n"
    )


@pytest.mark.parametrize(
    ("edit", "today", "expected"),
    [
        pytest.param(
            (
                "students/api/notes.py",
                'is_enabled("notes-search")',
                'is_enabled("note-search")',
            ),
            "2026-11-27",
            [
                "students/api/notes.py:14: SAT-FLG-001 flag 'note-search' is referenced but not "
                "declared in students/flags.py (fix: declare it there or fix the key)",
                "students/flags.py:6: SAT-FLG-002 flag 'notes-search' is declared but never "
                "referenced (fix: remove the declaration and its stored rules, or use the flag)",
            ],
            id="undeclared-and-unused",
        ),
        pytest.param(
            None,
            "2027-04-01",
            [
                "students/flags.py:6: SAT-FLG-003 release flag 'notes-search' expired on "
                "2027-03-31 (fix: finish the rollout and remove the flag, or move expires with "
                "the owner's agreement)"
            ],
            id="expired",
        ),
        pytest.param(
            ("students/flags.py", '        expires="2027-03-31",\n', ""),
            "2026-11-27",
            [
                "students/flags.py:6: SAT-FLG-004 release flag 'notes-search' has no owner or no "
                "expiry (fix: add owner='team-...' and expires='YYYY-MM-DD')"
            ],
            id="no-expiry",
        ),
    ],
)
def test_flags(service: Path, run_main, edit, today: str, expected: list[str]) -> None:
    """Flag hygiene findings come out in the hook's format, through check and main."""
    if edit:
        name, old, new = edit
        text = (service / name).read_text()
        assert old in text
        (service / name).write_text(text.replace(old, new))
    assert run_main(flags.main, ["--today", today]) == (
        1,
        "\n".join(expected) + "\n",
        "",
    )
    findings = flags.check_flags(
        Path("students/flags.py"), Path("students"), date.fromisoformat(today)
    )
    assert [str(f) for f in findings] == expected


def test_flags_module_unparsable(service: Path, run_main) -> None:
    """A flags module that does not parse is SAT-STD-001, not a traceback."""
    (service / "students/flags.py").write_text("FLAGS = (\n")
    code, out, err = run_main(flags.main, [])
    assert (code, err) == (1, "")
    assert out.startswith("students/flags.py:1: SAT-STD-001 does not parse as Python: ")


def test_flags_module_missing(service: Path, run_main) -> None:
    """A service without a flags module is told where to declare flags (exit 2)."""
    (service / "students/flags.py").unlink()
    assert run_main(flags.main, []) == (
        2,
        "",
        "error: no flags module at students/flags.py (fix: declare the service's flags in "
        "students/flags.py, or pass --flags-module PATH)\n",
    )


CRUFT_FIX = (
    "(fix: regenerate the record with `cruft link <template-url>` (or restore .cruft.json "
    "from git))"
)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            None,
            f".cruft.json:1: SAT-TPL-001 service has no .cruft.json {CRUFT_FIX}",
            id="missing",
        ),
        pytest.param(
            '{"template": "x"}',
            f".cruft.json:1: SAT-TPL-001 .cruft.json has no commit " f"{CRUFT_FIX}",
            id="no-commit",
        ),
        pytest.param(
            "[]",
            f".cruft.json:1: SAT-TPL-001 .cruft.json has no template or commit "
            f"{CRUFT_FIX}",
            id="not-an-object",
        ),
        pytest.param(
            '{\n"template": }',
            f".cruft.json:2: SAT-STD-001 is not valid JSON: "
            f"Expecting value {CRUFT_FIX}",
            id="not-json",
        ),
    ],
)
def test_cruft(workdir: Path, run_main, content: str | None, expected: str) -> None:
    """A missing or incomplete .cruft.json is SAT-TPL-001."""
    if content is not None:
        write(workdir, {".cruft.json": content})
    assert run_main(template_drift.main, []) == (1, expected + "\n", "")


def test_handlers_found_through_any_binding(service: Path, run_main) -> None:
    """A handler may be defined, imported or assigned; an operation without an id is skipped."""
    write(
        service,
        {
            "students/api/notes.py": """
                from students.api.shared import list_notes
                from students.api import shared as create_note

                delete_note: object = None
                """,
            "students/api/shared.py": "",
        },
    )
    spec = service / SPEC
    spec.write_text(
        spec.read_text().replace("operationId: create_note", "summary: no id")
    )
    assert run_main(handlers.main, []) == (0, "", "")


def test_several_packages_need_package_option(service: Path, run_main) -> None:
    """With two candidate packages the hook asks for --package; with it, it runs."""
    write(service, {"other/__init__.py": "", "other/app.py": ""})
    code, _, err = run_main(handlers.main, [])
    assert code == 2
    assert (
        "found other, students (fix: run from the service root or pass --package NAME)"
        in err
    )
    assert run_main(handlers.main, ["--package", "students"]) == (0, "", "")
