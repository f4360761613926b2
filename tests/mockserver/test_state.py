"""Stateful mode: POST creates, GET reads back, PATCH/PUT update, DELETE removes, per scenario."""

from __future__ import annotations

import pytest
import requests

from mockserver.cli.pin import pin_digests
from mockserver.core.state import Role, infer_roles
from mockserver.harness.inprocess import InProcessMocks
from satchel.openapi import load_spec
from tests.mockserver.conftest import MOCK, PETSTORE, free_port, start_mock


@pytest.fixture(scope="module")
def config(tmp_path_factory):
    """Write a mocks.yaml serving the petstore on a free port."""
    folder = tmp_path_factory.mktemp("stateful")
    port = free_port()
    path = folder / "mocks.yaml"
    path.write_text(
        f"neighbours:\n  pets:\n    spec: {PETSTORE}\n"
        f"    overlay: {MOCK / 'petstore-overlay.yaml'}\n    port: {port}\n"
    )
    pin_digests(path)
    return path, port


def test_collections_are_inferred_from_paths_and_methods():
    """/pets + /pets/{petId} form one collection; other paths have no role."""
    roles = {
        op.operation_id: role for op, role in infer_roles(load_spec(PETSTORE)).items()
    }
    assert roles == {
        "listPets": Role("list", "/pets"),
        "createPet": Role("create", "/pets"),
        "showPetById": Role("read", "/pets", "petId"),
        "deletePet": Role("delete", "/pets", "petId"),
    }


def _lifecycle(base: str) -> list[tuple[int, object]]:
    """Create two pets, read one back, list, delete one, read it again."""
    seen = []
    for name in ("Ada", "Bob"):
        created = requests.post(f"{base}/pets", json={"name": name}, timeout=5)
        seen.append((created.status_code, created.json()))
    read = requests.get(f"{base}/pets/2", timeout=5)
    seen.append((read.status_code, read.json()))
    listed = requests.get(f"{base}/pets", timeout=5)
    seen.append((listed.status_code, listed.json()))
    gone = requests.delete(f"{base}/pets/1", timeout=5)
    seen.append((gone.status_code, gone.content))
    again = requests.get(f"{base}/pets/1", timeout=5)
    seen.append((again.status_code, again.json()))
    return seen


EXPECTED = [
    (201, {"id": 1, "name": "Ada", "tag": "cat"}),
    (201, {"id": 2, "name": "Bob", "tag": "cat"}),
    (200, {"id": 2, "name": "Bob", "tag": "cat"}),
    (
        200,
        [
            {"id": 1, "name": "Ada", "tag": "cat"},
            {"id": 2, "name": "Bob", "tag": "cat"},
        ],
    ),
    (204, b""),
    (404, {"code": 404, "message": "Pet not found"}),
]


def test_state_without_code_in_process(config):
    """Through the in-process transport, created pets are read, listed and deleted."""
    mocks = InProcessMocks.from_config(config[0])
    mocks.stateful("pets")
    with mocks:
        assert _lifecycle(f"http://127.0.0.1:{config[1]}") == EXPECTED
        mocks.mocks.state.clear()
        assert (
            requests.get(f"http://127.0.0.1:{config[1]}/pets", timeout=5).json() == []
        )


def test_state_without_code_over_http_is_isolated_per_scenario(config, tmp_path):
    """The server keeps state per scenario; DELETE /__satchel/state starts afresh."""
    path, port = config
    mock = start_mock(
        ["up", "--no-reload", "--quiet", "--stateful", "pets"],
        (port,),
        tmp_path / "log",
        path.parent,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        assert _lifecycle(base) == EXPECTED
        requests.put(
            f"{base}/__satchel/scenario", json={"scenario": "empty"}, timeout=5
        )
        # The scenario's rule answers lists; its collection starts empty and reads 404.
        assert requests.get(f"{base}/pets/2", timeout=5).status_code == 404
        requests.put(f"{base}/__satchel/scenario", json={"scenario": None}, timeout=5)
        assert requests.get(f"{base}/pets/2", timeout=5).status_code == 200
        assert requests.delete(f"{base}/__satchel/state", timeout=5).json() == {
            "stateful": ["pets"]
        }
        assert requests.get(f"{base}/pets/2", timeout=5).status_code == 404
    finally:
        mock.stop()


def test_invalid_stateful_answers_fall_back_to_the_spec(tmp_path):
    """A created item that would not validate is not stored; the stateless answer says why."""
    port = free_port()
    path = tmp_path / "mocks.yaml"
    path.write_text(
        f"neighbours:\n  things:\n    spec: {MOCK / 'stateful.yaml'}\n    port: {port}\n"
    )
    pin_digests(path)
    mocks = InProcessMocks.from_config(path)
    mocks.stateful("things")
    base = f"http://127.0.0.1:{port}"
    with mocks:
        small = requests.post(f"{base}/things", json={"size": 3}, timeout=5)
        big = requests.post(f"{base}/things", json={"size": 50}, timeout=5)
        read_small = requests.get(f"{base}/things/1", timeout=5)
        read_big = requests.get(f"{base}/things/2", timeout=5)
    assert (small.status_code, small.json()) == (201, {"id": 1, "size": 3})
    assert (big.status_code, big.json()) == (201, {"id": 7, "size": 1})
    assert big.headers["Satchel-Mock-Source"] == (
        "example (stateful answer invalid: /size: 50 is greater than the maximum of 10)"
    )
    assert (read_small.status_code, read_small.json()) == (200, {"id": 1, "size": 3})
    assert read_big.status_code == 404
    assert read_big.json()["detail"] == "/things has no item 2; items: 1."


@pytest.mark.parametrize(
    "body, status, detail",
    [
        ("{}", 400, 'send a JSON object such as {"neighbour": "pets", "stateful": true}.'),
        ('{"neighbour": "cats", "stateful": true}', 404,
         "no neighbour 'cats' is served; known: pets."),
    ],
    ids=["no-flag", "unknown-neighbour"],
)  # fmt: skip
def test_bad_state_switches_are_refused(config, tmp_path, body, status, detail):
    """The admin state endpoint says what to send."""
    from mockserver.runtime.admin import handle_admin
    from mockserver.core.messages import MockRequest
    from mockserver.runtime.mockset import from_config

    mocks = from_config(config[0])
    answer = handle_admin(
        mocks,
        mocks.listeners[0],
        MockRequest("PUT", "/__satchel/state", body=body.encode()),
    )
    assert answer.status == status
    import json

    assert json.loads(answer.body)["detail"] == detail
