"""``satchel adopt``: a Connexion service reported, linked to the template, then served."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from satchel_kit.cli import main
from tests.connexion.ports import copy_example, isolated_imports
from tests.kit import BIN, tool_env

pytestmark = pytest.mark.filterwarnings(
    "ignore:Using .httpx. with .starlette.testclient.",  # Connexion's import, not ours
    "ignore::DeprecationWarning",
    "ignore:.*declarative_base.*",
)


@pytest.fixture
def service(tmp_path) -> Path:
    """A copy of Connexion's SQLAlchemy example as a one-commit git repository."""
    root = copy_example("sqlalchemy", tmp_path / "pet-shop", ported=False)
    for command in (["init", "-q"], ["add", "-A"], ["commit", "-qm", "Pet shop"]):
        subprocess.run(["git", *command], cwd=root, check=True, env=tool_env())
    return root


@pytest.fixture
def forget_service_modules(tmp_path):
    """Drop the modules a run imported from the service (every example has an ``app``)."""
    before = set(sys.modules)
    yield
    for name in set(sys.modules) - before:
        if str(tmp_path) in (getattr(sys.modules[name], "__file__", "") or ""):
            del sys.modules[name]


def test_adopt_then_serve_on_satchel(service, kit_repo):
    """The guide end to end: adopt reports and links, one import line later it serves alike."""
    handlers = (service / "app.py").read_bytes()
    done = subprocess.run(
        [BIN / "satchel", "adopt", str(service), "--kit", str(kit_repo)],
        capture_output=True,
        text=True,
        env=tool_env(),
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout
    assert "    ok PUT /pets/{pet_id} -> app.put_pet" in out
    assert out.count("    ok ") == 8  # four operations, in both specs
    assert "  Pipfile: added from the template" in out
    assert "Standards report (satchel-standards):" in out
    assert "  [ ] app.py:59: build the app with satchel:" in out
    assert "SAT-API-004, SAT-API-007 check satchel's own handler layout" in out
    cruft = json.loads((service / ".cruft.json").read_text())
    assert cruft["template"] == str(kit_repo) and cruft["directory"] == "template"
    assert 'satchel = {path = "' in (service / "Pipfile").read_text()
    assert "satchel-spec" in (service / ".pre-commit-config.yaml").read_text()
    assert (service / "app.py").read_bytes() == handlers
    # The checklist's first item: the import line, and nothing else, changes.
    source = (service / "app.py").read_text()
    ported = source.replace(
        "import connexion\n",
        "from satchel.api import connexion_compat as connexion\n",
        1,
    )
    (service / "app.py").write_text(ported)
    with isolated_imports(service):
        import app  # the service's module, as its server imports it

        client = app.app.test_client()
    pets = client.get("/openapi/pets?animal_type=cat")
    assert pets.status_code == 200
    assert [pet["name"] for pet in pets.get_json()] == ["Aldo", "Hugo"]
    assert (
        client.put(
            "/openapi/pets/9", json={"name": "Rex", "animal_type": "dog"}
        ).status_code
        == 201
    )


def test_non_connexion_repository_is_refused(tmp_path):
    """A repository with no Connexion app: exit 1 and a message saying so."""
    (tmp_path / "main.py").write_text(
        "from flask import Flask\napp = Flask(__name__)\n"
    )
    result = CliRunner().invoke(main, ["adopt", str(tmp_path)])
    assert result.exit_code == 1
    assert (
        f"Error: {tmp_path} is not a Connexion service: no connexion.FlaskApp("
        in result.output
    )


def test_unresolvable_handlers_are_named_and_nothing_written(
    service, forget_service_modules
):
    """Each operation with a missing handler is named with what was looked for; no file written."""
    spec = service / "spec" / "openapi.yaml"
    spec.write_text(
        spec.read_text()
        .replace("operationId: app.get_pets", "operationId: app.list_pets")
        .replace("operationId: app.delete_pet", "operationId: handlers.delete_pet")
    )
    result = CliRunner().invoke(main, ["adopt", str(service)])
    assert result.exit_code == 1
    lines = result.output.splitlines()
    heading = (
        "Error: 2 operation(s) name handlers that cannot be found; nothing was changed."
    )
    assert lines[-3].startswith(heading)
    assert lines[-2].endswith(
        "spec/openapi.yaml:9: GET /pets app.list_pets: "
        "looked for app.list_pets: app has no attribute list_pets"
    )
    assert lines[-1].endswith(
        "DELETE /pets/{pet_id} handlers.delete_pet: "
        "looked for handlers.delete_pet: module handlers does not exist"
    )
    assert not (service / ".cruft.json").exists()


def test_report_only_changes_nothing(service, forget_service_modules):
    """--report-only prints the operations and writes no file."""
    result = CliRunner().invoke(main, ["adopt", str(service), "--report-only"])
    assert result.exit_code == 0, result.output
    assert "    ok GET /pets -> app.get_pets" in result.output
    assert not (service / "Pipfile").exists()
    status = subprocess.run(
        ["git", "status", "--porcelain"], cwd=service, capture_output=True
    )
    assert status.stdout == b""


def test_missing_spec_and_broken_module_are_reported(service, forget_service_modules):
    """A missing spec file stops adopt; a module failing to import is reported with its error."""
    app = service / "app.py"
    app.write_text(app.read_text().replace('"swagger.yaml"', '"missing.yaml"'))
    result = CliRunner().invoke(main, ["adopt", str(service), "--report-only"])
    assert result.exit_code == 1
    assert "missing.yaml: the spec cannot be read:" in result.output
    app.write_text(
        "import connexion\n"
        "raise RuntimeError('no database')\n"
        'app = connexion.FlaskApp(__name__, specification_dir="spec")\n'
        'app.add_api("openapi.yaml")\n'
    )
    result = CliRunner().invoke(main, ["adopt", str(service), "--report-only"])
    assert result.exit_code == 1
    assert (
        "GET /pets app.get_pets: looked for app.get_pets: importing it failed: "
        "RuntimeError: no database" in result.output
    )


@pytest.mark.parametrize(
    "example, expected",
    [
        (
            "restyresolver",
            [
                "    ok GET /pets -> api.pets.search",
                "    ok POST /pets -> api.pets.post",
                "    !! GET /pets/{id} -> api.pets.get: handler does not accept the path "
                "parameter(s) id; add them to its parameters",
            ],
        ),
        (
            "methodresolver",
            [
                "    ok GET /pets/{petId} -> api.PetsView.get",
                "    ok DELETE /pets/{petId} -> ",
            ],
        ),
    ],
    ids=["resty", "method-view"],
)
def test_resolver_written_in_add_api_is_used(
    example, expected, tmp_path, forget_service_modules
):
    """The resolver named in add_api(resolver=...) decides which handler each operation gets."""
    root = copy_example(example, tmp_path / example, ported=False)
    result = CliRunner().invoke(main, ["adopt", str(root), "--report-only"])
    assert result.exit_code == 0, result.output
    for line in expected:
        assert any(out.startswith(line) for out in result.output.splitlines()), line
