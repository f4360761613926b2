"""Swagger 2.0, OpenAPI 3.1 and a multi-file spec, served on their real (base) paths."""

from __future__ import annotations

import pytest
import requests

from tests.mockserver.conftest import MOCK

CASES = [
    (
        "swagger2-basepath-example",
        "swagger2.yaml",
        "GET",
        "/api/v1/students",
        None,
        200,
        [{"id": 7, "name": "Ada", "year": 3}],
    ),
    (
        "swagger2-generated",
        "swagger2.yaml",
        "GET",
        "/api/v1/students/7",
        None,
        200,
        None,
    ),
    (
        "swagger2-body-invalid-spec-400",
        "swagger2.yaml",
        "POST",
        "/api/v1/students",
        {"name": "A"},
        400,
        None,
    ),
    ("swagger2-no-base-is-404", "swagger2.yaml", "GET", "/students", None, 404, None),
    (
        "openapi31-generated-pattern",
        "openapi31.yaml",
        "GET",
        "/v2/invoices/INV-0042",
        None,
        200,
        None,
    ),
    (
        "openapi31-schema-examples",
        "openapi31.yaml",
        "GET",
        "/v2/invoices",
        None,
        200,
        [
            {
                "id": "INV-0001",
                "total": 12.5,
                "status": "paid",
                "note": None,
                "lines": [],
            }
        ],
    ),
    (
        "openapi31-pattern-violation",
        "openapi31.yaml",
        "GET",
        "/v2/invoices/42",
        None,
        422,
        None,
    ),
    (
        "multifile-nested-refs",
        "multifile/openapi.yaml",
        "GET",
        "/zoo/animals/3",
        None,
        200,
        None,
    ),
    (
        "multifile-wrong-prefix",
        "multifile/openapi.yaml",
        "GET",
        "/animals/3",
        None,
        404,
        None,
    ),
]


@pytest.mark.parametrize(
    "spec, method, path, body, status, expected",
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_spec_versions(served, spec, method, path, body, status, expected):
    """Each spec answers on its base path, with examples or generated, valid data."""
    mock = served(MOCK / spec)
    response = requests.request(method, mock.url + path, json=body, timeout=5)
    assert response.status_code == status, response.text
    if expected is not None:
        assert response.json() == expected


def test_multifile_generated_body_follows_relative_refs(served):
    """Data generated through refs across files has the fields of every referenced file."""
    mock = served(MOCK / "multifile" / "openapi.yaml")
    animal = requests.get(mock.url + "/zoo/animals/3", timeout=5).json()
    assert animal["species"] in ("lion", "otter")
    assert animal["keeper"]["name"]
    missing = requests.get(
        mock.url + "/zoo/animals/3", headers={"Prefer": "code=404"}, timeout=5
    )
    assert missing.json() == {"message": "no such animal"}
