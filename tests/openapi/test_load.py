"""Loading: every fixture spec normalises to the same model, whatever its version or layout."""

from __future__ import annotations

import json

import pytest
import yaml

from satchel.openapi import (
    MISSING,
    Encoding,
    MediaType,
    Parameter,
    RequestBody,
    Spec,
    load_spec,
)

from .conftest import SPECS

PETSTORE_OPERATIONS = [
    ("GET", "/pets", "listPets"),
    ("POST", "/pets", "createPet"),
    ("GET", "/pets/{petId}", "showPetById"),
]


@pytest.mark.parametrize(
    ("fixture", "version", "title", "base_path", "operations"),
    [
        pytest.param(
            "petstore",
            "3.0",
            "Petstore (bench)",
            "",
            PETSTORE_OPERATIONS,
            id="petstore-3.0",
        ),
        pytest.param(
            "petstore31",
            "3.1",
            "Petstore (3.1)",
            "/v1",
            PETSTORE_OPERATIONS,
            id="petstore-3.1",
        ),
        pytest.param(
            "petstore20",
            "2.0",
            "Petstore (2.0)",
            "/api",
            PETSTORE_OPERATIONS + [("POST", "/pets/{petId}/photo", "uploadPhoto")],
            id="petstore-2.0",
        ),
        pytest.param(
            "multifile",
            "3.0",
            "Multi-file spec",
            "/zoo",
            [
                ("GET", "/pets/{petId}", "showPet"),
                ("PUT", "/pets/{petId}", "replacePet"),
                ("POST", "/categories", "createCategory"),
            ],
            id="multifile",
        ),
    ],
)
def test_fixture_specs_load(request, fixture, version, title, base_path, operations):
    """Each fixture loads with its version, title, base path and operations in document order."""
    spec: Spec = request.getfixturevalue(fixture)
    assert (spec.version, spec.title, spec.base_path) == (version, title, base_path)
    assert [
        (op.method, op.path, op.operation_id) for op in spec.operations
    ] == operations
    assert spec.source_path.is_file()


def test_openapi30_parameter_body_and_examples(petstore: Spec):
    """3.0 parameters, request bodies and response examples are exposed as written."""
    limit = petstore.operation("listPets").parameters[0]
    assert (limit.name, limit.location, limit.required, limit.style, limit.explode) == (
        "limit",
        "query",
        False,
        "form",
        True,
    )
    assert limit.schema == {
        "type": "integer",
        "format": "int32",
        "minimum": 1,
        "maximum": 100,
    }
    body = petstore.operation("createPet").request_body
    assert isinstance(body, RequestBody) and body.required
    media = body.content["application/json"]
    assert media.schema == {"$ref": "#/components/schemas/NewPet"}
    assert media.example == {"name": "Fluffy", "tag": "cat"}
    show = petstore.operation("showPetById")
    assert list(show.responses) == ["200", "404"]
    assert show.responses["404"].content["application/json"].example == {
        "code": 404,
        "message": "Pet not found",
    }
    assert show.security is None and show.tags == ("pets",)
    assert show.summary == "Info for a specific pet"


def test_openapi31_examples_map_is_unwrapped_and_webhooks_ignored(petstore31: Spec):
    """3.1 ``examples`` become {name: value}; webhooks add no operations; "4XX" keys stay."""
    media = (
        petstore31.operation("listPets").responses["200"].content["application/json"]
    )
    assert media.example is MISSING
    assert media.examples == {
        "two": [
            {"id": 1, "name": "Rex", "tag": "dog"},
            {"id": 2, "name": "Tom", "tag": None},
        ]
    }
    assert list(petstore31.operation("createPet").responses) == ["201", "4XX"]
    assert list(petstore31.operation("showPetById").responses) == ["200", "default"]
    assert petstore31.operation("listPets").parameters[0].schema["type"] == [
        "integer",
        "null",
    ]


def test_openapi31_without_paths_has_no_operations(write_spec):
    """A 3.1 document may have only webhooks: it loads with no operations."""
    name = write_spec({"hooks.yaml": """
            openapi: 3.1.0
            info: {title: Hooks, version: '1'}
            webhooks:
              ping:
                post:
                  responses:
                    '200': {description: ok}
            """})
    spec = load_spec(name)
    assert (spec.version, spec.operations, spec.base_path) == ("3.1", (), "")


def test_swagger20_is_normalised(petstore20: Spec):
    """2.0 body, formData, parameter refs, response refs, examples and headers map to 3.x."""
    list_pets = petstore20.operation("listPets")
    limit, tags = list_pets.parameters
    assert limit == Parameter(
        name="limit",
        location="query",
        required=False,
        schema={"type": "integer", "minimum": 1, "maximum": 100, "default": 20},
        style="form",
        explode=True,
    )
    assert (tags.style, tags.explode, tags.schema) == (
        "pipeDelimited",
        False,
        {"type": "array", "items": {"type": "string"}},
    )
    media = list_pets.responses["200"].content["application/json"]
    assert media.examples == {"default": [{"id": 1, "name": "Rex", "tag": "dog"}]}
    assert media.example is MISSING
    create = petstore20.operation("createPet")
    assert create.parameters == ()
    assert create.request_body.required is True
    assert create.request_body.content["application/json"].schema == {
        "$ref": "#/definitions/NewPet"
    }
    assert create.responses["422"].description == "Request body failed validation"
    show = petstore20.operation("showPetById")
    assert [p.name for p in show.parameters] == ["petId"]
    assert show.responses["200"].headers["X-Rate-Limit"].schema == {"type": "integer"}
    assert show.responses["404"].content == {}
    upload = petstore20.operation("uploadPhoto").request_body
    assert upload.content == {
        "application/x-www-form-urlencoded": MediaType(
            "application/x-www-form-urlencoded",
            {
                "type": "object",
                "properties": {
                    "caption": {"type": "string"},
                    "rating": {"type": "integer", "maximum": 5},
                },
                "required": ["caption"],
            },
            encoding={
                "caption": Encoding("form", True, allow_reserved=True),
                "rating": Encoding("form", True, allow_reserved=True),
            },
        )
    }


def test_multifile_refs_resolve_across_files(multifile: Spec):
    """Parameters, bodies, responses and path items come from the files their $refs name."""
    show = multifile.operation("showPet")
    assert show.parameters[0].name == "petId"
    assert show.parameters[0].schema_uri.endswith(
        "multifile/common.yaml#/components/parameters/PetId/schema"
    )
    replace = multifile.operation("replacePet")
    assert replace.request_body.required is True
    ok = replace.responses["200"]
    assert ok.description == "The stored pet"
    assert ok.content["application/json"].example == {
        "id": 7,
        "name": "Rex",
        "tags": [{"label": "good"}],
    }
    assert multifile.operation("createCategory").request_body.required is True


def test_deref_follows_relative_refs_from_the_containing_file(multifile: Spec):
    """Spec.deref resolves a schema's $ref against the file it was written in."""
    media = (
        multifile.operation("replacePet").responses["200"].content["application/json"]
    )
    pet, pet_uri = multifile.deref(media.schema, media.schema_uri)
    assert pet["required"] == ["id", "name"]
    assert pet_uri.endswith("multifile/schemas/pet.yaml#")
    tag, tag_uri = multifile.deref(pet["properties"]["tags"]["items"], pet_uri)
    assert tag["properties"]["label"] == {"type": "string", "minLength": 1}
    assert tag_uri.endswith("multifile/schemas/tag.yaml#")


def test_path_level_parameters_merge_and_operation_wins(write_spec):
    """Path-item parameters are inherited; an operation's own (name, in) replaces them."""
    name = write_spec({"spec.yaml": """
            openapi: 3.0.3
            info: {title: t, version: '1'}
            paths:
              /pets/{petId}:
                parameters:
                  - {name: petId, in: path, required: true, schema: {type: integer}}
                  - {name: limit, in: query, schema: {type: integer}}
                get:
                  parameters:
                    - {name: limit, in: query, schema: {type: string}}
                    - {name: limit, in: header, schema: {type: string}}
                  responses:
                    '200': {description: ok}
            """})
    params = load_spec(name).operations[0].parameters
    assert [(p.name, p.location, p.schema["type"]) for p in params] == [
        ("petId", "path", "integer"),
        ("limit", "query", "string"),
        ("limit", "header", "string"),
    ]


def test_security_is_the_effective_requirement(features: Spec):
    """An operation without ``security`` inherits the global one; ``[]`` switches it off."""
    assert features.operation("searchItems").security == [{"bearer": []}]
    assert features.operation("createItem").security == []


def test_json_spec_loads_like_yaml(tmp_path):
    """The same document as JSON gives the same operations."""
    document = yaml.safe_load((SPECS / "petstore-3.0.yaml").read_text())
    (tmp_path / "petstore.json").write_text(json.dumps(document))
    spec = load_spec(tmp_path / "petstore.json")
    assert [op.operation_id for op in spec.operations] == [
        p[2] for p in PETSTORE_OPERATIONS
    ]
    assert spec.document == document


def test_unknown_operation_id_names_the_known_ones(petstore: Spec):
    """Spec.operation raises KeyError listing the operationIds it knows."""
    with pytest.raises(KeyError) as caught:
        petstore.operation("deletePet")
    assert caught.value.args[0] == (
        f"no operation with operationId 'deletePet' in {SPECS / 'petstore-3.0.yaml'} "
        "(known: createPet, listPets, showPetById)"
    )


@pytest.mark.parametrize(
    ("servers", "expected"),
    [
        pytest.param("", "", id="no-servers"),
        pytest.param("servers: [{url: /}]", "", id="root"),
        pytest.param(
            "servers: [{url: 'https://api.example.com/v1/'}]", "/v1", id="absolute"
        ),
        pytest.param("servers: [{url: v2}]", "/v2", id="relative"),
        pytest.param(
            "servers: [{url: '//cdn.example.com/api'}]", "/api", id="scheme-relative"
        ),
        pytest.param(
            "servers: [{url: 'https://{host}/{ver}', variables: {host: {default: x.io}, "
            "ver: {default: v3}}}]",
            "/v3",
            id="templated",
        ),
    ],
)
def test_base_path_comes_from_the_first_server(write_spec, servers: str, expected: str):
    """base_path is the path part of servers[0].url, with variables at their defaults."""
    head = "openapi: 3.0.3\ninfo: {title: t, version: '1'}\n"
    name = write_spec({"spec.yaml": f"{head}{servers}\npaths: {{}}\n"})
    assert load_spec(name).base_path == expected


def test_operation_repr_and_registry(petstore: Spec, features: Spec):
    """Operations print as method, path and id; the spec exposes its schema registry."""
    assert (
        repr(petstore.operation("showPetById"))
        == "<Operation GET /pets/{petId} showPetById>"
    )
    assert repr(features.operations[0]) == "<Operation GET /items searchItems>"
    uri = (
        petstore.operation("createPet")
        .request_body.content["application/json"]
        .schema_uri
    )
    resolved = petstore.registry.resolver().lookup(uri)
    assert resolved.contents == {"$ref": "#/components/schemas/NewPet"}


def test_swagger20_file_upload_defaults_to_multipart(write_spec):
    """A formData file parameter makes the body multipart/form-data unless consumes says."""
    name = write_spec({"spec.yaml": """
            swagger: '2.0'
            info: {title: t, version: '1'}
            paths:
              /photos:
                post:
                  parameters:
                    - {name: photo, in: formData, type: file, required: true}
                  responses:
                    '201': {description: Stored}
            """})
    operation = load_spec(name).operations[0]
    body = operation.request_body
    assert list(body.content) == ["multipart/form-data"]
    upload = (
        b'--XX\r\nContent-Disposition: form-data; name="photo"; filename="p.png"\r\n\r\n'
        b"\x89PNG\r\n--XX--\r\n"
    )
    valid = operation.request_validator()(
        {}, {}, {}, {}, "multipart/form-data; boundary=XX", upload
    )
    assert valid.body == {"photo": b"\x89PNG"}
    assert body.content["multipart/form-data"].schema == {
        "type": "object",
        "properties": {"photo": {"type": "string", "format": "binary"}},
        "required": ["photo"],
    }
