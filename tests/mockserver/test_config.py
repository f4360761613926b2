"""mocks.yaml: the neighbours file, its errors (with file:line) and digest pinning."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from mockserver.cli.pin import pin_digests
from mockserver.core.errors import ConfigError
from mockserver.runtime.config import file_digest, load_config, verify_digest
from tests.mockserver.conftest import MOCK

GOOD = """\
# neighbours of the service under test
port: 4100
neighbours:
  - name: pets
    spec: mocks/pets/openapi.yaml
    port: 4101
  - name: students
    spec: mocks/students/openapi.yaml
    overlay: mocks/students/overlay.yaml
    host: students.localhost
"""


@pytest.fixture
def service(tmp_path: Path) -> Path:
    """Return a service folder with two vendored specs and an overlay."""
    (tmp_path / "mocks" / "pets").mkdir(parents=True)
    (tmp_path / "mocks" / "students").mkdir(parents=True)
    shutil.copy(MOCK / "petstore.yaml", tmp_path / "mocks" / "pets" / "openapi.yaml")
    shutil.copy(
        MOCK / "swagger2.yaml", tmp_path / "mocks" / "students" / "openapi.yaml"
    )
    (tmp_path / "mocks" / "students" / "overlay.yaml").write_text("rules: []\n")
    return tmp_path


def test_load_good_config(service):
    """A valid file gives neighbours with resolved paths, ports and hosts."""
    (service / "mocks.yaml").write_text(GOOD)
    config = load_config(service / "mocks.yaml")
    assert (config.port, config.bind, config.seed) == (4100, "127.0.0.1", 0)
    pets, students = config.neighbours
    assert (pets.name, pets.port, pets.host, pets.line) == ("pets", 4101, None, 4)
    assert pets.spec == (service / "mocks/pets/openapi.yaml").resolve()
    assert (students.host, students.overlay.name) == (
        "students.localhost",
        "overlay.yaml",
    )


BAD = [
    (
        "not-yaml",
        "neighbours: [\n",
        2,
        "invalid YAML: did not find expected node content.",
    ),
    ("not-mapping", "- a\n", 1, "mocks.yaml must be a mapping, not a list."),
    (
        "unknown-top-key",
        "neighbors: []\n",
        1,
        "unknown key 'neighbors' in mocks.yaml. Did you mean 'neighbours'?",
    ),
    (
        "neighbours-not-collection",
        "neighbours: 5\n",
        1,
        "neighbours must map each neighbour's name to its entry (or list entries with name). "
        "Give each neighbour: spec, digest, and port or host.",
    ),
    (
        "bad-name",
        "neighbours:\n  - name: Pets\n    spec: mocks/pets/openapi.yaml\n    port: 1\n",
        2,
        "neighbour name must be lowercase letters, digits and dashes, not 'Pets'.",
    ),
    (
        "missing-spec",
        "neighbours:\n  - name: pets\n    spec: mocks/nope.yaml\n    port: 4101\n",
        3,
        "file not found: mocks/nope.yaml (looked in {root}/mocks).",
    ),
    (
        "port-and-host",
        "neighbours:\n  - name: pets\n    spec: mocks/pets/openapi.yaml\n"
        "    port: 4101\n    host: pets.localhost\n",
        2,
        "neighbour 'pets' needs exactly one of port (its own listener) or host (routed by Host "
        "header on the shared port).",
    ),
    (
        "bad-port",
        "neighbours:\n  - name: pets\n    spec: mocks/pets/openapi.yaml\n    port: 70000\n",
        4,
        "port must be an integer from 1 to 65535, not 70000.",
    ),
    (
        "bad-digest",
        "neighbours:\n  - name: pets\n    spec: mocks/pets/openapi.yaml\n"
        "    digest: md5:abc\n    port: 4101\n",
        4,
        "digest must look like sha256:<64 hex digits>, not 'md5:abc'. Run `satchel-mock pin` to "
        "write it.",
    ),
    (
        "typo-in-neighbour",
        "neighbours:\n  - name: pets\n    spec: mocks/pets/openapi.yaml\n"
        "    prot: 4101\n",
        4,
        "unknown key 'prot' in a neighbour. Did you mean 'port'?",
    ),
    (
        "duplicate-port",
        "neighbours:\n  - name: pets\n    spec: mocks/pets/openapi.yaml\n"
        "    port: 4101\n  - name: kids\n    spec: mocks/students/openapi.yaml\n    port: 4101\n",
        7,
        "port 4101 is already used by neighbour 'pets'.",
    ),
    (
        "strict-not-boolean",
        "neighbours:\n  - name: pets\n    spec: mocks/pets/openapi.yaml\n"
        "    port: 4101\n    strict: yes please\n",
        5,
        "strict must be true or false, not 'yes please'. true refuses a spec with invalid "
        "examples or other flaws; false (the default) serves it and logs each flaw as a "
        "warning.",
    ),
    (
        "errors-not-boolean",
        "neighbours:\n  - name: pets\n    spec: mocks/pets/openapi.yaml\n"
        "    port: 4101\n    errors: always\n",
        5,
        "errors must be true or false, not 'always'. true answers 500 where an answer would "
        "break the spec; false (the default) serves the closest answer, its violations listed "
        "in a header.",
    ),
    (
        "port-is-shared-port",
        "neighbours:\n  - name: pets\n    spec: mocks/pets/openapi.yaml\n"
        "    port: 4010\n  - name: kids\n    spec: mocks/students/openapi.yaml\n    host: kids\n",
        4,
        "port 4010 is the shared port of the host-routed neighbours. Pick another port, or set the "
        "top-level port.",
    ),
]


@pytest.mark.parametrize(
    "text, line, message", [c[1:] for c in BAD], ids=[c[0] for c in BAD]
)
def test_bad_config(service, text, line, message):
    """Each mistake in mocks.yaml is reported with its file, line and a fix."""
    path = service / "mocks.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == f"{path}:{line}: " + message.format(root=service)


def test_missing_config_file(tmp_path):
    """A missing mocks.yaml says so and where it was looked for."""
    with pytest.raises(ConfigError) as caught:
        load_config(tmp_path / "mocks.yaml")
    assert str(caught.value) == (
        f"{tmp_path / 'mocks.yaml'}: file not found. Check the path (it is relative to mocks.yaml)."
    )


def test_pin_then_verify_then_detect_drift(service):
    """pin writes digests in place (comments kept); a changed spec then fails verification."""
    path = service / "mocks.yaml"
    path.write_text(GOOD)
    pins = pin_digests(path)
    assert [(p.name, p.old, p.changed) for p in pins] == [
        ("pets", None, True),
        ("students", None, True),
    ]
    text = path.read_text()
    assert text.startswith("# neighbours of the service under test\n")
    assert f"    spec: mocks/pets/openapi.yaml\n    digest: {pins[0].new}\n" in text
    config = load_config(path)
    for neighbour in config.neighbours:
        verify_digest(neighbour, path)
    spec = service / "mocks/pets/openapi.yaml"
    spec.write_text(spec.read_text() + "\n# re-vendored\n")
    with pytest.raises(ConfigError) as caught:
        verify_digest(load_config(path).neighbours[0], path)
    assert str(caught.value) == (
        f"{path}:4: neighbour 'pets': the spec openapi.yaml has digest {file_digest(spec)}, "
        f"but the pin is {pins[0].new}. "
        "If you re-vendored the spec on purpose, run `satchel-mock pin`."
    )
    again = pin_digests(path)
    assert [p.changed for p in again] == [True, False]
    assert f"digest: {file_digest(spec)}" in path.read_text()


def test_unpinned_neighbour_fails_verification(service):
    """A neighbour without a digest cannot be served until it is pinned."""
    path = service / "mocks.yaml"
    path.write_text(GOOD)
    pets = load_config(path).neighbours[0]
    with pytest.raises(ConfigError) as caught:
        verify_digest(pets, path)
    assert str(caught.value) == (
        f"{path}:4: neighbour 'pets' has no digest pin for openapi.yaml. Run `satchel-mock pin` to "
        f"pin it (digest: {file_digest(pets.spec)})."
    )


def test_mapping_form_as_the_template_writes_it(service):
    """Neighbours keyed by name (the service template's form) read like the list form."""
    path = service / "mocks.yaml"
    template = (
        "neighbours:\n"
        "  pets:\n"
        "    spec: mocks/pets/openapi.yaml\n"
        "    port: 8101\n"
        "  students:\n"
        "    spec: mocks/students/openapi.yaml\n"
        "    port: {students_port}\n"
    )
    path.write_text(template.format(students_port=8101))
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert (
        str(caught.value) == f"{path}:7: port 8101 is already used by neighbour 'pets'."
    )
    path.write_text(template.format(students_port=8102))
    pets, students = load_config(path).neighbours
    assert (pets.name, pets.port, pets.line) == ("pets", 8101, 2)
    assert (students.name, students.port, students.line) == ("students", 8102, 5)
    pins = pin_digests(path)
    expected = f"    spec: mocks/students/openapi.yaml\n    digest: {pins[1].new}\n"
    assert expected in path.read_text()


def test_no_neighbours_is_valid_but_nothing_to_serve(service, capsys):
    """A service without neighbours checks fine; `up` says there is nothing to serve."""
    from mockserver.cli.main import main

    path = service / "mocks.yaml"
    path.write_text("neighbours: {}\n")
    assert load_config(path).neighbours == ()
    assert main(["check", "--config", str(path)]) == 0
    assert (
        capsys.readouterr().out
        == "ok: nothing to check (mocks.yaml lists no neighbours)\n"
    )
    assert main(["up", "--config", str(path)]) == 0
    assert capsys.readouterr().out == (
        f"{path}: nothing to serve: mocks.yaml lists no neighbours "
        "(add an entry per neighbour under `neighbours:`).\n"
    )
