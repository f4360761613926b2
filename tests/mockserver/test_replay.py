"""Replay: which recorded answer a request gets, how misses are explained, what is refused.

Table-tested on the engine with hand-written ``recordings.yaml`` files (the format the
recorder writes; ``test_record.py`` records the real service) and the students spec.
"""

from __future__ import annotations

import hashlib
import json
import shutil
import textwrap
from pathlib import Path

import pytest
import requests
import yaml

from mockserver.cli.pin import pin_digests
from mockserver.core.engine import Engine
from mockserver.core.errors import AnswersInvalid, MockError
from mockserver.core.messages import MockRequest
from mockserver.core.overlay import load_overlay
from mockserver.core.recordings import load_recordings
from mockserver.core.yamlsource import read_yaml
from mockserver.harness.inprocess import InProcessMocks
from satchel.openapi import load_spec
from tests.mockserver.conftest import free_port, start_mock

ROOT = Path(__file__).resolve().parents[2]
STUDENTS = ROOT / "examples" / "attendance" / "mocks" / "students"
PUPIL = {"id": 1, "class_id": 1, "given_name": "Ada", "family_name": "Lovelace"}
REFUSED = {"type": "about:blank", "title": "Unauthorized", "status": 401}
TOKEN_X = "Bearer token-x"


def fingerprint(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()[:16]


def line_of(path: Path, pointer: str) -> int:
    """Return the line of a JSON pointer in a YAML file."""
    return read_yaml(path).line(pointer)


def recordings_file(folder: Path, entries: list[dict]) -> Path:
    path = folder / "recordings.yaml"
    path.write_text(yaml.safe_dump({"recordings": entries}, sort_keys=False))
    return path


def pupil(answers, credential="accepted", path="/v1/pupils/1", **request) -> dict:
    """Return a get_pupil recording with ``answers`` [(status, body)]."""
    return {
        "operation": "get_pupil",
        "request": {"method": "GET", "path": path, "credential": credential, **request},
        "answers": [
            {"status": s, "media_type": "application/json", "body": b}
            for s, b in answers
        ],
    }


def engine(folder: Path, entries: list[dict], overlay: Path | None = None, spec=None):
    recordings = load_recordings(recordings_file(folder, entries))
    return Engine(
        "students",
        spec or load_spec(STUDENTS / "openapi.yaml"),
        load_overlay(overlay) if overlay else None,
        recordings=recordings,
    )


def get(mock: Engine, path: str, authorization: str | None = TOKEN_X, **headers):
    sent = {"host": "school-a.students.localhost", **headers}
    if authorization:
        sent["authorization"] = authorization
    path, _, query = path.partition("?")
    response = mock.handle(MockRequest("GET", path, query, sent))
    return (
        response.status,
        json.loads(response.body),
        response.header("satchel-mock-source"),
    )


@pytest.mark.parametrize(
    "recorded, authorization, expected",
    [
        ([pupil([(200, PUPIL)]), pupil([(401, REFUSED)], "refused",
          token_sha256=fingerprint(TOKEN_X))], TOKEN_X, 401),
        ([pupil([(200, PUPIL)]), pupil([(401, REFUSED)], "refused",
          token_sha256=fingerprint(TOKEN_X))], "Bearer another", 200),
        ([pupil([(401, REFUSED)], "refused", token_sha256="0" * 16)], "Bearer another", 401),
        ([pupil([(200, PUPIL)]), pupil([(401, dict(REFUSED, detail="none sent"))], "none")],
         None, 401),
    ],
    ids=["that-refused-token", "another-token-is-accepted", "only-a-refusal-recorded",
         "no-credential-gets-its-own-answer"],
)  # fmt: skip
def test_the_credential_class_chooses_the_answer(
    tmp_path, recorded, authorization, expected
):
    """A refused token replays its refusal; any other token the accepted answer; none its own."""
    status, body, source = get(
        engine(tmp_path, recorded), "/v1/pupils/1", authorization
    )
    assert status == expected
    assert body == (PUPIL if expected == 200 else recorded[-1]["answers"][0]["body"])
    assert source.startswith(
        f"recording {len(recorded) if expected != 200 else 1}, answer 1"
    )


def test_a_sequence_walks_then_repeats_its_last_answer_until_rewound(tmp_path):
    """Answers recorded for one request replay in order; the last repeats; rewind restarts."""
    moved = dict(PUPIL, class_id=2)
    mock = engine(tmp_path, [pupil([(200, PUPIL), (200, moved)])])
    seen = [get(mock, "/v1/pupils/1")[1]["class_id"] for _ in range(3)]
    mock.replay.rewind()
    assert seen + [get(mock, "/v1/pupils/1")[1]["class_id"]] == [1, 2, 2, 1]
    line = line_of(tmp_path / "recordings.yaml", "/recordings/0/answers/1")
    assert get(mock, "/v1/pupils/1")[2] == (
        f"recording 1, answer 2 of 2 ({tmp_path / 'recordings.yaml'}:{line})"
    )


def test_a_miss_names_every_recording_and_why(tmp_path):
    """No recording matches: 501, each candidate with the reasons, nearest first."""
    mock = engine(tmp_path, [
        pupil([(200, PUPIL)], path="/v1/pupils/2", host="school-a.students.localhost"),
        pupil([(200, PUPIL)], host="school-b.students.localhost", query={"full": ["1"]}),
    ])  # fmt: skip
    status, body, source = get(mock, "/v1/pupils/1?full=0")
    where = tmp_path / "recordings.yaml"
    first, second = (line_of(where, f"/recordings/{i}") for i in (0, 1))
    assert (status, source) == (501, "mock: no matching recording")
    assert body["detail"] == (
        "students: no recorded exchange of get_pupil matches GET /v1/pupils/1 (host "
        "school-a.students.localhost, with a credential). Nearest: recording 1 "
        f"({where}:{first}): path is /v1/pupils/2, not /v1/pupils/1, query is empty, not "
        f"full=0; recording 2 ({where}:{second}): host is school-b.students.localhost, not "
        "school-a.students.localhost, query is full=1, not full=0. Record this request "
        "too, or answer it with an overlay rule."
    )
    assert [c["recording"] for c in body["candidates"]] == [1, 2]


def test_masked_request_fields_match_any_value(tmp_path):
    """A body field the recorder masked matches whatever the caller sends there."""
    recorded = {
        "operation": "add_pupil",
        "request": {"method": "POST", "path": "/v1/classes/1/pupils", "credential": "accepted",
                    "body": {"given_name": "Ada", "family_name": "alpha"},
                    "masked": ["/family_name"]},
        "answers": [{"status": 201, "media_type": "application/json", "body": PUPIL,
                     "headers": {"location": "/v1/pupils/1"}}],
    }  # fmt: skip
    mock = engine(tmp_path, [recorded])

    def post(body: dict):
        return mock.handle(MockRequest(
            "POST", "/v1/classes/1/pupils", "",
            {"authorization": TOKEN_X, "content-type": "application/json"},
            json.dumps(body).encode()))  # fmt: skip

    created = post({"given_name": "Ada", "family_name": "Lovelace"})
    assert created.status == 201
    assert [v for k, v in created.headers if k == "location"] == ["/v1/pupils/1"]
    other = post({"given_name": "Alan", "family_name": "Turing"})
    assert other.status == 501
    assert json.loads(other.body)["candidates"][0]["reasons"] == [
        'the body differs: /given_name is "Ada" in the recording, "Alan" in the request'
    ]


def test_overlay_rules_and_prefer_win_over_recordings(tmp_path):
    """The developer's own rule and an explicit Prefer header come before recordings."""
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(textwrap.dedent("""\
        rules:
          - operation: get_pupil
            when: {path: {pupil_id: "1"}}
            respond:
              status: 200
              body: {id: 1, class_id: 9, given_name: Rule, family_name: Win}
    """))  # fmt: skip
    mock = engine(tmp_path, [pupil([(200, PUPIL)])], overlay)
    assert get(mock, "/v1/pupils/1")[1]["given_name"] == "Rule"
    bare = engine(tmp_path, [pupil([(200, PUPIL)])])
    status, _, source = get(bare, "/v1/pupils/1", prefer="code=404")
    assert (status, source) == (404, "example")


def test_an_overlay_rule_header_is_sent_once(tmp_path):
    """A rule's Location replaces the generated one for the declared header (sent once)."""
    overlay = tmp_path / "overlay.yaml"
    overlay.write_text(textwrap.dedent("""\
        rules:
          - operation: create_class
            respond: {status: 201, headers: {Location: /v1/classes/7/pupils}}
    """))  # fmt: skip
    mock = Engine(
        "students", load_spec(STUDENTS / "openapi.yaml"), load_overlay(overlay)
    )
    response = mock.handle(MockRequest(
        "POST", "/v1/classes", "", {"authorization": TOKEN_X, "content-type": "application/json"},
        b'{"name": "7R", "year_group": 7}'))  # fmt: skip
    assert [v for k, v in response.headers if k == "location"] == [
        "/v1/classes/7/pupils"
    ]


def test_credential_query_parameters_are_neither_stored_nor_compared(tmp_path):
    """An apiKey sent in the query is the credential, not part of the recorded query."""
    doc = yaml.safe_load((STUDENTS / "openapi.yaml").read_text())
    doc["components"]["securitySchemes"] = {
        "key": {"type": "apiKey", "in": "query", "name": "api_key"}
    }
    doc["security"] = [{"key": []}]
    spec_path = tmp_path / "openapi.yaml"
    spec_path.write_text(yaml.safe_dump(doc, sort_keys=False))
    mock = engine(
        tmp_path,
        [pupil([(200, PUPIL)], query={"full": ["1"]})],
        spec=load_spec(spec_path),
    )
    for key in ("whatever", "another"):
        assert get(mock, f"/v1/pupils/1?full=1&api_key={key}", None)[0] == 200
    status, body, _ = get(mock, "/v1/pupils/1?full=2&api_key=whatever", None)
    assert status == 501
    assert body["candidates"][0]["reasons"] == ["query is full=1, not full=2"]
    status, _, source = get(
        mock, "/v1/pupils/1?full=1", None
    )  # none recorded without one
    assert (status, source.split(":")[0]) == (401, "spec 401 response")


@pytest.mark.parametrize(
    "text, message",
    [
        ("examples: {}\nrules: []\n",
         "{file}:1: this is a recordings file in the old format (an overlay of examples and "
         "rules), which cannot tell requests apart by credential, host or body. Delete it "
         "and record again with `satchel-mock record`."),
        ("recordings:\n  - operation: get_pupil\n    request: {method: GET, path: /v1/pupils/1,"
         " credential: maybe}\n    answers: [{status: 200}]\n",
         "{file}:3: credential must be one of none, accepted, refused, not 'maybe'."),
        ("recordings:\n  - operation: get_pupil\n    request: {method: GET, path: /v1/pupils/1}\n"
         "    answers: []\n",
         "{file}:4: answers must be a non-empty list."),
        ("recordings:\n  - operation: get_pupil\n    request: {method: GET, path: /v1/pupils/1}\n"
         "    answer: []\n",
         "{file}:4: unknown key 'answer' in a recording. Did you mean 'answers'?"),
    ],
    ids=["old-format", "bad-credential", "no-answers", "misspelt-key"],
)  # fmt: skip
def test_malformed_recordings_are_explained_at_their_line(tmp_path, text, message):
    """Each malformed file names its own path and line, and what to do."""
    path = tmp_path / "recordings.yaml"
    path.write_text(text)
    with pytest.raises(MockError) as caught:
        load_recordings(path)
    assert str(caught.value) == message.format(file=path)


def test_recordings_the_spec_no_longer_routes_are_load_errors(tmp_path):
    """A recording of an unknown operation, or whose path is now another's, fails at its line."""
    with pytest.raises(AnswersInvalid) as caught:
        engine(tmp_path, [
            dict(pupil([(200, PUPIL)]), operation="get_student"),
            pupil([(200, PUPIL)], path="/v1/classes"),
        ])  # fmt: skip
    where = tmp_path / "recordings.yaml"
    first, second = (line_of(where, f"/recordings/{i}") for i in (0, 1))
    assert [str(e) for e in caught.value.errors] == [
        f"{where}:{first}: recording 1: operation 'get_student' is not in the spec. Re-record it, "
        "or delete the recording.",
        f"{where}:{second}: recording 2: GET /v1/classes is not get_pupil in the spec (moved or "
        "removed?). Re-record it, or delete the recording.",
    ]


@pytest.fixture
def service(tmp_path):
    """A service folder: the students spec pinned on a free port, with two recordings."""
    (tmp_path / "mocks" / "students").mkdir(parents=True)
    shutil.copy(
        STUDENTS / "openapi.yaml", tmp_path / "mocks" / "students" / "openapi.yaml"
    )
    port = free_port()
    (tmp_path / "mocks.yaml").write_text(
        f"neighbours:\n  students:\n    spec: mocks/students/openapi.yaml\n    port: {port}\n"
    )
    pin_digests(tmp_path / "mocks.yaml")
    listed = {
        "operation": "list_class_pupils",
        "request": {"method": "GET", "path": "/v1/classes/1/pupils", "credential": "accepted"},
        "answers": [{"status": 200, "media_type": "application/json", "body": {
            "class": {"id": 1, "name": "4B", "year_group": 4}, "items": [PUPIL]}}],
    }  # fmt: skip
    recordings_file(tmp_path / "mocks" / "students", [pupil([(200, PUPIL)]), listed])
    return tmp_path, port


def test_stateful_mode_says_it_does_not_replay_recordings(service):
    """Stateful answers come from its own items; the switch reports the recordings it ignores."""
    folder, port = service
    base = f"http://127.0.0.1:{port}"
    mocks = InProcessMocks.from_config(folder / "mocks.yaml")
    with mocks:
        replayed = requests.get(
            f"{base}/v1/classes/1/pupils", headers={"Authorization": TOKEN_X}
        )
        switched = requests.put(
            f"{base}/__satchel/state", json={"neighbour": "students", "stateful": True}
        )
        stateful = requests.get(
            f"{base}/v1/classes/1/pupils", headers={"Authorization": TOKEN_X}
        )
    assert replayed.headers["Satchel-Mock-Source"].startswith(
        "recording 2, answer 1 of 1 ("
    )
    assert switched.json() == {
        "stateful": ["students"], "recordings_not_replayed": {"students": 2}
    }  # fmt: skip
    assert stateful.headers["Satchel-Mock-Source"] == "stateful: listed"
    assert stateful.json()["items"] == []


def test_up_in_stateful_mode_logs_that_recordings_are_not_replayed(service):
    """`up --stateful` says so in its log before serving."""
    folder, port = service
    served = start_mock(
        ["up", "--no-reload", "--quiet", "--stateful", "students"],
        (port,), folder / "up.log", folder,
    )  # fmt: skip
    try:
        line = served.wait_for_log("stateful")
    finally:
        served.stop()
    assert (line["level"], line["neighbour"]) == ("warning", "students")
    assert line["detail"] == (
        "stateful mode answers students from its own items: the 2 recorded exchange(s) in "
        "recordings.yaml are not replayed."
    )
