"""The registers-late-mark release flag: 'late' is refused while off, stored when on."""

LATE = [{"pupil_id": 1, "mark": "late"}, {"pupil_id": 2, "mark": "present"}]


def take_late(client):
    return client.post(
        "/v1/classes/1/registers",
        json={"date": "2026-09-02", "session": "am", "marks": LATE},
    )


def test_late_is_refused_while_the_flag_is_off(client, flags):
    """With the flag off a late mark answers 422 saying how to mark instead."""
    flags.set("registers-late-mark", False)
    response = take_late(client)
    assert response.status_code == 422
    assert response.get_json()["errors"] == [
        {
            "in": "body",
            "name": "/marks/0/mark",
            "message": "'late' is not available yet (flag registers-late-mark is off): "
            "mark present or absent.",
        }
    ]


def test_late_is_stored_when_the_flag_is_on(client, flags):
    """With the flag on the late mark is stored."""
    flags.set("registers-late-mark", True)
    response = take_late(client)
    assert response.status_code == 201
    assert response.get_json()["marks"][0]["mark"] == "late"
