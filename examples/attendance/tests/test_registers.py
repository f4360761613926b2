"""Taking registers through the HTTP API, against the mocked students service."""

import pytest

from tests.conftest import CLASS_ID, FULL_MARKS


def take(client, marks=None, session="am", on="2026-09-02", class_id=CLASS_ID):
    return client.post(
        f"/v1/classes/{class_id}/registers",
        json={
            "date": on,
            "session": session,
            "marks": FULL_MARKS if marks is None else marks,
        },
    )


def test_take_then_read(client):
    """A register is stored with the pupils' names from students and the teacher who took it."""
    response = take(client)
    register = response.get_json()
    assert response.status_code == 201, register
    assert response.headers["Location"] == f"/v1/registers/{register['id']}"
    assert register["class_name"] == "4B"
    assert register["taken_by"] == "teacher-of-school-a"
    assert register["marks"] == [
        {"pupil_id": 1, "pupil_name": "Ada Lovelace", "mark": "present"},
        {"pupil_id": 2, "pupil_name": "Alan Turing", "mark": "absent"},
    ]
    assert client.get(f"/v1/registers/{register['id']}").get_json() == register


def test_list_is_newest_first(client):
    """The class's registers list newest date first, pm before am."""
    take(client, on="2026-09-02", session="am")
    take(client, on="2026-09-02", session="pm")
    take(client, on="2026-09-03", session="am")
    listed = client.get(f"/v1/classes/{CLASS_ID}/registers").get_json()["items"]
    assert [(r["date"], r["session"]) for r in listed] == [
        ("2026-09-03", "am"),
        ("2026-09-02", "pm"),
        ("2026-09-02", "am"),
    ]


def test_second_register_for_the_same_session_is_409(client):
    """A class has one register per date and session; the answer names the first."""
    first = take(client).get_json()
    response = take(client)
    assert response.status_code == 409
    assert response.get_json()["detail"] == (
        f"The am register of class 1 for 2026-09-02 was already taken (register {first['id']})."
    )


@pytest.mark.parametrize(
    "marks, name, message",
    [
        (
            FULL_MARKS + [{"pupil_id": 9, "mark": "present"}],
            "/marks/2/pupil_id",
            "Pupil 9 is not in the class.",
        ),
        (
            FULL_MARKS + [{"pupil_id": 1, "mark": "absent"}],
            "/marks/2/pupil_id",
            "Pupil 1 is marked twice.",
        ),
        (FULL_MARKS[:1], "/marks", "Pupil 2 (Alan Turing) has no mark."),
    ],
    ids=["pupil-not-in-class", "pupil-marked-twice", "pupil-unmarked"],
)
def test_marks_must_match_the_class(client, marks, name, message):
    """Each mark is checked against the class students lists; the error names the pupil."""
    response = take(client, marks=marks)
    assert response.status_code == 422
    body = response.get_json()
    assert body["detail"] == "The register does not match class 1."
    assert body["errors"] == [{"in": "body", "name": name, "message": message}]


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"session": "am", "marks": FULL_MARKS}, "date"),
        ({"date": "2026-02-30", "session": "am", "marks": FULL_MARKS}, "/date"),
        ({"date": "2026-09-02", "session": "noon", "marks": FULL_MARKS}, "/session"),
        ({"date": "2026-09-02", "session": "am", "marks": []}, "/marks"),
        (
            {
                "date": "2026-09-02",
                "session": "am",
                "marks": [{"pupil_id": 1, "mark": "ill"}],
            },
            "/marks/0/mark",
        ),
    ],
    ids=[
        "missing-date",
        "impossible-date",
        "unknown-session",
        "no-marks",
        "unknown-mark",
    ],
)
def test_invalid_body_names_the_field(client, payload, field):
    """A body that breaks the spec answers 422 naming the field, before students is asked."""
    response = client.post(f"/v1/classes/{CLASS_ID}/registers", json=payload)
    assert response.status_code == 422
    assert any(field in str(error) for error in response.get_json()["errors"])


def test_unknown_class_is_404(client):
    """A class students does not know answers 404 saying so (mock overlay: class 404)."""
    response = take(client, class_id=404)
    assert response.status_code == 404
    assert (
        response.get_json()["detail"]
        == "Class 404 does not exist in the students service."
    )


@pytest.mark.parametrize(
    "fault, detail",
    [
        ({"timeout": True}, "The students service could not be reached for class 1:"),
        ({"status": 503}, "The students service answered 503 for class 1"),
    ],
    ids=["timeout", "server-error"],
)
def test_students_failing_is_502(client, students, fault, detail):
    """When students times out or fails, the answer is 502 naming the class."""
    students.fault("students", "list_class_pupils", **fault)
    response = take(client)
    assert response.status_code == 502
    assert response.get_json()["detail"].startswith(detail)


def test_students_is_asked_once_per_register(client, students):
    """Taking a register reads the class from students exactly once."""
    assert take(client).status_code == 201
    students.assert_called("list_class_pupils", times=1)
    (call,) = students.calls("list_class_pupils")
    assert call.path == f"/v1/classes/{CLASS_ID}/pupils"


def test_missing_register_is_404(client):
    """A missing register answers 404 problem+json saying which."""
    response = client.get("/v1/registers/999")
    assert response.status_code == 404
    assert response.get_json()["detail"] == "Register 999 does not exist."
