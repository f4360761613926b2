"""Request validation: coercion by schema and style, exact issues, and 400/415/422 outcomes."""

from __future__ import annotations

from typing import Any

import pytest

from satchel.openapi import Issue, RequestInvalid, Spec, ValidRequest

from .conftest import SESSION, call


def test_validator_is_compiled_once(petstore: Spec):
    """request_validator() returns the same compiled object every time."""
    operation = petstore.operation("showPetById")
    assert operation.request_validator() is operation.request_validator()


@pytest.mark.parametrize(
    ("fixture", "operation_id", "kwargs", "issues"),
    [
        pytest.param(
            "petstore", "showPetById", {"path": {"petId": "abc"}},
            [Issue("path", "petId", "'abc' is not of type 'integer'")], id="path-type",
        ),
        pytest.param(
            "petstore", "showPetById", {"path": {"petId": "0"}},
            [Issue("path", "petId", "0 is less than the minimum of 1")], id="path-minimum",
        ),
        pytest.param(
            "petstore", "listPets", {"query": {"limit": ["101"]}},
            [Issue("query", "limit", "101 is greater than the maximum of 100")],
            id="query-maximum",
        ),
        pytest.param(
            "petstore", "listPets", {"query": {"limit": ["99999999999"]}},
            [
                Issue("query", "limit", "99999999999 is not a 'int32'"),
                Issue("query", "limit", "99999999999 is greater than the maximum of 100"),
            ],
            id="query-int32",
        ),
        pytest.param(
            "features", "searchItems", {},
            [Issue("cookie", "session", "required parameter is missing")],
            id="cookie-missing",
        ),
        pytest.param(
            "features", "searchItems", {"cookies": {"session": "ab"}},
            [Issue("cookie", "session", "'ab' is too short")], id="cookie-too-short",
        ),
        pytest.param(
            "features", "searchItems", {"cookies": SESSION, "query": {"ids": ["1", "x"]}},
            [Issue("query", "ids/1", "'x' is not of type 'integer'")], id="array-item",
        ),
        pytest.param(
            "features", "searchItems", {"cookies": SESSION, "query": {"where": ["{}"]}},
            [Issue("query", "where/field", "'field' is a required property")],
            id="content-param-required-property",
        ),
        pytest.param(
            "features", "searchItems", {"cookies": SESSION, "headers": {"x-trace": "x"}},
            [Issue("header", "X-Trace", "'x' is not of type 'integer'")], id="header-type",
        ),
        pytest.param(
            "features", "searchItems", {"cookies": SESSION, "query": {"active": ["yes"]}},
            [Issue("query", "active", "'yes' is not of type 'boolean'")], id="boolean-word",
        ),
        pytest.param(
            "features", "searchItems", {"cookies": SESSION, "query": {"where": ["{"]}},
            [Issue("query", "where", "'{' is not of type 'object'")], id="content-param-not-json",
        ),
        pytest.param(
            "features", "getShape", {"path": {"shape": "x,1,y"}},
            [Issue("path", "shape", "'x,1,y' is not of type 'object'")], id="object-odd-pairs",
        ),
        pytest.param(
            "features", "getFile", {"path": {"name": "a", "ext": "pdf"}},
            [Issue("path", "ext", "'pdf' is not one of ['txt', 'csv']")], id="enum",
        ),
        pytest.param(
            "petstore", "createPet", {},
            [Issue("body", "", "request body is required")], id="body-required",
        ),
        pytest.param(
            "petstore", "createPet", {"content_type": "application/json", "body": b"{}"},
            [Issue("body", "/name", "'name' is a required property")],
            id="body-required-property",
        ),
        pytest.param(
            "petstore", "createPet",
            {"content_type": "application/json", "body": b'{"name": "", "x": 1}'},
            [
                Issue("body", "", "Additional properties are not allowed ('x' was unexpected)"),
                Issue("body", "/name", "'' should be non-empty"),
            ],
            id="body-several",
        ),
        pytest.param(
            "features", "createItem",
            {"content_type": "application/json", "body": b'{"id": 1, "name": "x"}'},
            [Issue("body", "/id", "Tried to write read-only property with 1")],
            id="body-read-only",
        ),
        pytest.param(
            "petstore31", "createPet",
            {"content_type": "application/json", "body": b'{"name": ""}'},
            [Issue("body", "/name", "'' should be non-empty")], id="3.1-defs-ref",
        ),
        pytest.param(
            "scopes", "createThing",
            {"content_type": "application/json", "body": b'{"name": "a"}'},
            [Issue("body", "/tag", "'tag' is a required property")], id="3.1-ref-siblings-apply",
        ),
        pytest.param(
            "scopes", "createScoped",
            {"content_type": "application/json", "body": b'{"thing": "x"}'},
            [Issue("body", "/thing", "'x' is not of type 'integer'")], id="3.1-top-level-id",
        ),
        pytest.param(
            "scopes", "createNested",
            {"content_type": "application/json", "body": b'{"thing": {}, "inner": {"n": "x"}}'},
            [
                Issue("body", "/thing/name", "'name' is a required property"),
                Issue("body", "/inner/n", "'x' is not of type 'integer'"),
            ],
            id="3.1-nested-id",
        ),
        pytest.param(
            "multifile", "createCategory",
            {"content_type": "application/json", "body": b'{"name": "a", "children": [{}]}'},
            [Issue("body", "/children/0/name", "'name' is a required property")],
            id="recursive-schema",
        ),
        pytest.param(
            "petstore20", "uploadPhoto",
            {
                "path": {"petId": "1"},
                "content_type": "application/x-www-form-urlencoded",
                "body": b"rating=9",
            },
            [
                Issue("body", "/rating", "9 is greater than the maximum of 5"),
                Issue("body", "/caption", "'caption' is a required property"),
            ],
            id="swagger-form",
        ),
    ],
)  # fmt: skip
def test_422_issues_are_exact(request, fixture, operation_id, kwargs, issues):
    """Each violation becomes one Issue with location, field and jsonschema's message."""
    with pytest.raises(RequestInvalid) as caught:
        call(request.getfixturevalue(fixture), operation_id, **kwargs)
    assert caught.value.status == 422
    assert list(caught.value.issues) == issues


@pytest.mark.parametrize(
    ("content_type", "body", "expected"),
    [
        pytest.param(
            "application/json", b'{"name": "x", "count": 2}', {"name": "x", "count": 2},
            id="json",
        ),
        pytest.param(
            "Application/JSON; charset=utf-8", b'{"name": "x"}', {"name": "x"},
            id="json-with-parameters",
        ),
        pytest.param(
            "application/x-www-form-urlencoded", b"name=x&count=3&labels=a&labels=b&extra=1",
            {"name": "x", "count": 3, "labels": ["a", "b"], "extra": "1"}, id="form",
        ),
        pytest.param(
            "application/octet-stream", b"\x00\x01", b"\x00\x01", id="bytes-without-schema"
        ),
        pytest.param("text/plain", b"hello", "hello", id="text-wildcard"),
        pytest.param("text/csv; charset=utf-8", b"a,b", "a,b", id="text-other-subtype"),
        pytest.param(None, b"", None, id="optional-body-absent"),
    ],
)  # fmt: skip
def test_body_parsing_by_media_type(features: Spec, content_type, body, expected):
    """Bodies are parsed per declared media type (JSON, form, text) and checked."""
    assert (
        call(features, "createItem", content_type=content_type, body=body).body
        == expected
    )


@pytest.mark.parametrize(
    ("content_type", "body", "issue"),
    [
        pytest.param(
            "application/json", b"{nope", "body is not valid JSON: Expecting property name "
            "enclosed in double quotes: line 1 column 2 (char 1)", id="bad-json",
        ),
        pytest.param("text/plain", b"\xff\xfe", "body is not valid UTF-8", id="bad-utf8"),
    ],
)  # fmt: skip
def test_400_for_malformed_bodies(features: Spec, content_type, body, issue):
    """A body that cannot be parsed in its media type is a 400, not a 422."""
    with pytest.raises(RequestInvalid) as caught:
        call(features, "createItem", content_type=content_type, body=body)
    assert caught.value.status == 400
    assert caught.value.issues == (Issue("body", "", issue),)
    assert caught.value.detail == f"Malformed request: {issue}."


@pytest.mark.parametrize(
    ("content_type", "message"),
    [
        pytest.param(
            "application/xml",
            "'application/xml' is not accepted; send one of: application/json",
            id="other-type",
        ),
        pytest.param(
            None,
            "no Content-Type is not accepted; send one of: application/json",
            id="absent",
        ),
    ],
)
def test_415_lists_accepted_media_types(petstore: Spec, content_type, message):
    """A body in an undeclared media type is a 415 naming the accepted ones."""
    with pytest.raises(RequestInvalid) as caught:
        call(petstore, "createPet", content_type=content_type, body=b"<pet/>")
    assert caught.value.status == 415
    assert caught.value.issues == (Issue("header", "Content-Type", message),)


def test_problem_for_422(petstore: Spec):
    """to_problem() gives request-invalid problem+json with one entry per issue."""
    with pytest.raises(RequestInvalid) as caught:
        call(petstore, "createPet", content_type="application/json", body=b'{"tag": 1}')
    assert caught.value.to_problem().to_dict() == {
        "type": "https://satchel.dev/problems/request-invalid",
        "title": "Unprocessable Entity",
        "status": 422,
        "detail": "Invalid request: body /name: 'name' is a required property "
        "(and 1 more problem, see 'errors').",
        "errors": [
            {
                "in": "body",
                "pointer": "/name",
                "message": "'name' is a required property",
            },
            {"in": "body", "pointer": "/tag", "message": "1 is not of type 'string'"},
        ],
    }


def test_problem_for_415(petstore: Spec):
    """A 415 problem has the unsupported-media-type type."""
    with pytest.raises(RequestInvalid) as caught:
        call(petstore, "createPet", content_type="text/plain", body=b"x")
    assert caught.value.to_problem().to_dict() == {
        "type": "https://satchel.dev/problems/unsupported-media-type",
        "title": "Unsupported Media Type",
        "status": 415,
        "detail": "Unsupported media type: 'text/plain' is not accepted; send one of: "
        "application/json.",
        "errors": [
            {
                "in": "header",
                "name": "Content-Type",
                "message": "'text/plain' is not accepted; send one of: application/json",
            }
        ],
    }


def test_problem_for_path_parameter(petstore: Spec):
    """A parameter issue names the parameter and its location."""
    with pytest.raises(RequestInvalid) as caught:
        call(petstore, "showPetById", path={"petId": "x"})
    problem = caught.value.to_problem()
    assert problem.extensions == {
        "errors": [
            {"in": "path", "name": "petId", "message": "'x' is not of type 'integer'"}
        ]
    }
    assert (
        problem.detail == "Invalid request: path petId: 'x' is not of type 'integer'."
    )


def test_valid_request_is_complete(petstore: Spec):
    """A valid request returns every part, coerced."""
    valid: Any = call(petstore, "showPetById", path={"petId": "3"})
    assert valid == ValidRequest(
        path={"petId": 3}, query={}, headers={}, cookies={}, body=None
    )


def multipart(*parts: tuple[str, str | None, bytes]) -> bytes:
    """Encode (name, filename, content) parts with the boundary "XX"."""
    chunks = []
    for name, filename, content in parts:
        disposition = f'form-data; name="{name}"' if name else "form-data"
        disposition += f'; filename="{filename}"' if filename else ""
        chunks.append(
            f"--XX\r\nContent-Disposition: {disposition}\r\n\r\n".encode() + content
        )
    return b"\r\n".join(chunks) + b"\r\n--XX--\r\n"


MULTIPART = "multipart/form-data; boundary=XX"


def test_multipart_fields_and_files(features: Spec):
    """Multipart text fields are coerced; files stay bytes."""
    body = multipart(
        ("note", None, b"hello"),
        ("count", None, b"3"),
        ("tags", None, b"1"),
        ("tags", None, b"2"),
        ("file", "a.bin", b"\x00\xff\x01"),
        ("", None, b"parts without a name are skipped"),
    )
    valid = call(features, "upload", content_type=MULTIPART, body=body)
    assert valid.body == {
        "note": "hello",
        "count": 3,
        "tags": [1, 2],
        "file": b"\x00\xff\x01",
    }


@pytest.mark.parametrize(
    ("content_type", "body", "status", "issue"),
    [
        pytest.param(
            MULTIPART, multipart(("file", "a.bin", b"123456789")), 422,
            Issue("body", "/file", "'123456789' is too long"), id="file-too-long",
        ),
        pytest.param(
            MULTIPART, multipart(("note", None, b"x")), 422,
            Issue("body", "/file", "'file' is a required property"), id="file-missing",
        ),
        pytest.param(
            "multipart/form-data; boundary=YY", multipart(("note", None, b"x")), 400,
            Issue(
                "body", "", "body is not valid multipart/form-data (check the boundary in "
                "Content-Type)",
            ),
            id="wrong-boundary",
        ),
    ],
)  # fmt: skip
def test_multipart_issues(features: Spec, content_type, body, status, issue):
    """Multipart bodies are checked like any other, and unreadable ones are 400s."""
    with pytest.raises(RequestInvalid) as caught:
        call(features, "upload", content_type=content_type, body=body)
    assert (caught.value.status, caught.value.issues) == (status, (issue,))


def test_request_invalid_without_issues_has_a_generic_detail():
    """A RequestInvalid built without issues still explains itself."""
    error = RequestInvalid(422, ())
    assert error.detail == "The request does not match the API specification."


@pytest.mark.parametrize(
    ("fixture", "operation_id", "kwargs", "status", "issue"),
    [
        pytest.param(
            "multifile", "createCategory",
            {"content_type": "application/json", "body": b"[" * 100_000},
            400, Issue("body", "", "body is nested too deeply to parse"),
            id="json-too-deep-to-parse",
        ),
        pytest.param(
            "multifile", "createCategory",
            {
                "content_type": "application/json",
                "body": b'{"name": "a", "children": [' * 400 + b'{"name": "x"}' + b"]}" * 400,
            },
            422, Issue("body", "", "value is nested too deeply to validate"),
            id="recursive-schema-too-deep-to-validate",
        ),
        pytest.param(
            "petstore", "createPet",
            {"content_type": "application/json", "body": b'{"name": ' + b"9" * 5000 + b"}"},
            400,
            Issue(
                "body", "",
                "body is not valid JSON: Exceeds the limit (4300 digits) for integer string "
                "conversion: value has 5000 digits; use sys.set_int_max_str_digits() to "
                "increase the limit",
            ),
            id="json-number-too-long",
        ),
        pytest.param(
            "petstore", "showPetById", {"path": {"petId": "9" * 5000}},
            422, Issue("path", "petId", f"'{'9' * 5000}' is not of type 'integer'"),
            id="path-number-too-long",
        ),
    ],
)  # fmt: skip
def test_hostile_inputs_are_client_errors(
    request, fixture, operation_id, kwargs, status, issue
):
    """Inputs that would overflow the parser or the validator are 400/422, never a crash."""
    with pytest.raises(RequestInvalid) as caught:
        call(request.getfixturevalue(fixture), operation_id, **kwargs)
    assert (caught.value.status, caught.value.issues) == (status, (issue,))
