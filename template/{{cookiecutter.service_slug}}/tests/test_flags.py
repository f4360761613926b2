"""The notes-archive release flag guards archiving: both states tested."""


def test_archive_is_hidden_while_the_flag_is_off(client, flags):
    """With the flag off the operation does not exist for the tenant (404 problem+json)."""
    flags.set("notes-archive", False)
    note = client.post("/v1/notes", json={"title": "Old news"}).get_json()
    response = client.post(f"/v1/notes/{note['id']}/archive")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"


def test_archive_works_when_the_flag_is_on(client, flags):
    """With the flag on the note is archived."""
    flags.set("notes-archive", True)
    note = client.post("/v1/notes", json={"title": "Old news"}).get_json()
    response = client.post(f"/v1/notes/{note['id']}/archive")
    assert response.status_code == 200
    assert response.get_json()["archived"] is True
