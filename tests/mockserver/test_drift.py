"""`satchel-mock drift`: breaking changes limited to the operations the service calls."""

from __future__ import annotations

import json
import shutil
import textwrap
from pathlib import Path

import pytest
import yaml

from mockserver.cli.main import main
from mockserver.drift.calls import scan_calls
from mockserver.drift.compare import Change, compare
from satchel.openapi import load_spec
from tests.mockserver.conftest import free_port
from tests.mockserver.recording import real_students

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
    assert scan_calls(ATTENDANCE, "students").operations == {"list_class_pupils"}
    assert scan_calls(ATTENDANCE, "billing").operations == set()


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


def service_with(folder: Path, files: dict[str, str]) -> Path:
    """Copy attendance's mocks into ``folder`` with the given client code; return mocks.yaml."""
    shutil.copytree(ATTENDANCE / "mocks", folder / "mocks")
    shutil.copy(ATTENDANCE / "mocks.yaml", folder / "mocks.yaml")
    for name, text in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(textwrap.dedent(text))
    return folder / "mocks.yaml"


def drift_in(capsys, config: Path, *args: str) -> tuple[int, list[str], list[str]]:
    code = main(["drift", "students", "--config", str(config), *args])
    out, err = capsys.readouterr()
    return code, out.splitlines(), err.splitlines()


NAMED_INDIRECTLY = {
    "app/names.py": 'PUPILS_OP = "list_class_pupils"\n',
    "app/base.py": """
        from satchel.clients import NeighbourClient

        STUDENTS = "students"


        class Base(NeighbourClient):
            neighbour = STUDENTS
    """,
    "app/students.py": """
        from .base import Base
        from .names import PUPILS_OP

        CLASSES = "list_classes"


        class StudentsClient(Base):
            GET_PUPIL = "get_pupil"

            def pupils(self, class_id):
                return self.call(PUPILS_OP, path={"class_id": class_id})

            def classes(self):
                return self.call(CLASSES)

            def pupil(self, pupil_id):
                return self.call(self.GET_PUPIL, path={"pupil_id": pupil_id})

            def _send(self, operation_id, **parts):
                return self.call(operation_id, **parts)

            def add(self, class_id, body):
                return self._send("add_pupil", path={"class_id": class_id}, json=body)

            def move(self, pupil_id, to):
                operation = "move_pupil"
                return self.call(operation, path={"pupil_id": pupil_id}, json={"class_id": to})


        def unrelated():
            import subprocess

            return subprocess.call(["true"])  # not a neighbour call: ignored
    """,
}


def test_operations_named_by_constants_variables_and_parameters_are_found(tmp_path):
    """Module, imported and class constants, locals and helper parameters all resolve."""
    service_with(tmp_path, NAMED_INDIRECTLY)
    scan = scan_calls(tmp_path, "students", {"get_pupil"})
    assert scan.operations == {
        "list_class_pupils", "list_classes", "get_pupil", "add_pupil", "move_pupil"
    }  # fmt: skip
    assert scan.unresolved == ()
    assert scan.clients == (f"{tmp_path / 'app' / 'students.py'}:8 StudentsClient",)
    # Outside any client, a .call() counts only for the neighbour's own operations.
    assert scan_calls(tmp_path, "billing", {"list_classes"}).operations == set()


def test_a_moved_path_under_a_constant_is_breaking(capsys, tmp_path):
    """The operationId in a constant: drift still sees the call and fails on the change."""
    config = service_with(tmp_path, NAMED_INDIRECTLY)
    doc = yaml.safe_load(VENDORED.read_text())
    moved = doc["paths"].pop("/classes/{class_id}/pupils")
    moved["get"].setdefault("parameters", []).append(
        {
            "name": "X-School",
            "in": "header",
            "required": True,
            "schema": {"type": "string"},
        }
    )
    doc["paths"]["/classes/{class_id}/members"] = moved
    current = tmp_path / "current.yaml"
    current.write_text(yaml.safe_dump(doc, sort_keys=False))
    code, out, err = drift_in(capsys, config, "--against", str(current))
    assert (code, err) == (1, [])
    assert out[0] == (
        "operations called: add_pupil, get_pupil, list_class_pupils, list_classes, move_pupil"
    )
    assert out[1:3] == [
        "breaking: list_class_pupils: moved from GET /v1/classes/{class_id}/pupils to "
        "GET /v1/classes/{class_id}/members",
        "breaking: list_class_pupils: new required header parameter X-School",
    ]
    assert (
        "breaking: add_pupil: moved from POST /v1/classes/{class_id}/pupils to "
        in "\n".join(out)
    )


def test_a_call_drift_cannot_read_stops_it_with_exit_2(capsys, tmp_path):
    """An operation computed at run time is listed with its place; drift never says ok."""
    config = service_with(tmp_path, {
        "app/students.py": """
            from satchel.clients import NeighbourClient


            class StudentsClient(NeighbourClient):
                neighbour = "students"

                def pupils(self, class_id):
                    return self.call("list_class_pupils", path={"class_id": class_id})

                def any(self, name):
                    return self.call(name.lower())
        """,
    })  # fmt: skip
    code, out, err = drift_in(capsys, config, "--against", str(VENDORED))
    assert code == 2
    assert out == ["operations called: list_class_pupils"]
    assert err == [
        f"unresolved: {tmp_path / 'app' / 'students.py'}:12: self.call(name.lower()): "
        "name.lower() is computed at run time",
        "incomplete: 1 call(s) name their operation in a way drift cannot read, so their "
        "operations were not compared. Name the operation with a string or a constant, or "
        "run with --all.",
    ]


def test_no_call_found_is_could_not_run_naming_where_it_looked(capsys, tmp_path):
    """Finding no call at all is exit 2 with what was scanned, never "ok"."""
    config = service_with(
        tmp_path, {"app/handlers.py": "def handler():\n    return 1\n"}
    )
    code, out, err = drift_in(capsys, config, "--against", str(VENDORED))
    assert (code, out) == (2, [])
    assert err == [
        f"drift could not run: found no call to a students operation in {tmp_path} "
        '(1 Python file(s) scanned; classes declaring neighbour = "students": none; '
        ".call(...) calls read: 0). Point --code at the service's code, add --journal "
        "FILE|URL, or compare --all."
    ]


@pytest.mark.parametrize(
    "against, message",
    [
        ("http://127.0.0.1:{port}/openapi.yaml",
         "cannot fetch http://127.0.0.1:{port}/openapi.yaml: connection refused or host "
         "unreachable."),
        ("{tmp}/missing.yaml", "--against {tmp}/missing.yaml: no such file."),
        ("{tmp}/broken.yaml", "cannot load the spec at {tmp}/broken.yaml: "),
    ],
    ids=["unreachable-url", "missing-file", "not-a-spec"],
)  # fmt: skip
def test_drift_that_cannot_run_says_why_with_exit_2(capsys, tmp_path, against, message):
    """An unreachable URL or unreadable spec is one line and exit 2, not a traceback."""
    (tmp_path / "broken.yaml").write_text("openapi: [\n")
    port = free_port()
    fill = {"port": port, "tmp": tmp_path}
    code, out, err = run_err(capsys, "--against", against.format(**fill))
    assert (code, len(err)) == (2, 1), err
    assert err[0].startswith(f"drift could not run: {message.format(**fill)}")
    assert "Traceback" not in "\n".join(out + err)


def run_err(capsys, *args: str) -> tuple[int, list[str], list[str]]:
    return drift_in(capsys, ATTENDANCE / "mocks.yaml", *args)


def test_drift_fetches_the_current_spec_from_the_real_service(capsys, tmp_path):
    """--against the real students' /openapi.json: the same spec, so nothing breaks."""
    with real_students(tmp_path) as url:
        code, out, err = run_err(capsys, "--against", f"{url}/openapi.json")
    assert (code, err) == (0, [])
    assert out == [
        "operations called: list_class_pupils",
        "ok: no breaking changes in the operations called",
    ]


def edited(tmp_path: Path, edit) -> Path:
    doc = yaml.safe_load(VENDORED.read_text())
    edit(doc)
    path = tmp_path / "edited.yaml"
    path.write_text(yaml.safe_dump(doc, sort_keys=False))
    return path


def _api_key(doc: dict) -> None:
    doc["components"]["securitySchemes"] = {
        "apiKeyAuth": {"type": "apiKey", "in": "header", "name": "X-API-Key"}
    }
    doc["security"] = [{"apiKeyAuth": []}]


def _renamed(doc: dict) -> None:
    schemes = doc["components"]["securitySchemes"]
    schemes["jwt"] = schemes.pop("bearerAuth")
    doc["security"] = [{"jwt": []}]


def _oauth_scope(doc: dict, scopes: list[str]) -> None:
    doc["components"]["securitySchemes"]["bearerAuth"] = {
        "type": "oauth2",
        "flows": {
            "clientCredentials": {"tokenUrl": "/token", "scopes": {"pupils": "read"}}
        },
    }
    doc["security"] = [{"bearerAuth": scopes}]


@pytest.mark.parametrize(
    "edit, expected",
    [
        (_api_key, [("security changed: a call sending bearerAuth (Authorization: Bearer "
                     "<token>) is refused; the neighbour now requires apiKeyAuth (X-API-Key "
                     "header)", True)]),
        (_renamed, []),
        (lambda d: d["paths"]["/classes/{class_id}/pupils"]["get"].update(security=[]),
         [("no longer requires a credential", False)]),
        (lambda d: _oauth_scope(d, ["pupils"]),
         [("security changed: a call sending bearerAuth (Authorization: Bearer <token>) is "
           "refused; the neighbour now requires bearerAuth (Authorization: Bearer <token>); "
           "it now also needs scope(s) pupils", True)]),
    ],
    ids=["bearer-to-api-key", "scheme-renamed", "security-dropped", "scope-added"],
)  # fmt: skip
def test_security_changes_of_a_called_operation(tmp_path, edit, expected):
    """Where the credential travels and its scopes count; the scheme's name does not."""
    changes = compare(
        load_spec(VENDORED), load_spec(edited(tmp_path, edit)), {"list_class_pupils"}
    )
    assert [(c.message, c.breaking) for c in changes] == expected


def test_security_newly_required_is_breaking(tmp_path):
    """An operation that took no credential and now requires one breaks the caller."""
    doc = yaml.safe_load(VENDORED.read_text())
    doc["paths"]["/classes/{class_id}/pupils"]["get"]["security"] = []
    before = tmp_path / "before.yaml"
    before.write_text(yaml.safe_dump(doc, sort_keys=False))
    changes = compare(load_spec(before), load_spec(VENDORED), {"list_class_pupils"})
    assert [(c.message, c.breaking) for c in changes] == [
        ("now requires a credential: bearerAuth (Authorization: Bearer <token>)", True)
    ]


def _all_of(doc: dict) -> None:
    schemas = doc["components"]["schemas"]
    pupil = schemas.pop("Pupil")
    schemas["PupilBase"] = {
        "type": "object",
        "required": ["id", "given_name", "family_name"],
        "properties": {
            k: pupil["properties"][k] for k in ("id", "given_name", "family_name")
        },
    }
    schemas["Pupil"] = {
        "allOf": [
            {"$ref": "#/components/schemas/PupilBase"},
            {"type": "object", "required": ["class_id"],
             "properties": {"class_id": pupil["properties"]["class_id"]}},
        ]
    }  # fmt: skip


def _one_of(doc: dict, keep_family: bool) -> None:
    schemas = doc["components"]["schemas"]
    pupil = schemas["Pupil"]
    day = {**pupil, "properties": dict(pupil["properties"])}
    boarder = {
        **pupil,
        "properties": {**pupil["properties"], "house": {"type": "string"}},
    }
    if not keep_family:
        for variant in (day, boarder):
            del variant["properties"]["family_name"]
            variant["required"] = [r for r in variant["required"] if r != "family_name"]
    schemas["Pupil"] = {"oneOf": [day, boarder]}


@pytest.mark.parametrize(
    "edit, expected",
    [
        (_all_of, []),
        (lambda d: _one_of(d, keep_family=True), []),
        (lambda d: _one_of(d, keep_family=False),
         ["list_class_pupils: response 200.items[].family_name removed"]),
    ],
    ids=["allOf-wrapped", "oneOf-variants", "field-gone-from-every-variant"],
)  # fmt: skip
def test_compositions_are_compared_as_what_they_allow(tmp_path, edit, expected):
    """Wrapping in allOf or oneOf removes nothing; a field gone from every variant is."""
    changes = compare(
        load_spec(VENDORED), load_spec(edited(tmp_path, edit)), {"list_class_pupils"}
    )
    assert [f"{c.operation}: {c.message}" for c in changes if c.breaking] == expected


def test_recordings_that_break_under_the_new_spec_are_named_at_their_line(
    capsys, tmp_path
):
    """drift re-checks recordings.yaml against the new spec and names its own file and line."""
    config = service_with(tmp_path, {})
    recordings = tmp_path / "mocks" / "students" / "recordings.yaml"
    recordings.write_text(textwrap.dedent("""\
        recordings:
          - operation: list_class_pupils
            request: {method: GET, path: /v1/classes/1/pupils, credential: accepted}
            answers:
              - status: 200
                media_type: application/json
                body:
                  class: {id: 1, name: 4B, year_group: 4}
                  items: [{id: 1, class_id: 1, given_name: Ada, family_name: Lovelace}]
    """))  # fmt: skip
    current = edited(tmp_path, lambda d: d["components"]["schemas"]["Pupil"].update(
        additionalProperties=False, properties={
            k: v for k, v in d["components"]["schemas"]["Pupil"]["properties"].items()
            if k != "family_name"},
        required=["id", "class_id", "given_name"]))  # fmt: skip
    code, out, _ = drift_in(
        capsys, config, "--against", str(current), "--code", str(ATTENDANCE)
    )
    assert code == 1
    assert (
        f"invalid against the new spec: {recordings}:5: the inline body for list_class_pupils "
        "200 does not match the spec: /items/0: Additional properties are not allowed "
        "('family_name' was unexpected). Fix the example or overlay so that it validates "
        "against the schema." in out
    )
