"""Matching (method, path) to operations: hits, precedence, base paths, and explained misses."""

from __future__ import annotations

import pytest

from satchel.openapi import (
    Candidate,
    Issue,
    Match,
    Miss,
    RequestInvalid,
    Spec,
    load_spec,
)


@pytest.mark.parametrize(
    ("method", "path", "operation_id", "params"),
    [
        pytest.param("GET", "/v2/items", "searchItems", {}, id="literal"),
        pytest.param(
            "post", "/v2/items", "createItem", {}, id="method-case-insensitive"
        ),
        pytest.param(
            "GET", "/v2/items/mine", "myItems", {}, id="literal-beats-template"
        ),
        pytest.param(
            "GET", "/v2/items/m%69ne", "myItems", {}, id="literal-percent-decoded"
        ),
        pytest.param("GET", "/v2/items/42", "getItem", {"id": "42"}, id="template"),
        pytest.param(
            "DELETE", "/v2/items/42", "deleteItem", {"id": "42"}, id="other-method"
        ),
        pytest.param(
            "GET",
            "/v2/items/a%2Fb%20c",
            "getItem",
            {"id": "a/b c"},
            id="param-percent-decoded",
        ),
        pytest.param(
            "GET",
            "/v2/items/7/parts/wheel",
            "getPart",
            {"id": "7", "part": "wheel"},
            id="two-params",
        ),
        pytest.param(
            "GET",
            "/v2/files/notes.v2.txt",
            "getFile",
            {"name": "notes.v2", "ext": "txt"},
            id="params-within-a-segment",
        ),
        pytest.param(
            "GET",
            "/v2/files/README",
            "getFileByName",
            {"name": "README"},
            id="whole-segment",
        ),
        pytest.param(
            "GET", "/v2/slash/", "withSlash", {}, id="trailing-slash-declared"
        ),
    ],
)
def test_hits(features: Spec, method, path, operation_id, params):
    """A path under the base path finds its operation and raw path parameters."""
    result = features.match(method, path)
    assert isinstance(result, Match)
    assert (result.operation.operation_id, result.path_params) == (operation_id, params)


@pytest.mark.parametrize(
    ("fixture", "path", "operation_id"),
    [
        pytest.param("petstore", "/pets/1", "showPetById", id="3.0-no-base"),
        pytest.param("petstore31", "/v1/pets/1", "showPetById", id="3.1-servers-url"),
        pytest.param("petstore20", "/api/pets/1", "showPetById", id="2.0-basePath"),
        pytest.param("multifile", "/zoo/pets/1", "showPet", id="templated-server"),
    ],
)
def test_base_paths(request, fixture, path, operation_id):
    """Paths include the spec's base path."""
    result = request.getfixturevalue(fixture).match("GET", path)
    assert isinstance(result, Match) and result.operation.operation_id == operation_id


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/v2/items/", id="trailing-slash-not-declared"),
        pytest.param("/v2/slash", id="missing-declared-trailing-slash"),
        pytest.param("/items", id="outside-base-path"),
        pytest.param("/v2", id="base-path-alone"),
        pytest.param("/v2items", id="base-path-prefix-of-segment"),
        pytest.param("/v2/items//", id="empty-segments"),
        pytest.param("v2/items", id="relative"),
    ],
)
def test_no_silent_redirects(features: Spec, path):
    """Trailing slashes and base paths are exact: near paths are 404s, not matches."""
    result = features.match("GET", path)
    assert isinstance(result, Miss) and result.status == 404


def test_an_empty_inner_segment_reaches_the_template_with_the_parameter_left_out(
    features: Spec,
):
    """ "/items//parts/7" is getPart without its id: the request check names it (422)."""
    result = features.match("GET", "/v2/items//parts/7")
    assert isinstance(result, Match)
    assert (result.operation.operation_id, result.path_params) == (
        "getPart",
        {"id": "", "part": "7"},
    )
    with pytest.raises(RequestInvalid) as caught:
        result.operation.request_validator()(result.path_params, {}, {}, {}, None, b"")
    assert caught.value.issues == (
        Issue("path", "id", "required parameter is missing"),
    )


@pytest.mark.parametrize(
    "path",
    ["/v2/items//parts", "/v2/items//", "/v2/items//nope/7", "/v2/grid//x"],
)
def test_an_empty_segment_no_template_has_the_shape_of_stays_a_404(
    features: Spec, path
):
    """Only a whole-segment parameter before the last segment takes an empty segment."""
    result = features.match("GET", path)
    assert isinstance(result, Miss) and result.status == 404


def test_405_lists_allowed_methods(features: Spec):
    """A path that exists without the method is a 405 naming the allowed methods."""
    result = features.match("PATCH", "/v2/items/9")
    assert isinstance(result, Miss)
    assert (result.status, result.allowed) == (405, ("GET", "DELETE"))
    assert [(c.operation.operation_id, c.reason) for c in result.candidates] == [
        ("getItem", "path matches but method is GET, not PATCH"),
        ("deleteItem", "path matches but method is DELETE, not PATCH"),
    ]
    assert result.explain() == (
        "PATCH /v2/items/9: method not allowed (allowed: GET, DELETE); nearest operations:\n"
        "  - GET /items/{id} (getItem): path matches but method is GET, not PATCH\n"
        "  - DELETE /items/{id} (deleteItem): path matches but method is DELETE, not PATCH"
    )


def test_404_ranks_the_nearest_candidates(petstore: Spec):
    """A 404 names the nearest operations (longest matching prefix, same method first)."""
    result = petstore.match("GET", "/pets/1/toys")
    assert isinstance(result, Miss)
    assert (result.status, result.allowed) == (404, ())
    assert result.candidates == (
        Candidate(
            petstore.operation("showPetById"),
            "template has 2 segments, path has 3 segments",
        ),
        Candidate(
            petstore.operation("listPets"),
            "template has 1 segment, path has 3 segments",
        ),
        Candidate(
            petstore.operation("createPet"),
            "template has 1 segment, path has 3 segments",
        ),
    )
    assert result.explain() == (
        "GET /pets/1/toys: no operation matches this path; nearest operations:\n"
        "  - GET /pets/{petId} (showPetById): template has 2 segments, path has 3 segments\n"
        "  - GET /pets (listPets): template has 1 segment, path has 3 segments\n"
        "  - POST /pets (createPet): template has 1 segment, path has 3 segments"
    )


def test_404_reason_names_the_first_wrong_segment(features: Spec):
    """The reason says which segment differs, and from what."""
    result = features.match("GET", "/v2/files/a.pdf/x")
    assert isinstance(result, Miss)
    reasons = {c.operation.operation_id: c.reason for c in result.candidates}
    assert reasons["getFile"] == "template has 2 segments, path has 3 segments"
    assert features.match("GET", "/v2/itemz").candidates[0].reason == (
        "segment 1: 'itemz' vs 'items'"
    )


def test_404_outside_the_base_path(petstore31: Spec):
    """A path outside the base path says so for every candidate."""
    result = petstore31.match("GET", "/pets")
    assert isinstance(result, Miss) and result.status == 404
    assert {c.reason for c in result.candidates} == {
        "path does not start with the base path '/v1'"
    }


def test_spec_without_operations_explains_itself(write_spec):
    """A miss on an empty spec says there is nothing to match."""
    name = write_spec(
        {"empty.yaml": "openapi: 3.1.0\ninfo: {title: t, version: '1'}\n"}
    )
    assert load_spec(name).match("GET", "/x").explain() == (
        "GET /x: no operation matches this path; the spec has no operations."
    )


def test_many_paths_match_without_scanning(write_spec):
    """Hundreds of templated paths still resolve to the right one (trie, not a regex scan)."""
    paths = "".join(
        f"  /r{i}/{{id}}/items/{{item}}:\n    get:\n      operationId: op{i}\n"
        "      parameters:\n"
        "        - {name: id, in: path, required: true, schema: {type: string}}\n"
        "        - {name: item, in: path, required: true, schema: {type: string}}\n"
        "      responses: {'200': {description: ok}}\n"
        for i in range(300)
    )
    name = write_spec(
        {
            "big.yaml": f"openapi: 3.0.3\ninfo: {{title: t, version: '1'}}\npaths:\n{paths}"
        }
    )
    spec = load_spec(name)
    result = spec.match("GET", "/r299/a/items/b")
    assert isinstance(result, Match)
    assert (result.operation.operation_id, result.path_params) == (
        "op299",
        {"id": "a", "item": "b"},
    )
