"""The example resource through the HTTP API: create, list, read, update, delete."""

import pytest


def create(client, title="Trip consent forms", body="Collect by Friday."):
    response = client.post("/v1/notes", json={"title": title, "body": body})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_create_then_read(client):
    """A created note reads back with its author and a Location header."""
    response = client.post(
        "/v1/notes", json={"title": "Sports day", "body": "Bring hats."}
    )
    note = response.get_json()
    assert response.status_code == 201
    assert response.headers["Location"] == f"/v1/notes/{note['id']}"
    assert note["created_by"] == "teacher-of-school-a"
    assert client.get(f"/v1/notes/{note['id']}").get_json() == note


def test_list_is_newest_first_and_paged(client):
    """Notes list newest first; ``before`` continues from the last page."""
    ids = [create(client, title=f"Note {n}")["id"] for n in range(3)]
    first = client.get("/v1/notes?limit=2").get_json()
    assert [note["id"] for note in first["items"]] == [ids[2], ids[1]]
    second = client.get(f"/v1/notes?limit=2&before={first['next_before']}").get_json()
    assert [note["id"] for note in second["items"]] == [ids[0]]
    assert second["next_before"] is None


def test_update_and_delete(client):
    """A note is replaced by PUT and gone after DELETE."""
    note = create(client)
    updated = client.put(
        f"/v1/notes/{note['id']}", json={"title": "Changed"}
    ).get_json()
    assert (updated["title"], updated["body"]) == ("Changed", "")
    assert client.delete(f"/v1/notes/{note['id']}").status_code == 204
    assert client.get(f"/v1/notes/{note['id']}").status_code == 404


def test_missing_note_is_problem_json(client):
    """A missing note answers 404 as problem+json saying which note."""
    response = client.get("/v1/notes/999")
    assert response.status_code == 404
    assert response.mimetype == "application/problem+json"
    assert response.get_json()["detail"] == "Note 999 does not exist."


@pytest.mark.parametrize(
    "payload, field",
    [
        ({"body": "no title"}, "title"),
        ({"title": ""}, "/title"),
        ({"title": "x", "colour": "red"}, "colour"),
        ({"title": 5}, "/title"),
    ],
    ids=["missing-title", "empty-title", "unknown-field", "title-not-string"],
)
def test_invalid_body_names_the_field(client, payload, field):
    """A body that breaks the spec answers 422 naming the field."""
    response = client.post("/v1/notes", json=payload)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    errors = response.get_json()["errors"]
    assert any(field in str(error) for error in errors), errors


def test_invalid_query_parameter(client):
    """A limit outside the spec's range answers 422 naming the parameter."""
    response = client.get("/v1/notes?limit=1000")
    assert response.status_code == 422
    assert "limit" in str(response.get_json()["errors"])


def test_no_token_is_401(app):
    """Without a bearer token the API answers 401 problem+json."""
    from satchel.testing import tenant_client

    anonymous = tenant_client(
        app, "school-a", domain=app.config["SETTINGS"].base_domain
    )
    response = anonymous.get("/v1/notes")
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(
    "path",
    ["/v1/notes/3243843466", "/v1/notes/99999999999999999999999"],
    ids=["beyond-int32", "beyond-int64"],
)
def test_ids_beyond_the_column_are_422(client, path):
    """An id no column can hold is refused before any query, not a database 500."""
    response = client.get(path)
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"


@pytest.mark.parametrize(
    "escaped", [r"nul\u0000byte", r"lone \ud800 surrogate"], ids=["nul", "surrogate"]
)
def test_unstorable_text_is_422(client, escaped):
    """JSON may carry NUL or an unpaired surrogate; both are refused with 422 naming the field."""
    response = client.post(
        "/v1/notes",
        data='{"title": "%s"}' % escaped,
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 422
    assert response.get_json()["errors"][0]["pointer"] == "/title"


def test_a_huge_value_is_quoted_by_its_prefix_only(client):
    """A 422 about a long value quotes a short prefix of it, not the whole value."""
    response = client.post("/v1/notes", json={"title": "x" * 100_000})
    assert response.status_code == 422
    assert len(response.get_data()) < 2_000


def test_a_body_over_the_limit_is_413(client, app):
    """A body larger than max_request_bytes is refused with 413 problem+json."""
    limit = app.config["SETTINGS"].max_request_bytes
    response = client.post(
        "/v1/notes",
        data=b"{" + b" " * limit + b"}",
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.mimetype == "application/problem+json"
