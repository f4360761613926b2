"""The pupils-move release flag guards moving a pupil: both states tested."""

from tests.conftest import make_class


def test_move_is_hidden_while_the_flag_is_off(client, flags):
    """With the flag off the operation does not exist for the tenant (404 problem+json)."""
    flags.set("pupils-move", False)
    pupil = make_class(client, "4B", ("Ada Lovelace",))["items"][0]
    target = make_class(client, "5C")["class"]
    response = client.post(
        f"/v1/pupils/{pupil['id']}/move", json={"class_id": target["id"]}
    )
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert (
        client.get(f"/v1/pupils/{pupil['id']}").get_json()["class_id"]
        == pupil["class_id"]
    )


def test_move_works_when_the_flag_is_on(client, flags):
    """With the flag on the pupil moves and the new class lists them."""
    flags.set("pupils-move", True)
    pupil = make_class(client, "4B", ("Ada Lovelace",))["items"][0]
    target = make_class(client, "5C")["class"]
    response = client.post(
        f"/v1/pupils/{pupil['id']}/move", json={"class_id": target["id"]}
    )
    assert response.status_code == 200
    assert response.get_json()["class_id"] == target["id"]
    listed = client.get(f"/v1/classes/{target['id']}/pupils").get_json()["items"]
    assert [p["id"] for p in listed] == [pupil["id"]]


def test_move_to_a_missing_class_is_404(client, flags):
    """With the flag on, moving into a class that does not exist says which class."""
    flags.set("pupils-move", True)
    pupil = make_class(client, "4B", ("Ada Lovelace",))["items"][0]
    response = client.post(f"/v1/pupils/{pupil['id']}/move", json={"class_id": 999})
    assert response.status_code == 404
    assert response.get_json()["detail"] == "Class 999 does not exist."
