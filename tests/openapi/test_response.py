"""Response validation: the declared response is found by code, range or default, then checked."""

from __future__ import annotations

import pytest

from satchel.openapi import MISSING, Issue

PET = {"id": 1, "name": "Rex", "tag": "dog"}


@pytest.mark.parametrize(
    ("fixture", "operation_id", "status", "media_type", "body", "issues"),
    [
        pytest.param("petstore", "showPetById", 200, "application/json", PET, [], id="valid"),
        pytest.param(
            "petstore", "showPetById", "200", "application/json; charset=utf-8",
            b'{"id": 1, "name": "Rex"}', [], id="bytes-parsed",
        ),
        pytest.param(
            "petstore", "showPetById", 200, "application/json", {"id": "1"},
            [
                Issue("body", "/name", "'name' is a required property"),
                Issue("body", "/id", "'1' is not of type 'integer'"),
            ],
            id="schema-violations",
        ),
        pytest.param(
            "petstore", "showPetById", 404, "application/json", {"code": 404},
            [Issue("body", "/message", "'message' is a required property")],
            id="exact-code",
        ),
        pytest.param(
            "petstore", "showPetById", 500, "application/json", {},
            [Issue("status", "500", "status is not declared (declared: 200, 404)")],
            id="undeclared-status",
        ),
        pytest.param(
            "petstore31", "createPet", 409, "application/problem+json", {"code": 409},
            [Issue("body", "/message", "'message' is a required property")],
            id="range-4XX",
        ),
        pytest.param(
            "petstore31", "showPetById", 503, "application/json",
            {"code": 503, "message": "down"}, [], id="default",
        ),
        pytest.param(
            "petstore31", "showPetById", 200, "application/json",
            {"id": 1, "name": "Rex", "tag": None}, [], id="3.1-null-in-type-array",
        ),
        pytest.param(
            "petstore31", "showPetById", 200, "application/json",
            {"id": 1, "name": "Rex", "kind": "dog"},
            [Issue("body", "/kind", "'pet' was expected")], id="3.1-const",
        ),
        pytest.param(
            "petstore", "showPetById", 200, "text/html", "<p>",
            [
                Issue(
                    "header", "Content-Type",
                    "'text/html' is not declared for response 200 (declared: application/json)",
                )
            ],
            id="undeclared-media-type",
        ),
        pytest.param(
            "petstore", "showPetById", 200, None, None,
            [Issue("body", "", "response 200 needs a body (application/json)")],
            id="missing-body",
        ),
        pytest.param(
            "petstore", "showPetById", 200, "application/json", b"{",
            [
                Issue(
                    "body", "",
                    "body is not valid JSON: Expecting property name enclosed in double "
                    "quotes: line 1 column 2 (char 1)",
                )
            ],
            id="malformed-json",
        ),
        pytest.param("petstore20", "uploadPhoto", 204, None, None, [], id="no-content"),
        pytest.param(
            "petstore20", "uploadPhoto", 204, "application/json", {"x": 1},
            [Issue("body", "", "response 204 declares no content")], id="unexpected-body",
        ),
        pytest.param(
            "petstore20", "showPetById", 404, None, b"", [], id="swagger-no-schema",
        ),
        pytest.param(
            "petstore20", "createPet", 422, "application/json", {"code": 1},
            [Issue("body", "/message", "'message' is a required property")],
            id="swagger-response-ref",
        ),
        pytest.param("features", "createItem", 202, None, None, [], id="range-2XX"),
        pytest.param("features", "getItem", 200, "text/plain", "x", [], id="no-schema"),
        pytest.param(
            "multifile", "replacePet", 200, "application/json",
            {
                "id": 1, "name": "x", "tags": [{"label": ""}],
                "category": {"name": "a", "children": [{"name": "b", "children": [{}]}]},
            },
            [
                Issue("body", "/tags/0/label", "'' should be non-empty"),
                Issue("body", "/category/children/0/children/0/name",
                      "'name' is a required property"),
            ],
            id="multifile-recursive",
        ),
    ],
)  # fmt: skip
def test_validate_response(
    request, fixture, operation_id, status, media_type, body, issues
):
    """validate_response returns exact issues; an empty list when the response conforms."""
    operation = request.getfixturevalue(fixture).operation(operation_id)
    assert operation.validate_response(status, media_type, body) == issues


def test_examples_in_fixtures_are_valid(petstore, petstore31, petstore20, multifile):
    """Every example of a numbered response in the fixture specs fits its own schema."""
    checked = 0
    for spec in (petstore, petstore31, petstore20, multifile):
        for operation in spec.operations:
            for status, response in operation.responses.items():
                for media_type, media in response.content.items():
                    values = list(media.examples.values())
                    values += [media.example] if media.example is not MISSING else []
                    for value in values if status.isdigit() else ():
                        assert (
                            operation.validate_response(status, media_type, value) == []
                        )
                        checked += 1
    assert checked == 10
