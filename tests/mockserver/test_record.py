"""Record the real students service through the proxy for two schools; replay it both ways."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
import requests
import yaml

from mockserver.harness.inprocess import InProcessMocks
from mockserver.record.target import RecordError, parse_target
from tests.mockserver.conftest import start_mock
from tests.mockserver.recording import (
    SCHOOLS,
    capture_server,
    headers_for,
    raw_http,
    real_students,
    recording,
    service_folder,
)

RECORD = "    record:\n      allow: [127.0.0.1]\n      redact_fields: [family_name]\n"
NEW_CLASS = b'{"name": "5C", "year_group": 5}'


@pytest.fixture(scope="module")
def students(tmp_path_factory):
    """The real students service: school-a's class 1 is 4B, school-b's is 7R."""
    with real_students(tmp_path_factory.mktemp("students")) as url:
        yield url


def _chunked(*parts: bytes):
    yield from parts  # requests sends a generator with Transfer-Encoding: chunked


@pytest.fixture(scope="module")
def session(students, tmp_path_factory):
    """Record a session through the proxy; return (folder, port, output, answers)."""
    folder, port = service_folder(tmp_path_factory.mktemp("attendance"), RECORD)
    pupils = "/v1/classes/1/pupils"
    answers = {}
    with recording(folder, students, port) as recorder:
        base = recorder.url
        for key, school, extra in [
            ("a", "school-a", {}),
            ("b", "school-b", {}),
            ("a-again", "school-a", {}),
            ("wrong-token", "school-a", {"Authorization": "Bearer not-a-jwt"}),
        ]:
            answers[key] = requests.get(
                base + pupils, headers=headers_for(school, **extra), timeout=10
            )
        without = headers_for("school-a")
        del without["Authorization"]
        answers["no-token"] = requests.get(base + pupils, headers=without, timeout=10)
        answers["created"] = requests.post(
            f"{base}/v1/classes",
            data=_chunked(NEW_CLASS[:10], NEW_CLASS[10:]),
            headers=headers_for("school-a", **{"Content-Type": "application/json"}),
            timeout=10,
        )
        answers["conflict"] = requests.post(
            f"{base}/v1/classes",
            data=NEW_CLASS,
            headers=headers_for("school-a", **{"Content-Type": "application/json"}),
            timeout=10,
        )
        token = headers_for("school-a")["Authorization"]
        for method in ("HEAD", "OPTIONS"):
            answers[method] = raw_http(
                port,
                f"{method} /v1/classes HTTP/1.1\r\nHost: school-a.students.localhost\r\n"
                f"Authorization: {token}\r\nConnection: close\r\n\r\n".encode(),
            )
        answers["missing"] = requests.get(
            f"{base}/v1/pupils/99", headers=headers_for("school-a"), timeout=10
        )
        lines = recorder.stop()
    return folder, port, lines, answers


def test_the_recorder_reports_every_exchange(session):
    """Each exchange is stored, kept or not matched, in order; the summary counts stored ones."""
    folder, port, lines, _ = session
    assert lines[0].startswith("recording students from http://127.0.0.1:")
    assert lines[1:] == [
        "stored: list_class_pupils 200 as recording 1",
        "stored: list_class_pupils 200 as recording 2",
        "kept: list_class_pupils 200 as recording 1 (seen before)",
        "stored: list_class_pupils 401 as recording 3",
        "stored: list_class_pupils 401 as recording 4",
        "stored: create_class 201 as recording 5",
        "stored: create_class 409 as answer 2 of recording 5",
        "unmatched: - 200 HEAD /v1/classes is in no operation",
        "unmatched: - 200 OPTIONS /v1/classes is in no operation",
        "stored: get_pupil 404 as recording 6",
        "stopped; 7 exchange(s) stored in mocks/students/recordings.yaml",
    ]


def test_the_host_reaches_each_tenant_and_the_caller_gets_the_real_answer(session):
    """Host is forwarded, so each school's own class comes back, unredacted to the caller."""
    _, _, _, answers = session
    for key, school in (("a", "school-a"), ("b", "school-b")):
        name, _, pupils = SCHOOLS[school]
        body = answers[key].json()
        assert answers[key].status_code == 200, body
        assert body["class"]["name"] == name
        assert [(p["given_name"], p["family_name"]) for p in body["items"]] == pupils
    assert answers["wrong-token"].status_code == 401
    assert answers["no-token"].status_code == 401


def test_chunked_bodies_are_forwarded_whole(session):
    """A chunked POST reaches the neighbour with its body: created, then a conflict."""
    _, _, _, answers = session
    assert answers["created"].status_code == 201, answers["created"].text
    assert answers["created"].json()["name"] == "5C"
    assert answers["conflict"].status_code == 409


@pytest.mark.parametrize("method", ["HEAD", "OPTIONS"])
def test_head_and_options_are_forwarded_with_one_server_and_date(session, method):
    """Every method goes through; the neighbour's Server and Date come back once each."""
    _, _, _, answers = session
    head, _, body = answers[method].partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0].startswith("HTTP/1.1 200"), lines
    fields = [line.split(": ", 1) for line in lines[1:]]
    names = [name.lower() for name, _ in fields]
    assert names.count("server") == 1 and names.count("date") == 1
    found = {name.lower(): value for name, value in fields}
    assert found["server"] == "granian"
    if method == "HEAD":  # the length of what GET would send, and no body
        assert body == b"" and int(found["content-length"]) > 0
    else:
        assert "GET" in found["allow"]


def recordings_of(folder: Path) -> list[dict]:
    return yaml.safe_load(
        (folder / "mocks" / "students" / "recordings.yaml").read_text()
    )["recordings"]


def test_the_recording_tells_requests_apart_and_masks_with_valid_values(session):
    """Host, credential class and body key each recording; family names are masked validly."""
    folder, _, _, answers = session
    entries = recordings_of(folder)
    keys = [
        (e["operation"], e["request"].get("host"), e["request"].get("credential"))
        for e in entries
    ]
    assert keys == [
        ("list_class_pupils", "school-a.students.localhost", "accepted"),
        ("list_class_pupils", "school-b.students.localhost", "accepted"),
        ("list_class_pupils", "school-a.students.localhost", "refused"),
        ("list_class_pupils", "school-a.students.localhost", "none"),
        ("create_class", "school-a.students.localhost", "accepted"),
        ("get_pupil", "school-a.students.localhost", "accepted"),
    ]
    assert re.fullmatch(r"[0-9a-f]{16}", entries[2]["request"]["token_sha256"])
    assert entries[4]["request"]["body"] == {"name": "5C", "year_group": 5}
    assert [a["status"] for a in entries[4]["answers"]] == [201, 409]
    stored = entries[0]["answers"][0]["body"]["items"]
    real = answers["a"].json()["items"]
    assert [p["given_name"] for p in stored] == [p["given_name"] for p in real]
    masked = [p["family_name"] for p in stored]
    assert all(isinstance(name, str) for name in masked)
    assert not {"Lovelace", "Turing"} & set(masked)
    text = (folder / "mocks" / "students" / "recordings.yaml").read_text()
    token = headers_for("school-a")["Authorization"].split()[1]
    assert (
        "not-a-jwt" not in text and token.split(".")[0] not in text
    )  # no credential kept


def _source_line(folder: Path, response: requests.Response) -> str:
    """Return the line of recordings.yaml that the source header points at."""
    source = response.headers["Satchel-Mock-Source"]
    found = re.fullmatch(r"recording \d+, answer \d+ of \d+ \((.+):(\d+)\)", source)
    assert found, source
    assert found.group(1) == str(folder / "mocks" / "students" / "recordings.yaml")
    return Path(found.group(1)).read_text().splitlines()[int(found.group(2)) - 1]


def test_replay_matches_host_credential_and_body_in_process(session):
    """Each school, token class and body gets its own recorded answer; misses are explained."""
    folder, port, _, answers = session
    base = f"http://127.0.0.1:{port}"
    pupils = f"{base}/v1/classes/1/pupils"
    mocks = InProcessMocks.from_config(folder / "mocks.yaml")
    with mocks:
        fresh = requests.get(pupils, headers=headers_for("school-a"), timeout=5)
        other = requests.get(pupils, headers=headers_for("school-b"), timeout=5)
        known_wrong = requests.get(
            pupils, headers=headers_for("school-a", Authorization="Bearer not-a-jwt")
        )
        unknown_token = requests.get(
            pupils, headers=headers_for("school-a", Authorization="Bearer anything")
        )
        without = headers_for("school-a")
        del without["Authorization"]
        no_token = requests.get(pupils, headers=without, timeout=5)
        posts = [
            requests.post(f"{base}/v1/classes", data=NEW_CLASS, timeout=5,
                          headers=headers_for("school-a", **{"Content-Type": "application/json"}))
            for _ in range(3)
        ]  # fmt: skip
        unknown_class = requests.get(
            f"{base}/v1/classes/404/pupils", headers=headers_for("school-a")
        )
        unrecorded = requests.get(
            f"{base}/v1/pupils/98", headers=headers_for("school-a")
        )
        not_recorded_op = requests.get(
            f"{base}/v1/classes", headers=headers_for("school-a")
        )
    assert fresh.json()["class"]["name"] == "4B" and fresh.status_code == 200
    assert _source_line(folder, fresh).strip() == "- status: 200"
    assert other.json()["class"]["name"] == "7R"
    assert [p["given_name"] for p in other.json()["items"]] == ["Edsger", "Grace"]
    assert known_wrong.status_code == 401
    assert known_wrong.json() == answers["wrong-token"].json()
    assert unknown_token.status_code == 200  # presence only: accepted wins over refused
    assert no_token.status_code == 401 and no_token.json() == answers["no-token"].json()
    assert [p.status_code for p in posts] == [
        201,
        409,
        409,
    ]  # a sequence; the last repeats
    assert posts[0].headers["Location"] == answers["created"].headers["location"]
    assert posts[0].raw.headers.getlist("Location") == [
        answers["created"].headers["location"]
    ]
    assert (
        unknown_class.status_code == 404
    )  # attendance's overlay rule beats recordings
    assert "overlay rule" in unknown_class.headers["Satchel-Mock-Source"]
    assert unrecorded.status_code == 501
    assert unrecorded.json()["candidates"][0]["reasons"] == [
        "path is /v1/pupils/99, not /v1/pupils/98"
    ]
    assert (
        not_recorded_op.status_code == 200
    )  # operations never recorded answer as before
    assert not_recorded_op.headers["Satchel-Mock-Source"] == "example"
    assert mocks.misses == [f"GET /v1/pupils/98: 501 {unrecorded.json()['detail']}"]
    assert "recordings.yaml:" in mocks.misses[0]
    (entry,) = mocks.calls("get_pupil")
    assert entry.source == unrecorded.headers["Satchel-Mock-Source"]
    assert mocks.calls("create_class")[0].source.startswith(
        "recording 5, answer 1 of 2 ("
    )


def test_replay_over_http_answers_as_in_process(session, tmp_path):
    """`satchel-mock up` replays the same bytes, Location sent once, and starts sequences over."""
    folder, port, _, _ = session
    base = f"http://127.0.0.1:{port}"
    requests_made = [
        ("GET", "/v1/classes/1/pupils", "school-b", None),
        ("POST", "/v1/classes", "school-a", NEW_CLASS),
    ]
    in_process = []
    with InProcessMocks.from_config(folder / "mocks.yaml"):
        for method, path, school, body in requests_made:
            in_process.append(requests.request(
                method, base + path, data=body, timeout=5,
                headers=headers_for(school, **{"Content-Type": "application/json"})))  # fmt: skip
    served = start_mock(
        ["up", "--no-reload", "--quiet"], (port,), tmp_path / "up.log", folder
    )
    try:
        for (method, path, school, body), expected in zip(requests_made, in_process):
            answer = requests.request(
                method, base + path, data=body, timeout=5,
                headers=headers_for(school, **{"Content-Type": "application/json"}))  # fmt: skip
            assert (answer.status_code, answer.content) == (
                expected.status_code, expected.content)  # fmt: skip
            assert (
                answer.headers["Satchel-Mock-Source"]
                == expected.headers["Satchel-Mock-Source"]
            )
        assert answer.raw.headers.getlist("location") == ["/v1/classes/2/pupils"]
        second = requests.post(base + "/v1/classes", data=NEW_CLASS, timeout=5,
                               headers=headers_for("school-a"))  # fmt: skip
        assert second.status_code == 409
        requests.delete(f"{base}/__satchel/state", timeout=5)  # between tests: rewound
        again = requests.post(base + "/v1/classes", data=NEW_CLASS, timeout=5,
                              headers=headers_for("school-a"))  # fmt: skip
        assert again.status_code == 201
    finally:
        served.stop()


def test_check_and_up_name_the_line_of_an_invalid_recording(session, tmp_path):
    """A bad value in recordings.yaml is reported by check and up at its own file and line."""
    folder, port, _, _ = session
    copy = tmp_path / "service"
    copy.mkdir()
    for name in ("mocks.yaml",):
        (copy / name).write_text((folder / name).read_text())
    (copy / "mocks").mkdir()
    import shutil

    shutil.copytree(folder / "mocks" / "students", copy / "mocks" / "students")
    recordings = copy / "mocks" / "students" / "recordings.yaml"
    text = recordings.read_text()
    assert text.count("year_group: 7\n") == 1
    recordings.write_text(text.replace("year_group: 7\n", "year_group: seven\n"))
    line = recordings.read_text().splitlines().index("        year_group: seven") + 1
    answer_line = next(
        i for i in range(line, 0, -1)
        if recordings.read_text().splitlines()[i - 1].strip() == "- status: 200"
    )  # fmt: skip
    expected = (
        f"{recordings}:{answer_line}: the inline body for list_class_pupils 200 does not "
        "match the spec: /class/year_group: 'seven' is not of type 'integer'. Fix the "
        "example or overlay so that it validates against the schema."
    )
    check = subprocess.run(
        [sys.executable, "-m", "mockserver.cli.main", "check"],
        cwd=copy, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert (check.returncode, check.stdout) == (1, expected + "\n")
    up = subprocess.run(
        [sys.executable, "-m", "mockserver.cli.main", "up", "--no-reload"],
        cwd=copy, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert (up.returncode, up.stderr) == (1, f"error: {expected}\n")


def test_recording_refuses_a_spec_that_no_longer_matches_its_pin(students, tmp_path):
    """record enforces the digest pin as up does, before listening."""
    folder, _ = service_folder(tmp_path, RECORD)
    spec = folder / "mocks" / "students" / "openapi.yaml"
    spec.write_text(spec.read_text() + "\n# edited\n")
    done = subprocess.run(
        [sys.executable, "-m", "mockserver.cli.main", "record", "students",
         "--target", students],
        cwd=folder, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    up = subprocess.run(
        [sys.executable, "-m", "mockserver.cli.main", "up", "--no-reload"],
        cwd=folder, capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert (done.returncode, done.stdout) == (1, "")
    assert done.stderr == up.stderr
    assert done.stderr.startswith(
        "error: mocks.yaml:4: neighbour 'students': the spec "
    )
    assert done.stderr.endswith(
        "If you re-vendored the spec on purpose, run `satchel-mock pin`.\n"
    )


def test_a_recorder_that_stored_nothing_writes_no_file(students, tmp_path):
    """Stopping without a stored exchange says so, leaving no file; a typo'd field is warned."""
    block = RECORD.replace("[family_name]", "[family_name, familyname]")
    folder, port = service_folder(tmp_path, block)
    with recording(folder, students, port) as recorder:
        lines = recorder.stop()
    assert lines[0] == (
        "warning: record.redact_fields names 'familyname', which no schema of students "
        "declares: check the spelling (it is masked wherever it appears)."
    )
    assert lines[-1] == (
        "stopped; nothing new stored (mocks/students/recordings.yaml not written)"
    )
    assert not (folder / "mocks" / "students" / "recordings.yaml").exists()


def test_a_request_line_cannot_send_the_recorder_elsewhere(students, tmp_path):
    """Only the target is ever contacted: userinfo, other hosts and CONNECT are refused."""
    folder, port = service_folder(tmp_path, "    record:\n      allow: [127.0.0.1]\n")
    target_port = int(students.rsplit(":", 1)[1])
    with capture_server() as (other, received):
        with recording(folder, students, port) as recorder:
            sent = {}
            for line in (
                f"GET @127.0.0.1:{other}/v1/classes HTTP/1.1",
                f"GET http://127.0.0.1:{other}/v1/classes HTTP/1.1",
                f"GET http://me@127.0.0.1:{target_port}/v1/classes HTTP/1.1",
                f"CONNECT 127.0.0.1:{other} HTTP/1.1",
            ):
                request = (
                    f"{line}\r\nHost: school-a.students.localhost\r\n"
                    "Cookie: session=secret\r\nConnection: close\r\n\r\n"
                )
                sent[line] = raw_http(port, request.encode())
            lines = recorder.stop()
    assert received == []  # nothing ever reached the other port
    statuses = [answer.split(b" ", 2)[1] for answer in sent.values()]
    assert statuses == [b"400", b"403", b"403", b"405"]
    first = sent[f"GET @127.0.0.1:{other}/v1/classes HTTP/1.1"]
    assert (
        first.split(b"\r\n\r\n", 1)[1]
        .decode()
        .endswith(
            f'"detail": "satchel-mock record forwards only to {students}: the request '
            f"target '@127.0.0.1:{other}/v1/classes' is not a path.\"}}"
        )
    )
    assert lines[1:5] == [
        f"blocked: - 400 GET @127.0.0.1:{other}/v1/classes: the request target "
        f"'@127.0.0.1:{other}/v1/classes' is not a path",
        f"blocked: - 403 GET http://127.0.0.1:{other}/v1/classes: "
        f"http://127.0.0.1:{other}/v1/classes names another host than the target",
        f"blocked: - 403 GET http://me@127.0.0.1:{target_port}/v1/classes: "
        f"http://me@127.0.0.1:{target_port}/v1/classes carries user information",
        f"blocked: - 405 CONNECT 127.0.0.1:{other}: CONNECT 127.0.0.1:{other} is refused: "
        "the recorder never tunnels",
    ]


def test_recording_refuses_hosts_the_config_does_not_allow(tmp_path):
    """A target outside record.allow is refused before anything is contacted."""
    folder, _ = service_folder(tmp_path, RECORD)
    result = subprocess.run(
        [sys.executable, "-m", "mockserver.cli.main", "record", "students",
         "--target", "https://students.example.org"],
        cwd=folder, capture_output=True, text=True, timeout=30,
    )  # fmt: skip
    assert result.returncode == 1
    assert result.stderr == (
        "error: refusing to record students from students.example.org: not an allowed host "
        "(allowed: 127.0.0.1). Add it under neighbours.students.record.allow in mocks.yaml.\n"
    )


@pytest.mark.parametrize(
    "target, message",
    [
        ("ftp://127.0.0.1", "--target must be an http(s) URL, not 'ftp://127.0.0.1'."),
        ("http://10.0.0.1:80", "refusing to record students from 10.0.0.1:80: not an "
         "allowed host (allowed: 127.0.0.1). Add it under neighbours.students.record.allow "
         "in mocks.yaml."),
        ("http://u:p@127.0.0.1", "--target must be scheme://host[:port][/base], not "
         "'http://u:p@127.0.0.1' (no user information, query or fragment)."),
    ],
    ids=["scheme", "host", "userinfo"],
)  # fmt: skip
def test_parse_target_explains_refusals(target, message):
    """Each refused target says why and what to change."""
    with pytest.raises(RecordError) as caught:
        parse_target("students", target, ("127.0.0.1",))
    assert str(caught.value) == message
