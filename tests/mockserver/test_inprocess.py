"""The in-process transport answers like the HTTP server, journals calls and injects faults."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests

from mockserver.cli.pin import pin_digests
from mockserver.harness.inprocess import InProcessMocks
from mockserver.runtime.faults import FaultError
from satchel.openapi import load_spec
from tests.mockserver.conftest import MOCK, PETSTORE, free_port, start_mock

ROOT = Path(__file__).resolve().parents[2]
STUDENTS = ROOT / "examples" / "attendance" / "mocks" / "students"
STUDENTS_OWN = ROOT / "examples" / "students" / "spec" / "openapi.yaml"
# Headers the HTTP layer itself adds (framing and server identity), not the engine.
_TRANSPORT_HEADERS = {"date", "server", "content-length", "transfer-encoding"}
_UUID = "4b0d5a6e-93a4-4b43-9c1b-6a2c1b0f8f10"
# The students specs require a bearer token, which the mock checks for (presence only).
TOKEN = {"Authorization": "Bearer test-token"}


def write_config(folder: Path) -> tuple[Path, dict[str, int]]:
    """Write a mocks.yaml serving the example specs (one Host-routed) and pin it."""
    ports = {"students": free_port(), "registry": free_port(), "shared": free_port()}
    path = folder / "mocks.yaml"
    path.write_text(
        f"port: {ports['shared']}\n"
        "neighbours:\n"
        "  students:\n"
        f"    spec: {STUDENTS / 'openapi.yaml'}\n"
        f"    overlay: {STUDENTS / 'overlay.yaml'}\n"
        f"    port: {ports['students']}\n"
        "  registry:\n"
        f"    spec: {STUDENTS_OWN}\n"
        f"    port: {ports['registry']}\n"
        "  pets:\n"
        f"    spec: {PETSTORE}\n"
        f"    overlay: {MOCK / 'petstore-overlay.yaml'}\n"
        "    host: pets.localhost\n"
    )
    pin_digests(path)
    return path, ports


@pytest.fixture(scope="module")
def service(tmp_path_factory):
    """Return (config path, ports, running `satchel-mock up`) for the module."""
    folder = tmp_path_factory.mktemp("service")
    path, ports = write_config(folder)
    mock = start_mock(
        ["up", "--no-reload", "--quiet"],
        (ports["students"], ports["registry"], ports["shared"]),
        folder / "up.log",
        folder,
    )
    yield path, ports, mock
    mock.stop()


@pytest.fixture(scope="module")
def inprocess(service):
    """Return the in-process mocks of the same mocks.yaml (not started)."""
    return InProcessMocks.from_config(service[0])


def _requests_for_every_operation() -> list[tuple[str, str, str, dict, bytes]]:
    """Return (id, neighbour, method, path, headers, body) for every example operation."""
    cases = []
    for neighbour, spec_path in (
        ("students", STUDENTS / "openapi.yaml"),
        ("registry", STUDENTS_OWN),
        ("pets", PETSTORE),
    ):
        spec = load_spec(spec_path)
        for op in spec.operations:
            path = re.sub(
                r"\{(\w+)\}", lambda m: _UUID if "owner" in m[1] else "1", op.path
            )
            headers = {"X-Api-Version": "1"} if neighbour == "pets" else dict(TOKEN)
            body = b"{}" if op.method in ("POST", "PUT", "PATCH") else b""
            if body:
                headers["Content-Type"] = "application/json"
            label = f"{neighbour}-{op.operation_id}"
            cases.append(
                (label, neighbour, op.method, spec.base_path + path, headers, body)
            )
    cases += [
        ("miss-404", "pets", "GET", "/nope", {}, b""),
        ("no-credentials-401", "registry", "GET", "/v1/classes", {}, b""),
        ("miss-405", "students", "PATCH", "/v1/classes", {}, b""),
        (
            "bad-json",
            "pets",
            "POST",
            "/pets",
            {"Content-Type": "application/json"},
            b"{x",
        ),
        ("cors", "pets", "GET", "/pets", {"Origin": "http://localhost:3000"}, b""),
        ("prefer", "pets", "GET", "/pets/1", {"Prefer": "code=404"}, b""),
    ]
    return cases


CASES = _requests_for_every_operation()


def _url(ports: dict[str, int], neighbour: str, path: str) -> tuple[str, dict]:
    """Return the URL and extra headers reaching a neighbour (Host for the routed one)."""
    if neighbour == "pets":
        return f"http://127.0.0.1:{ports['shared']}{path}", {"Host": "pets.localhost"}
    return f"http://127.0.0.1:{ports[neighbour]}{path}", {}


def _send(method: str, url: str, headers: dict, body: bytes) -> requests.Response:
    return requests.request(method, url, headers=headers, data=body or None, timeout=5)


@pytest.mark.parametrize(
    "neighbour, method, path, headers, body",
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_both_transports_answer_byte_for_byte(
    service, inprocess, neighbour, method, path, headers, body
):
    """Status, the headers that matter and the body bytes are the same over HTTP and in process."""
    _, ports, _ = service
    url, extra = _url(ports, neighbour, path)
    over_http = _send(method, url, {**headers, **extra}, body)
    with inprocess:
        in_process = _send(method, url, {**headers, **extra}, body)
    assert in_process.status_code == over_http.status_code
    assert in_process.content == over_http.content

    def kept(response: requests.Response) -> dict[str, str]:
        return {
            k.lower(): v
            for k, v in response.headers.items()
            if k.lower() not in _TRANSPORT_HEADERS
        }

    assert kept(in_process) == kept(over_http)


def test_a_miss_is_explained_as_the_server_explains_it(service, inprocess):
    """A request no operation matches is recorded with the server's own problem detail."""
    _, ports, _ = service
    url = f"http://127.0.0.1:{ports['students']}/v1/clases"
    detail = _send("GET", url, {}, b"").json()["detail"]
    inprocess.misses.clear()
    with inprocess:
        _send("GET", url, {}, b"")
    assert inprocess.misses == [f"GET /v1/clases: 404 {detail}"]
    assert "Nearest: GET /v1/classes" in detail


def test_other_urls_are_refused_in_process(inprocess):
    """A URL that is no neighbour's is refused, so a test never reaches the network."""
    with inprocess, pytest.raises(requests.ConnectionError, match="Connection refused"):
        requests.get("http://127.0.0.1:9/elsewhere", timeout=1)


@pytest.mark.parametrize("transport", ["http", "inprocess"])
def test_the_journal_and_coverage_answer_by_operation(service, inprocess, transport):
    """Both transports journal a call by operationId, queryable and counted in coverage."""
    _, ports, mock = service
    base = f"http://127.0.0.1:{ports['students']}"
    requests.delete(f"{base}/__satchel/journal", timeout=5)
    inprocess.mocks.journal.clear()
    with inprocess if transport == "inprocess" else _Nothing():
        _send(
            "GET",
            f"{base}/v1/classes/1/pupils?when=today",
            {"X-Trace": "t1", **TOKEN},
            b"",
        )
        _send("GET", f"{base}/v1/classes", {"Authorization": "Bearer secret"}, b"")
        journal = requests.get(
            f"{base}/__satchel/journal?operation=list_class_pupils", timeout=5
        ).json()["entries"]
        all_entries = requests.get(f"{base}/__satchel/journal", timeout=5).json()[
            "entries"
        ]
        covered = requests.get(f"{base}/__satchel/coverage", timeout=5).json()
    assert [(e["method"], e["path"], e["query"], e["status"]) for e in journal] == [
        ("GET", "/v1/classes/1/pupils", "when=today", 200)
    ]
    assert journal[0]["headers"]["x-trace"] == "t1"
    assert all_entries[1]["headers"]["authorization"] == "***"
    assert covered["students"]["list_class_pupils"] == 1
    assert covered["students"]["get_pupil"] == 0
    assert covered["pets"]["listPets"] == 0


class _Nothing:
    """A context manager that does nothing (the HTTP transport needs no setup)."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc_info: object) -> None:
        return None


def test_assert_called_counts_and_explains(inprocess):
    """assert_called passes on the right count and says what was called otherwise."""
    inprocess.mocks.journal.clear()
    with inprocess:
        requests.get(f"{inprocess.base_urls['students']}/v1/classes", timeout=5)
    assert len(inprocess.assert_called("list_classes", times=1)) == 1
    with pytest.raises(AssertionError) as caught:
        inprocess.assert_called("get_pupil")
    assert str(caught.value) == (
        "expected get_pupil to be called at least once, it was called 0 time(s). "
        "Calls received: GET /v1/classes -> list_classes."
    )


@pytest.mark.parametrize(
    "fault, expected",
    [
        ({"status": 503}, 503),
        ({"reset": True}, requests.exceptions.ChunkedEncodingError),
        ({"timeout": True}, requests.ReadTimeout),
    ],
    ids=["status", "reset", "timeout"],
)
@pytest.mark.parametrize("transport", ["http", "inprocess"])
def test_faults_fail_calls_as_configured(
    service, inprocess, transport, fault, expected
):
    """A fault on an operation makes both transports fail it; other operations still answer."""
    _, ports, _ = service
    base = f"http://127.0.0.1:{ports['students']}"
    wanted = {"neighbour": "students", "operation": "get_pupil", **fault}
    if transport == "http":
        assert requests.put(f"{base}/__satchel/faults", json=wanted, timeout=5).ok
    else:
        inprocess.fault("students", "get_pupil", **fault)
    try:
        with inprocess if transport == "inprocess" else _Nothing():
            assert _send("GET", f"{base}/v1/classes", TOKEN, b"").status_code == 200
            if isinstance(expected, int):
                answer = requests.get(f"{base}/v1/pupils/1", headers=TOKEN, timeout=5)
                assert answer.status_code == expected
                assert answer.json()["type"].endswith("/mock-fault")
            else:
                with pytest.raises(expected):
                    requests.get(f"{base}/v1/pupils/1", headers=TOKEN, timeout=0.5)
    finally:
        requests.delete(f"{base}/__satchel/faults", timeout=5)
        inprocess.clear_faults()


def test_seeded_random_delay_repeats(service):
    """A random delay range is drawn from its seed, so two runs delay alike."""
    from mockserver.runtime.faults import parse_fault

    def draws() -> list[float]:
        fault = parse_fault({"neighbour": "students", "delay": [0.0, 0.01], "seed": 7})
        return [fault.next_delay() for _ in range(3)]

    first = draws()
    assert first == draws()
    assert all(0.0 <= d <= 0.01 for d in first) and len(set(first)) == 3


@pytest.mark.parametrize(
    "body, detail",
    [
        ("{}", "a fault is a JSON object naming its neighbour, e.g. "
         '{"neighbour": "students", "operation": "get_student", "status": 503}.'),
        ('{"neighbour": "students", "status": 99}',
         "status must be an HTTP status from 100 to 599, not 99."),
        ('{"neighbour": "students", "delay": -1}',
         "delay must be seconds (0.2) or a range [low, high] with 0 <= low <= high, not -1."),
        ('{"neighbour": "students", "reset": true, "timeout": true}',
         "choose one of status, reset and timeout per fault (delay combines)."),
        ('{"neighbour": "students"}',
         "a fault needs status, delay, reset or timeout, e.g. "
         '{"neighbour": "students", "operation": "get_student", "status": 503}.'),
        ('{"neighbour": "students", "status": 503, "colour": 1}',
         "unknown fault key(s): colour; known: neighbour, operation, status, delay, seed, "
         "reset, timeout."),
        ('{"neighbour": "nobody", "status": 503}',
         "no neighbour nobody is served; known: students, registry, pets."),
        ('{"neighbour": "students", "operation": "get_pupils", "status": 503}',
         "students has no operation 'get_pupils'; its operations: list_classes, "
         "create_class, list_class_pupils, add_pupil, get_pupil, move_pupil. "
         "Did you mean 'get_pupil'?"),
    ],
    ids=["no-neighbour", "bad-status", "bad-delay", "two-kinds", "empty", "unknown-key",
         "unknown-neighbour", "unknown-operation"],
)  # fmt: skip
def test_bad_faults_are_refused_with_the_reason(service, body, detail):
    """Every malformed fault is a 400/404 problem saying what is wrong."""
    _, ports, _ = service
    answer = requests.put(
        f"http://127.0.0.1:{ports['students']}/__satchel/faults", data=body, timeout=5
    )
    assert answer.status_code in (400, 404)
    assert answer.json()["detail"] == detail


def test_a_fault_on_an_unknown_operation_is_refused_at_once(inprocess):
    """A misspelt operation would never fire: the fixture refuses it, listing the real ones."""
    with pytest.raises(FaultError) as caught:
        inprocess.fault("students", "get_pupils", status=503)
    assert str(caught.value) == (
        "students has no operation 'get_pupils'; its operations: list_classes, "
        "create_class, list_class_pupils, add_pupil, get_pupil, move_pupil. "
        "Did you mean 'get_pupil'?"
    )
    assert inprocess.mocks.faults.all() == []


def test_pin_writes_the_first_digest_over_a_placeholder(tmp_path):
    """`satchel-mock pin` pins from scratch, replacing a placeholder and keeping comments."""
    path = tmp_path / "mocks.yaml"
    path.write_text(
        "neighbours:\n  pets:\n    spec: " + str(PETSTORE) + "\n"
        "    digest: <run satchel-mock pin>  # the vendored copy\n    port: 8101\n"
    )
    (pin,) = pin_digests(path)
    assert (pin.old, pin.changed) == ("<run satchel-mock pin>", True)
    assert f"    digest: {pin.new}  # the vendored copy\n" in path.read_text()


def test_plugin_imports_cheaply():
    """Importing the plugin (done by every pytest run) loads neither responses nor the engine."""
    import subprocess
    import sys

    code = (
        "import sys, mockserver.harness.pytest_plugin; "
        "print(sorted(m for m in ('responses', 'mockserver.core.engine', 'satchel.openapi') "
        "if m in sys.modules))"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert json.loads(out.replace("'", '"')) == []


def test_the_package_exports_what_all_lists():
    """Every name in mockserver.__all__ resolves (imported lazily on first use)."""
    import mockserver

    assert all(getattr(mockserver, name) is not None for name in mockserver.__all__)
    with pytest.raises(
        AttributeError, match="module 'mockserver' has no attribute 'nope'"
    ):
        mockserver.nope  # noqa: B018 - the attribute access is the test
