"""`satchel-mock drift`: breaking changes limited to the operations the service calls."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from mockserver.cli.main import main
from mockserver.drift.compare import Change, compare, used_operations
from satchel.openapi import load_spec

ROOT = Path(__file__).resolve().parents[2]
ATTENDANCE = ROOT / "examples" / "attendance"
VENDORED = ATTENDANCE / "mocks" / "students" / "openapi.yaml"


def changed_spec(folder: Path) -> Path:
    """Write the students spec with breaking changes under and beside attendance's calls."""
    doc = yaml.safe_load(VENDORED.read_text())
    pupils = doc["paths"]["/classes/{class_id}/pupils"]["get"]
    pupils.setdefault("parameters", []).append(
        {"name": "term", "in": "query", "required": True, "schema": {"type": "string"}}
    )
    del pupils["responses"]["404"]
    for item in pupils["responses"]["200"]["content"]["application/json"]["example"][
        "items"
    ]:
        del item["given_name"]
    pupil = doc["components"]["schemas"]["Pupil"]
    del pupil["properties"]["given_name"]
    pupil["required"].remove("given_name")
    doc["components"]["schemas"]["SchoolClass"]["properties"]["year_group"]["enum"] = [
        4,
        5,
    ]
    del doc["paths"]["/pupils/{pupil_id}"]["get"]
    path = folder / "current.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def run(capsys, *args: str) -> tuple[int, list[str]]:
    code = main(
        ["drift", "students", "--config", str(ATTENDANCE / "mocks.yaml"), *args]
    )
    return code, capsys.readouterr().out.splitlines()


def test_the_operations_called_are_read_from_the_clients():
    """attendance's StudentsClient calls list_class_pupils; no other neighbour is called."""
    assert used_operations(ATTENDANCE, "students") == {"list_class_pupils"}
    assert used_operations(ATTENDANCE, "billing") == set()


def test_an_unchanged_spec_passes(capsys):
    """Comparing the vendored spec with itself finds nothing and exits 0."""
    assert run(capsys, "--against", str(VENDORED)) == (
        0,
        [
            "operations called: list_class_pupils",
            "ok: no breaking changes in the operations called",
        ],
    )


def test_breaking_changes_under_our_calls_fail(capsys, tmp_path):
    """Only list_class_pupils is compared; the overlay example for the removed 404 is flagged."""
    code, lines = run(capsys, "--against", str(changed_spec(tmp_path)))
    assert code == 1
    assert lines[:4] == [
        "operations called: list_class_pupils",
        "breaking: list_class_pupils: new required query parameter term",
        "breaking: list_class_pupils: response 200.items[].given_name removed",
        "breaking: list_class_pupils: response 404 removed",
    ]
    assert "get_pupil" not in "\n".join(lines)
    assert any(
        line.startswith("invalid against the new spec: ") and "404" in line
        for line in lines
    )
    assert lines[-1].startswith("3 breaking change(s), ")


def test_every_operation_with_all_and_the_journal(capsys, tmp_path):
    """--all compares every operation; a journal adds the operations it saw."""
    current = str(changed_spec(tmp_path))
    code, lines = run(capsys, "--against", current, "--all")
    assert (
        code == 1 and "breaking: get_pupil: removed from the neighbour's spec" in lines
    )
    journal = tmp_path / "journal.json"
    journal.write_text(json.dumps({"entries": [
        {"neighbour": "students", "operation_id": "get_pupil"},
        {"neighbour": "other", "operation_id": "list_classes"},
    ]}))  # fmt: skip
    code, lines = run(capsys, "--against", current, "--journal", str(journal))
    assert lines[0] == "operations called: get_pupil, list_class_pupils"
    assert "breaking: get_pupil: removed from the neighbour's spec" in lines


@pytest.mark.parametrize(
    "edit, expected",
    [
        (lambda d: d["components"]["schemas"]["PupilInput"]["required"].append("nickname"),
         "add_pupil: request body: new required field nickname"),
        (lambda d: d["components"]["schemas"]["SchoolClass"]["properties"]["id"].update(
            type="string"), "list_classes: response 200.items[].id: type changed from "
         "integer to string"),
        (lambda d: d["paths"]["/classes"]["get"]["responses"].pop("401"),
         "list_classes: response 401 removed"),
    ],
    ids=["new-required-field", "type-change", "status-removed"],
)  # fmt: skip
def test_compare_finds_each_kind_of_break(tmp_path, edit, expected):
    """Each breaking kind is reported on its operation."""
    doc = yaml.safe_load(VENDORED.read_text())
    edit(doc)
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    changes = compare(load_spec(VENDORED), load_spec(path))
    assert expected in [f"{c.operation}: {c.message}" for c in changes if c.breaking]


def test_enum_narrowing_in_a_request_is_breaking(tmp_path):
    """A request enum losing a value breaks callers that send it."""
    doc = yaml.safe_load(VENDORED.read_text())
    schema = doc["components"]["schemas"]["PupilInput"]["properties"]["given_name"]
    old = dict(schema, enum=["Ada", "Alan"])
    doc["components"]["schemas"]["PupilInput"]["properties"]["given_name"] = old
    before = tmp_path / "before.yaml"
    before.write_text(yaml.safe_dump(doc, sort_keys=False))
    old["enum"] = ["Ada"]
    after = tmp_path / "after.yaml"
    after.write_text(yaml.safe_dump(doc, sort_keys=False))
    changes = compare(load_spec(before), load_spec(after), {"add_pupil"})
    assert changes == [
        Change(
            "add_pupil",
            "request body given_name: enum narrowed, no longer accepts 'Alan'",
        )
    ]
