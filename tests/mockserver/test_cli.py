"""The ``satchel-mock`` command line: help, exit codes, ``check`` and ``pin``."""

from __future__ import annotations

import shutil
import socket

import pytest

from mockserver.cli.main import EXIT_FAILED, EXIT_OK, EXIT_USAGE, main
from tests.mockserver.conftest import MOCK, PETSTORE


def test_help_explains_scenarios_and_overlays(capsys):
    """--help documents the response precedence, overlays and scenarios with examples."""
    assert main(["--help"]) == EXIT_OK
    text = capsys.readouterr().out
    for expected in (
        "satchel-mock up --scenario pets=outage",
        "Prefer: code=404, example=not-found, dynamic=true",
        'when: {path: {petId: "404"}}',
        "POST /__satchel/reload",
    ):
        assert expected in text


@pytest.mark.parametrize(
    "argv, message",
    [
        (["serve", str(PETSTORE)], "Missing option '--port'."),
        (
            ["up", "--scenario", "pets"],
            "Invalid value for --scenario: 'pets' is not NEIGHBOUR=SCENARIO.",
        ),
        (["frobnicate"], "No such command 'frobnicate'."),
    ],
    ids=["missing-port", "bad-scenario", "unknown-command"],
)
def test_usage_errors_exit_2(capsys, argv, message):
    """Wrong usage exits 2 and says what is wrong."""
    assert main(argv) == EXIT_USAGE
    assert message in capsys.readouterr().err


def test_check_ok(capsys):
    """check exits 0 for a valid spec and overlay."""
    argv = [
        "check",
        "--spec",
        str(PETSTORE),
        "--overlay",
        str(MOCK / "petstore-overlay.yaml"),
    ]
    assert main(argv) == EXIT_OK
    assert capsys.readouterr().out == "ok: no problems found\n"


def test_check_lists_every_problem(tmp_path, capsys):
    """check exits 1 and prints one file:line: message per problem, all of them at once."""
    (tmp_path / "mocks" / "pets").mkdir(parents=True)
    spec = tmp_path / "mocks" / "pets" / "openapi.yaml"
    shutil.copy(PETSTORE, spec)
    overlay = tmp_path / "mocks" / "pets" / "overlay.yaml"
    overlay.write_text(
        "rules:\n"
        "  - operation: listPets\n"
        "    respond: {status: 500}\n"
        "  - operation: showPetById\n"
        "    respond: {status: 200, body: {id: 1}}\n"
    )
    config = tmp_path / "mocks.yaml"
    config.write_text(
        "neighbours:\n  - name: pets\n    spec: mocks/pets/openapi.yaml\n"
        "    overlay: mocks/pets/overlay.yaml\n    port: 4101\n"
    )
    assert main(["check", "--config", str(config)]) == EXIT_FAILED
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(
        f"{config}:2: neighbour 'pets' has no digest pin for openapi.yaml."
    )
    assert lines[1:] == [
        f"{overlay}:2: listPets declares no 500 response (declared: 200).",
        f"{overlay}:4: the inline body for showPetById 200 does not match the spec: "
        "/name: 'name' is a required property. Fix the example or overlay so that it validates "
        "against the schema.",
    ]


def test_check_reports_invalid_spec_documents(tmp_path, capsys):
    """A spec that breaks the OpenAPI meta-schema is reported with its line."""
    spec = tmp_path / "bad.yaml"
    spec.write_text(
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
        "      responses:\n        '200': {content: {}}\n"
    )
    assert main(["check", "--spec", str(spec)]) == EXIT_FAILED
    out = capsys.readouterr().out
    assert out.startswith(
        f"{spec}:7: /paths/~1a/get/responses/200: 'description' is a required property"
    )


def test_pin_command(tmp_path, capsys):
    """pin prints each neighbour's new digest and whether it changed."""
    shutil.copy(PETSTORE, tmp_path / "pets.yaml")
    (tmp_path / "mocks.yaml").write_text(
        "neighbours:\n  - name: pets\n    spec: pets.yaml\n    port: 4101\n"
    )
    assert main(["pin", "--config", str(tmp_path / "mocks.yaml")]) == EXIT_OK
    assert capsys.readouterr().out.startswith("pets: pinned sha256:")
    assert main(["pin", "--config", str(tmp_path / "mocks.yaml")]) == EXIT_OK
    assert capsys.readouterr().out.startswith("pets: unchanged sha256:")


def test_serve_missing_config_exits_1(tmp_path, capsys, monkeypatch):
    """up without a mocks.yaml exits 1 with the reason."""
    monkeypatch.chdir(tmp_path)
    assert main(["up"]) == EXIT_FAILED
    assert capsys.readouterr().err == (
        "error: mocks.yaml: file not found. Check the path (it is relative to mocks.yaml).\n"
    )


BROKEN_SPECS = [
    (
        "yaml-syntax",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'\npaths: {}\n",
        "{spec}:3: /: invalid YAML",
    ),
    (
        "missing-ref",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
        "      responses:\n        '200':\n          description: ok\n          content:\n"
        "            application/json:\n              schema: {$ref: '#/components/schemas/A'}\n",
        "{spec}:11: /paths/~1a/get/responses/200/content/application~1json/schema/$ref: "
        "$ref '#/components/schemas/A' does not resolve",
    ),
    (
        "invalid-example",
        "openapi: 3.0.3\ninfo: {title: t, version: '1'}\npaths:\n  /a:\n    get:\n"
        "      operationId: getA\n      responses:\n        '200':\n          description: ok\n"
        "          content:\n            application/json:\n"
        "              schema: {type: integer}\n              example: seven\n",
        "{spec}:8: the example for getA 200 does not match the spec: /: 'seven' is not of "
        "type 'integer'. Fix the example or overlay so that it validates against the schema.",
    ),
]


@pytest.mark.parametrize(
    "text, message", [c[1:] for c in BROKEN_SPECS], ids=[c[0] for c in BROKEN_SPECS]
)
def test_serve_refuses_a_broken_spec(tmp_path, capsys, text, message):
    """A spec that cannot load, or (--strict) whose own example is invalid, stops serve."""
    spec = tmp_path / "openapi.yaml"
    spec.write_text(text)
    assert main(["serve", str(spec), "--port", "1", "--strict"]) == EXIT_FAILED
    assert capsys.readouterr().err.startswith("error: " + message.format(spec=spec))


def test_serve_refuses_a_taken_port(capsys):
    """A port already in use stops serve with exit 1 (granian alone would share it)."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", str(PETSTORE), "--port", str(port)]) == EXIT_FAILED
    assert capsys.readouterr().err == (
        f"error: cannot listen on 127.0.0.1:{port} for petstore: Address already in use. "
        "Stop whatever uses the port (another satchel-mock?) or pick another.\n"
    )
