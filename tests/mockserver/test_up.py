"""``satchel-mock up``: many neighbours (own ports and one port by Host), scenarios, hot reload."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import requests

from mockserver.cli.pin import pin_digests
from tests.mockserver.conftest import MOCK, free_port


def make_service(
    folder: Path, pets_port: int, shared_port: int, zoo_port: int | None = None
) -> Path:
    """Write a service folder: pets and zoo on their own ports, students and billing by Host."""
    for name, spec in (
        ("pets", "petstore.yaml"),
        ("students", "swagger2.yaml"),
        ("billing", "openapi31.yaml"),
    ):
        (folder / "mocks" / name).mkdir(parents=True)
        shutil.copy(MOCK / spec, folder / "mocks" / name / "openapi.yaml")
    shutil.copy(
        MOCK / "petstore-overlay.yaml", folder / "mocks" / "pets" / "overlay.yaml"
    )
    shutil.copytree(MOCK / "multifile", folder / "mocks" / "zoo")
    (folder / "mocks.yaml").write_text(
        f"port: {shared_port}\n"
        "neighbours:\n"
        "  - name: pets\n"
        "    spec: mocks/pets/openapi.yaml\n"
        "    overlay: mocks/pets/overlay.yaml\n"
        f"    port: {pets_port}\n"
        "  - name: students\n"
        "    spec: mocks/students/openapi.yaml\n"
        "    host: students.localhost\n"
        "  - name: billing\n"
        "    spec: mocks/billing/openapi.yaml\n"
        "    host: billing.localhost\n"
        "  - name: zoo\n"
        "    spec: mocks/zoo/openapi.yaml\n"
        f"    port: {zoo_port or free_port()}\n"
    )
    pin_digests(folder / "mocks.yaml")
    return folder


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """Run ``satchel-mock up`` once for the module, starting pets in the 'empty' scenario."""
    from tests.mockserver.conftest import start_mock

    folder = tmp_path_factory.mktemp("service")
    ports = (free_port(), free_port(), free_port())
    make_service(folder, *ports)
    mock = start_mock(
        ["up", "--scenario", "pets=empty"], ports, folder / "up.log", folder
    )
    yield mock
    assert mock.stop() == 0


@pytest.mark.parametrize(
    "port_index, host, path, expected",
    [
        (0, None, "/health", {"status": "pets-ok"}),
        (1, "students.localhost", "/api/v1/health", {"status": "students-ok"}),
        (1, "billing.localhost:4010", "/v2/health", {"status": "billing-ok"}),
        (1, "demo.students.localhost", "/api/v1/health", {"status": "students-ok"}),
        (2, None, "/zoo/animals/404", None),
    ],
    ids=[
        "own-port",
        "by-host",
        "by-host-with-port",
        "by-tenant-sub-domain",
        "second-own-port-relative-refs",
    ],
)
def test_neighbours_answer_on_their_real_paths(
    service, port_index, host, path, expected
):
    """Each neighbour answers its own spec's paths, without any invented prefix."""
    headers = {"Host": host} if host else {}
    url = f"http://127.0.0.1:{service.ports[port_index]}{path}"
    response = requests.get(url, headers=headers, timeout=5)
    assert response.status_code == 200
    if expected is not None:
        assert response.json() == expected


def test_unknown_host_on_shared_port(service):
    """A Host that no neighbour uses gets a 404 problem listing the hosts."""
    url = f"http://127.0.0.1:{service.ports[1]}/v2/health"
    response = requests.get(url, headers={"Host": "nobody.localhost"}, timeout=5)
    assert response.status_code == 404
    assert response.json()["detail"] == (
        f"no neighbour is served for this Host on port {service.ports[1]}; send Host: one of "
        "students.localhost, billing.localhost."
    )


def test_scenarios_from_cli_and_admin(service):
    """--scenario starts one; PUT /__satchel/scenario switches it and null turns it off."""
    pets = f"http://127.0.0.1:{service.ports[0]}"
    assert requests.get(pets + "/pets", timeout=5).json() == []
    admin = pets + "/__satchel/scenario"
    assert requests.get(admin, timeout=5).json() == {"pets": "empty"}
    switched = requests.put(admin, json={"scenario": "outage"}, timeout=5)
    assert switched.json() == {"pets": "outage"}
    down = requests.get(pets + "/pets/1", timeout=5)
    assert (down.status_code, down.headers["Retry-After"]) == (503, "30")
    unknown = requests.put(
        admin, json={"neighbour": "pets", "scenario": "nope"}, timeout=5
    )
    assert unknown.status_code == 404
    assert (
        unknown.json()["detail"] == "pets has no scenario 'nope'; known: outage, empty."
    )
    requests.put(admin, json={"scenario": None}, timeout=5)
    assert requests.get(pets + "/pets/1", timeout=5).status_code == 200


@pytest.mark.parametrize(
    "method, path, body, status, detail",
    [
        (
            "PUT",
            "/__satchel/scenario",
            b"[]",
            400,
            'send a JSON object such as {"neighbour": "students", "scenario": "outage"} '
            '("scenario": null switches scenarios off).',
        ),
        (
            "DELETE",
            "/__satchel/health",
            None,
            405,
            "/__satchel/health accepts GET, not DELETE.",
        ),
        (
            "GET",
            "/__satchel/nope",
            None,
            404,
            "no admin endpoint /__satchel/nope; there are /__satchel/, /__satchel/health, "
            "/__satchel/scenario, "
            "/__satchel/reload, /__satchel/journal, /__satchel/coverage, /__satchel/faults, "
            "/__satchel/state.",
        ),
    ],
    ids=["bad-scenario-body", "wrong-method", "unknown-endpoint"],
)
def test_admin_errors(service, method, path, body, status, detail):
    """Admin mistakes answer problem+json saying what to send instead."""
    url = f"http://127.0.0.1:{service.ports[0]}{path}"
    response = requests.request(method, url, data=body, timeout=5)
    assert response.status_code == status
    assert response.json()["detail"] == detail


def test_shared_port_scenario_needs_a_neighbour(service):
    """On a port serving several neighbours, switching a scenario must name one."""
    url = f"http://127.0.0.1:{service.ports[1]}/__satchel/scenario"
    response = requests.put(url, json={"scenario": None}, timeout=5)
    assert response.status_code == 400
    assert response.json()["detail"] == "name the neighbour: one of students, billing."


def test_hot_reload_and_broken_file_keeps_old_version(up_mock, tmp_path):
    """Changing an overlay changes the answer; breaking it keeps the last good version."""
    folder = tmp_path / "svc"
    folder.mkdir()
    ports = (free_port(), free_port())
    make_service(folder, *ports)
    mock = up_mock(folder, ports)
    url = f"http://127.0.0.1:{ports[0]}/pets/7"
    assert requests.get(url, timeout=5).json() == {"id": 1, "name": "Rex", "tag": "dog"}
    overlay = folder / "mocks" / "pets" / "overlay.yaml"
    mock.wait_for_log("watching")
    mock.rewrite_until(
        overlay,
        "rules:\n  - operation: showPetById\n    when: {path: {petId: '7'}}\n"
        "    respond: {status: 200, example: tom}\n",
        "reloaded",
    )
    assert requests.get(url, timeout=5).json() == {"id": 2, "name": "Tom", "tag": "cat"}
    overlay.write_text(
        "rules:\n  - operation: showPetById\n    respond: {status: 418}\n"
    )
    failed = mock.wait_for_log("reload failed")
    assert failed["error"] == (
        f"{overlay}:2: showPetById declares no 418 response (declared: 200, 404, 503)."
    )
    assert requests.get(url, timeout=5).json() == {"id": 2, "name": "Tom", "tag": "cat"}
    reload = requests.post(f"http://127.0.0.1:{ports[0]}/__satchel/reload", timeout=5)
    assert reload.status_code == 422
    assert reload.json()["detail"].startswith(
        "reload failed, still serving the previous version: "
    )


def test_up_refuses_a_drifted_spec(tmp_path):
    """A spec changed since it was pinned stops `up` with exit 1 and the fix."""
    make_service(tmp_path, free_port(), free_port())
    spec = tmp_path / "mocks" / "students" / "openapi.yaml"
    spec.write_text(spec.read_text() + "\n# edited\n")
    done = subprocess.run(
        [sys.executable, "-m", "mockserver.cli.main", "up"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr.startswith(
        "error: mocks.yaml:8: neighbour 'students': the spec openapi.yaml "
    )
    assert done.stderr.rstrip().endswith(
        "If you re-vendored the spec on purpose, run `satchel-mock pin`."
    )


def test_hot_reload_follows_referenced_files(up_mock, tmp_path):
    """Editing a file the spec reaches only through $ref reloads the neighbour too."""
    folder = tmp_path / "svc"
    folder.mkdir()
    ports = (free_port(), free_port(), free_port())
    make_service(folder, *ports)
    mock = up_mock(folder, ports)
    url = f"http://127.0.0.1:{ports[2]}/zoo/animals/3"
    assert set(requests.get(url, timeout=5).json()["keeper"]) == {"name"}
    mock.wait_for_log("watching")
    keeper = folder / "mocks" / "zoo" / "schemas" / "keeper.yaml"
    mock.rewrite_until(
        keeper,
        "type: object\nrequired: [name, badge]\nproperties:\n"
        "  name: {type: string, minLength: 1}\n  badge: {type: integer, minimum: 1}\n",
        "reloaded",
    )
    assert set(requests.get(url, timeout=5).json()["keeper"]) == {"name", "badge"}
