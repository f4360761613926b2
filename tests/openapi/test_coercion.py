"""Coercion: raw parameter strings become typed values by schema and serialisation style."""

from __future__ import annotations

import pytest

from satchel.openapi import Spec

from .conftest import SESSION, call


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param({}, {"page": 1}, id="default-applied"),
        pytest.param({"page": ["2"]}, {"page": 2}, id="integer"),
        pytest.param({"ratio": ["1.5"]}, {"page": 1, "ratio": 1.5}, id="number-float"),
        pytest.param({"ratio": ["3"]}, {"page": 1, "ratio": 3}, id="number-integral"),
        pytest.param(
            {"active": ["true"]}, {"page": 1, "active": True}, id="boolean-true"
        ),
        pytest.param(
            {"active": ["false"]}, {"page": 1, "active": False}, id="boolean-false"
        ),
        pytest.param(
            {"ids": ["1", "2"]}, {"page": 1, "ids": [1, 2]}, id="array-form-explode"
        ),
        pytest.param(
            {"csv": ["3,4"]}, {"page": 1, "csv": [3, 4]}, id="array-form-no-explode"
        ),
        pytest.param({"csv": [""]}, {"page": 1, "csv": []}, id="array-empty"),
        pytest.param(
            {"piped": ["a|b"]}, {"page": 1, "piped": ["a", "b"]}, id="pipe-delimited"
        ),
        pytest.param(
            {"filter[min]": ["3"], "filter[name]": ["x"]},
            {"page": 1, "filter": {"min": 3, "name": "x"}},
            id="deep-object",
        ),
        pytest.param(
            {"nullable": ["null"]}, {"page": 1, "nullable": None}, id="nullable"
        ),
        pytest.param(
            {"where": ['{"field": "a"}']},
            {"page": 1, "where": {"field": "a"}},
            id="content-json",
        ),
        pytest.param({"page": ["2", "3"]}, {"page": 2}, id="first-value-wins"),
        pytest.param({"level": ["4"]}, {"page": 1, "level": 4}, id="type-from-allOf"),
        pytest.param({"other": ["x"]}, {"page": 1}, id="undeclared-ignored"),
    ],
)
def test_query_coercion(features: Spec, query, expected):
    """Query strings become typed values per schema and style; defaults fill gaps."""
    valid = call(features, "searchItems", query=query, cookies=SESSION)
    assert valid.query == expected


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        pytest.param({"X-Trace": "7"}, {"X-Trace": 7}, id="exact-case"),
        pytest.param({"x-trace": "7"}, {"X-Trace": 7}, id="lower-case"),
        pytest.param({"X-FLAGS": "true,false"}, {"X-Flags": [True, False]}, id="array"),
        pytest.param({}, {}, id="absent"),
    ],
)
def test_header_coercion_is_case_insensitive(features: Spec, headers, expected):
    """Headers are found whatever their case and keyed by the declared name."""
    valid = call(features, "searchItems", headers=headers, cookies=SESSION)
    assert valid.headers == expected
    assert valid.cookies == SESSION


@pytest.mark.parametrize(
    ("fixture", "operation_id", "path", "expected"),
    [
        pytest.param("petstore", "showPetById", {"petId": "12"}, {"petId": 12}, id="integer"),
        pytest.param(
            "features", "getPoint", {"point": "x=1,y=2"}, {"point": {"x": 1, "y": 2}},
            id="object-simple-explode",
        ),
        pytest.param(
            "features", "getLabels", {"labels": ".a,b"}, {"labels": ["a", "b"]}, id="label"
        ),
        pytest.param(
            "features", "getCell", {"coords": ";coords=1,2"}, {"coords": [1, 2]}, id="matrix"
        ),
        pytest.param(
            "features", "getFile", {"name": "a.b", "ext": "txt"}, {"name": "a.b", "ext": "txt"},
            id="strings",
        ),
        pytest.param("petstore20", "showPetById", {"petId": "5"}, {"petId": 5}, id="swagger"),
        pytest.param(
            "features", "getShape", {"shape": "x,1,y,2"}, {"shape": {"x": 1, "y": 2}},
            id="object-simple",
        ),
        pytest.param(
            "features", "getDots", {"dots": ".a.b"}, {"dots": ["a", "b"]}, id="label-explode"
        ),
        pytest.param(
            "features", "getCells", {"cells": ";cells=1;cells=2"}, {"cells": [1, 2]},
            id="matrix-explode",
        ),
        pytest.param(
            "multifile", "showPet", {"petId": "3"}, {"petId": 3}, id="schema-ref-in-other-file"
        ),
    ],
)  # fmt: skip
def test_path_coercion(request, fixture, operation_id, path, expected):
    """Path parameters are deserialised by style and coerced by schema."""
    valid = call(request.getfixturevalue(fixture), operation_id, path=path)
    assert valid.path == expected


@pytest.mark.parametrize(
    ("fixture", "operation_id", "query", "expected"),
    [
        pytest.param(
            "petstore20", "listPets", {"tags": ["a|b"]}, {"limit": 20, "tags": ["a", "b"]},
            id="swagger-pipes-and-default",
        ),
        pytest.param(
            "petstore31", "listPets", {"limit": ["5"]}, {"limit": 5}, id="3.1-type-array"
        ),
        pytest.param(
            "petstore31", "listPets", {"limit": ["null"]}, {"limit": None}, id="3.1-null"
        ),
    ],
)  # fmt: skip
def test_query_coercion_other_versions(request, fixture, operation_id, query, expected):
    """Swagger 2.0 collection formats and 3.1 type arrays coerce like 3.0."""
    valid = call(request.getfixturevalue(fixture), operation_id, query=query)
    assert valid.query == expected


def test_defaults_are_copies(features: Spec):
    """A mutable default handed to one request cannot leak into the next."""
    first = call(features, "searchItems", cookies=SESSION)
    first.query["page"] = 99
    assert call(features, "searchItems", cookies=SESSION).query["page"] == 1
