"""Every way a spec can fail to load names the file, line, pointer, problem and fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from satchel.openapi import SpecError, load_spec

HEAD = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"
OK = "      responses:\n        '200': {description: ok}\n"
SUPPORTED = "Satchel reads swagger 2.0 and openapi 3.0.x or 3.1.x documents."

CASES = [
    pytest.param(
        {"spec.yaml": "openapi: 3.0.3\ninfo:\n  title: t\n  version: [1\npaths: {}\n"},
        "spec.yaml:5: /: invalid YAML: did not find expected ',' or ']' (while parsing a flow "
        "sequence that starts at line 4). Fix the syntax at or before that line.",
        id="malformed-yaml",
    ),
    pytest.param(
        {"spec.json": '{"openapi": "3.0.3",\n "paths": {\n}\n'},
        "spec.json:4: /: invalid JSON: Expecting ',' delimiter. Fix the syntax at that line.",
        id="malformed-json",
    ),
    pytest.param(
        {"spec.yaml": "- openapi\n- 3.0.3\n"},
        f"spec.yaml:1: /: the document is not a mapping (it is a list). {SUPPORTED}",
        id="not-a-mapping",
    ),
    pytest.param(
        {"spec.yaml": "# nothing here\n"},
        f"spec.yaml: /: the document is not a mapping (it is empty). {SUPPORTED}",
        id="empty",
    ),
    pytest.param(
        {"spec.yaml": "info: {title: t, version: '1'}\npaths: {}\n"},
        "spec.yaml:1: /: no 'openapi' or 'swagger' key says which version this is. Start the "
        "document with 'openapi: 3.1.0' (or 'swagger: \"2.0\"').",
        id="no-version-key",
    ),
    pytest.param(
        {"spec.yaml": "info: {title: t}\nopenapi: 4.0.0\npaths: {}\n"},
        f"spec.yaml:2: /openapi: unsupported OpenAPI version '4.0.0'. {SUPPORTED}",
        id="openapi-4.0",
    ),
    pytest.param(
        {"spec.yaml": "swagger: '1.2'\ninfo: {title: t, version: '1'}\npaths: {}\n"},
        f"spec.yaml:1: /swagger: unsupported Swagger version '1.2'. {SUPPORTED}",
        id="swagger-1.2",
    ),
    pytest.param(
        {"spec.yaml": HEAD},
        "spec.yaml:1: /: 'paths' is missing (OpenAPI 3.0 requires it). Add 'paths: {}', or "
        "declare openapi: 3.1.0 where it is optional.",
        id="openapi-3.0-without-paths",
    ),
    pytest.param(
        {"spec.yaml": HEAD + "paths:\n  - /pets\n"},
        "spec.yaml:3: /paths: 'paths' must be a mapping, not a list. Map each path to its "
        "methods.",
        id="paths-not-a-mapping",
    ),
    pytest.param(
        {"spec.yaml": "swagger: '2.0'\ninfo: {title: t, version: '1'}\n"},
        "spec.yaml:1: /paths: 'paths' must be a mapping, not null. Map each path to its methods.",
        id="swagger-without-paths",
    ),
    pytest.param(
        {"spec.yaml": HEAD + "paths:\n  pets:\n    get:\n" + OK},
        "spec.yaml:4: /paths/pets: path 'pets' does not start with '/'. Write it as '/...'.",
        id="path-without-slash",
    ),
    pytest.param(
        {"spec.yaml": HEAD + "paths:\n  /pets:\n    get: list them\n"},
        "spec.yaml:5: /paths/~1pets/get: an operation must be a mapping, not a string. Give "
        "it 'responses' (and parameters, requestBody, ...).",
        id="operation-not-a-mapping",
    ),
    pytest.param(
        {"spec.yaml": HEAD + "paths:\n  /pets: 42\n"},
        "spec.yaml:4: /paths/~1pets: a path item must be a mapping, not a number. List its methods "
        "(get, post, ...) under the path.",
        id="path-item-not-a-mapping",
    ),
    pytest.param(
        {
            "spec.yaml": HEAD
            + "paths:\n  /pets:\n    post:\n      requestBody: [x]\n"
            + OK
        },
        "spec.yaml:6: /paths/~1pets/post/requestBody: a requestBody must be a mapping, not a "
        "list. Give it a 'content' map (and 'required').",
        id="request-body-not-a-mapping",
    ),
    pytest.param(
        {
            "spec.yaml": HEAD
            + "paths:\n  /pets:\n    get:\n      responses:\n        '200': ok\n"
        },
        "spec.yaml:7: /paths/~1pets/get/responses/200: a response must be a mapping, not a "
        "string. Give it a 'description' (and 'content').",
        id="response-not-a-mapping",
    ),
    pytest.param(
        {
            "spec.yaml": HEAD
            + "paths:\n  /pets:\n    get:\n      responses:\n        '200':\n"
            + "          description: ok\n          content: application/json\n"
        },
        "spec.yaml:9: /paths/~1pets/get/responses/200/content: 'content' must be a mapping, not "
        "a string. Map each media type to its schema.",
        id="content-not-a-mapping",
    ),
    pytest.param(
        {
            "spec.yaml": "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n"
            + "    get:\n      responses:\n        '200': ok\n"
        },
        "spec.yaml:7: /paths/~1pets/get/responses/200: a response must be a mapping, not a "
        "string. Give it a 'description' (and 'schema').",
        id="swagger-response-not-a-mapping",
    ),
    pytest.param(
        {
            "spec.yaml": "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n"
            + "    get:\n      responses: []\n"
        },
        "spec.yaml:6: /paths/~1pets/get/responses: 'responses' must be a mapping, not a list. "
        "Map each status code to a response.",
        id="swagger-responses-not-a-mapping",
    ),
    pytest.param(
        {
            "spec.yaml": "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n"
            + "    get:\n      parameters: limit\n"
            + OK
        },
        "spec.yaml:6: /paths/~1pets/get/parameters: 'parameters' must be a list, not a string. "
        "Write one '- name: ...' entry per parameter.",
        id="swagger-parameters-not-a-list",
    ),
    pytest.param(
        {"spec.yaml": "openapi: 3.0.3\ninfo: {title: t}\npaths: {}\n\x07: x\n"},
        "spec.yaml:4: /: invalid YAML: control characters are not allowed (#x0007). Remove the "
        "character.",
        id="yaml-reader-error",
    ),
    pytest.param(
        {
            "spec.yaml": HEAD
            + "paths:\n  /pets:\n    get:\n      responses:\n        '200':\n"
            + "          description: ok\n          content:\n            application/json:\n"
            + "              schema:\n                $ref: '#/components/schemas/Pet'\n"
            + "components:\n  schemas: {}\n"
        },
        "spec.yaml:12: /paths/~1pets/get/responses/200/content/application~1json/schema/$ref: "
        "$ref '#/components/schemas/Pet' does not resolve: no 'Pet' in /components/schemas. "
        "Define the target or fix the reference.",
        id="ref-to-missing-local-pointer",
    ),
    pytest.param(
        {
            "spec.yaml": HEAD
            + "paths:\n  /pets:\n    get:\n      parameters:\n"
            + "        - $ref: 'common.yaml#/components/parameters/Limit'\n"
            + OK
        },
        "spec.yaml:7: /paths/~1pets/get/parameters/0/$ref: $ref "
        "'common.yaml#/components/parameters/Limit' points to a missing file (common.yaml). "
        "Create the file or fix the relative path (it is resolved against the file that "
        "contains the $ref).",
        id="ref-to-missing-file",
    ),
    pytest.param(
        {
            "spec.yaml": HEAD
            + "paths:\n  /pets:\n    get:\n      responses:\n        '200':\n"
            + "          description: ok\n          content:\n            application/json:\n"
            + "              schema:\n                $ref: 'schemas/pet.yaml'\n",
            "schemas/pet.yaml": "type: object\nproperties:\n  tag:\n    $ref: 'tag.yaml#/Tag'\n",
            "schemas/tag.yaml": "Label: {type: string}\n",
        },
        "schemas/pet.yaml:4: /properties/tag/$ref: $ref 'tag.yaml#/Tag' does not resolve: no "
        "'Tag' in /. Define the target or fix the reference.",
        id="nested-relative-ref-to-missing-pointer",
    ),
    pytest.param(
        {
            "spec.yaml": HEAD
            + "paths:\n  /pets:\n    get:\n      parameters:\n"
            + "        - $ref: 'https://example.com/common.yaml#/Limit'\n"
            + OK
        },
        "spec.yaml:7: /paths/~1pets/get/parameters/0/$ref: $ref "
        "'https://example.com/common.yaml#/Limit' is not a local file. Vendor the referenced "
        "document next to the spec and use a relative path.",
        id="remote-ref",
    ),
    pytest.param(
        {
            "spec.yaml": HEAD
            + "paths:\n  /pets:\n    get:\n      parameters:\n"
            + "        - $ref: '#/components/parameters/A'\n"
            + OK
            + "components:\n  parameters:\n"
            + "    A: {$ref: '#/components/parameters/B'}\n"
            + "    B: {$ref: '#/components/parameters/A'}\n"
        },
        "spec.yaml:7: /paths/~1pets/get/parameters/0: circular $ref chain: "
        "#/components/parameters/A -> #/components/parameters/B -> #/components/parameters/A. "
        "Point one of the $refs at a real object.",
        id="circular-ref-chain",
    ),
    pytest.param(
        {
            "spec.yaml": HEAD
            + "paths:\n  /pets:\n    get:\n      operationId: pets\n"
            + OK
            + "  /cats:\n    get:\n      operationId: pets\n"
            + OK
        },
        "spec.yaml:11: /paths/~1cats/get/operationId: operationId 'pets' is already used by "
        "GET /pets. operationIds must be unique; rename one of them.",
        id="duplicate-operation-id",
    ),
    pytest.param(
        {
            "spec.yaml": HEAD
            + "paths:\n  /pets/{petId}:\n    get:\n      operationId: show\n"
            + OK
        },
        "spec.yaml:5: /paths/~1pets~1{petId}/get: path parameter 'petId' is used in the template "
        "but not declared. Add a parameter with name: petId and in: path (required: true) to "
        "the operation or its path item.",
        id="undeclared-path-parameter",
    ),
    pytest.param(
        {
            "spec.yaml": HEAD
            + "paths:\n  /pets:\n    get:\n      parameters:\n"
            + "        - {name: petId, in: path, required: true, schema: {type: integer}}\n"
            + OK
        },
        "spec.yaml:5: /paths/~1pets/get: path parameter 'petId' is declared but not in the "
        "template '/pets'. Add {petId} to the path or remove the parameter.",
        id="path-parameter-not-in-template",
    ),
    pytest.param(
        {
            "spec.yaml": HEAD
            + "paths:\n  /pets:\n    get:\n      parameters:\n"
            + "        - {name: limit, schema: {type: integer}}\n"
            + OK
        },
        "spec.yaml:7: /paths/~1pets/get/parameters/0: a parameter needs a 'name' and an 'in' of "
        "path, query, header or cookie. Complete the parameter object.",
        id="parameter-without-in",
    ),
    pytest.param(
        {
            "spec.yaml": HEAD
            + "paths:\n  /pets:\n    get:\n      parameters: {name: limit}\n"
            + OK
        },
        "spec.yaml:6: /paths/~1pets/get/parameters: 'parameters' must be a list, not a mapping. "
        "Write one '- name: ...' entry per parameter.",
        id="parameters-not-a-list",
    ),
    pytest.param(
        {"spec.yaml": HEAD + "paths:\n  /pets:\n    get:\n      responses: [200]\n"},
        "spec.yaml:6: /paths/~1pets/get/responses: 'responses' must be a mapping, not a list. "
        "Map each status code to a response.",
        id="responses-not-a-mapping",
    ),
    pytest.param(
        {
            "spec.yaml": "swagger: '2.0'\ninfo: {title: t, version: '1'}\npaths:\n  /pets:\n"
            + "    get:\n      parameters:\n        - {name: pet, in: cookie}\n"
            + OK
        },
        "spec.yaml:7: /paths/~1pets/get/parameters/0: a parameter needs a 'name' and an 'in' of "
        "path, query, header, formData or body. Complete the parameter object.",
        id="swagger-cookie-parameter",
    ),
]


@pytest.mark.parametrize(("files", "expected"), CASES)
def test_broken_spec_is_reported_exactly(
    write_spec, files: dict[str, str], expected: str
):
    """A broken spec raises SpecError whose text names file, line, pointer and remedy."""
    with pytest.raises(SpecError) as caught:
        load_spec(write_spec(files))
    assert str(caught.value) == expected


def test_missing_file_names_the_resolved_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
):
    """A spec path that does not exist says where it looked."""
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SpecError) as caught:
        load_spec("spec/openapi.yaml")
    error = caught.value
    assert (error.file, error.line, error.pointer) == ("spec/openapi.yaml", None, "")
    assert str(error) == (
        f"spec/openapi.yaml: /: file not found. Check the path (resolved to "
        f"{tmp_path / 'spec' / 'openapi.yaml'})."
    )


@pytest.mark.parametrize(
    ("make", "message"),
    [
        pytest.param(lambda path: path.mkdir(), "cannot read the file", id="directory"),
        pytest.param(
            lambda path: path.write_bytes(b"openapi: 3.0.3\ninfo: \xff\n"),
            "cannot read the file",
            id="not-utf-8",
        ),
    ],
)
def test_unreadable_file(tmp_path: Path, make, message: str):
    """A path that is a directory, or a file that is not UTF-8, cannot be read."""
    path = tmp_path / "spec.yaml"
    make(path)
    with pytest.raises(SpecError) as caught:
        load_spec(path)
    assert caught.value.message.startswith(message)
    assert caught.value.line is None


def test_error_fields_are_exposed(write_spec):
    """SpecError carries file, line, pointer, message and hint as attributes."""
    name = write_spec({"spec.yaml": HEAD + "paths:\n  - /pets\n"})
    with pytest.raises(SpecError) as caught:
        load_spec(name)
    error = caught.value
    assert (error.file, error.line, error.pointer) == ("spec.yaml", 3, "/paths")
    assert error.message == "'paths' must be a mapping, not a list"
    assert error.hint == "Map each path to its methods."
