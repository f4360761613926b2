"""The pytest plugin, run as a service's suite would run it: a real pytest in a subprocess."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from mockserver.cli.pin import pin_digests

ROOT = Path(__file__).resolve().parents[2]
STUDENTS = ROOT / "examples" / "attendance" / "mocks" / "students"

SUITE = '''
import pytest
import requests

URL = "http://127.0.0.1:8101/v1"
AUTH = {"Authorization": "Bearer service-token"}  # the students spec requires a token


def pupils():
    return requests.get(f"{URL}/classes/1/pupils", headers=AUTH, timeout=5)


def test_fixture_answers_and_journals(mock_neighbours):
    """The service's call is answered from the spec and journalled."""
    assert pupils().status_code == 200
    call, = mock_neighbours.assert_called("list_class_pupils", times=1)
    assert call.path == "/v1/classes/1/pupils"
    assert mock_neighbours.coverage()["students"]["list_class_pupils"] == 1


@pytest.mark.satchel_mock(scenario={"students": "outage"})
def test_marker_selects_a_scenario(mock_neighbours):
    assert pupils().status_code == 401


@pytest.mark.parametrize(
    "mock_neighbours", [{"scenario": {"students": "outage"}}], indirect=True
)
def test_fixture_argument_selects_a_scenario(mock_neighbours):
    assert pupils().status_code == 401


def test_state_is_fresh_for_every_test(mock_neighbours):
    assert mock_neighbours.calls() == []
    assert pupils().status_code == 200


def test_fault_switches_at_run_time(mock_neighbours):
    mock_neighbours.fault("students", "list_class_pupils", status=502)
    assert pupils().status_code == 502
    mock_neighbours.clear_faults()
    assert pupils().status_code == 200


@pytest.mark.satchel_mock(passthru=["http://127.0.0.1:9"])
def test_passthru_reaches_the_network(mock_neighbours):
    with pytest.raises(requests.ConnectionError) as caught:
        requests.get("http://127.0.0.1:9/", timeout=2)
    assert "Responses" not in str(caught.value)  # refused by the OS, not by the mock


def test_a_miss_fails_the_test(mock_neighbours):
    requests.get(f"{URL}/clases/1", timeout=5)


@pytest.mark.satchel_mock(scenario={"students": "no-such"})
def test_unknown_scenario_fails(mock_neighbours):
    pass
'''


def run_suite(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """Run pytest on ``folder`` as its own rootdir; return the finished process."""
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_a_service_suite_runs_offline_against_its_mocked_neighbours(tmp_path):
    """Fixture, marker, fixture argument, faults, fresh state; misses and bad scenarios fail."""
    (tmp_path / "mocks.yaml").write_text(
        "neighbours:\n  students:\n"
        f"    spec: {STUDENTS / 'openapi.yaml'}\n"
        f"    overlay: {STUDENTS / 'overlay.yaml'}\n"
        "    port: 8101\n"
    )
    pin_digests(tmp_path / "mocks.yaml")
    (tmp_path / "test_service.py").write_text(SUITE)
    result = run_suite(tmp_path)
    assert result.stdout.splitlines()[-1].startswith(
        "7 passed, 2 errors"
    ), result.stdout
    assert (
        "the service sent request(s) no mocked neighbour operation matches:\n"
        "  GET /v1/clases/1: 404 students: no operation matches GET /v1/clases/1."
    ) in result.stdout
    assert (
        "satchel_mock: students has no scenario 'no-such'; known: outage."
        in result.stdout
    )
    assert "During handling" not in result.stdout


def test_a_missing_mocks_file_is_named(tmp_path):
    """Without mocks.yaml the fixture fails saying which file it looked for."""
    (tmp_path / "test_x.py").write_text("def test_x(mock_neighbours):\n    pass\n")
    result = run_suite(tmp_path, "--satchel-mocks", "elsewhere/mocks.yaml")
    assert (
        f"mock_neighbours cannot load {tmp_path}/elsewhere/mocks.yaml:" in result.stdout
    )
