"""validate_document checks a loaded spec against the OpenAPI meta-schemas (a dev tool)."""

from __future__ import annotations

import pytest

from satchel.openapi import load_spec, validate_document


@pytest.mark.parametrize(
    "fixture",
    ["petstore", "petstore31", "petstore20", "multifile", "features", "scopes"],
)
def test_fixture_specs_conform(request, fixture):
    """The fixture specs are valid OpenAPI documents."""
    assert validate_document(request.getfixturevalue(fixture)) == []


def test_violations_are_located(write_spec):
    """A meta-schema violation becomes a SpecError with pointer and line."""
    name = write_spec({"spec.yaml": """
            openapi: 3.0.3
            info: {title: t, version: '1'}
            paths:
              /pets:
                get:
                  responses:
                    '200': {summary: no description}
            """})
    errors = validate_document(load_spec(name))
    assert [str(error) for error in errors] == [
        "spec.yaml:7: /paths/~1pets/get/responses/200: 'description' is a required property. "
        "See the OpenAPI specification."
    ]
