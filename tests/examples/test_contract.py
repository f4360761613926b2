"""The mock tells the truth: what attendance gets from the mocked students, it gets from the real.

For every students operation attendance's code calls, the same request goes to the mock
(attendance's vendored spec and overlay) and to the real students service; both answers must
validate against the real service's spec and have the same status and the same shape.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pytest
import requests
import yaml

from examples.running import shape
from satchel.openapi import load_spec
from tests.examples.conftest import auth_headers

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
REAL_SPEC = EXAMPLES / "students" / "spec" / "openapi.yaml"
ATTENDANCE = EXAMPLES / "attendance"
CALL = re.compile(r"""\.call\(\s*["']([a-z_]+)["']""")
# The requests attendance makes, by operation: (operation, path parameters, expected status).
CASES = [
    ("list_class_pupils", {"class_id": 1}, 200),
    ("list_class_pupils", {"class_id": 404}, 404),
]


def operations_attendance_calls() -> set[str]:
    """Return the students operationIds named in attendance's client code."""
    sources = (ATTENDANCE / "attendance").rglob("*.py")
    return {name for source in sources for name in CALL.findall(source.read_text())}


def test_every_called_operation_has_a_case():
    """Each operation attendance calls is covered below, so a new call cannot go unchecked."""
    assert operations_attendance_calls() == {operation for operation, _, _ in CASES}


def test_vendored_spec_is_the_real_one():
    """attendance's copy of the students spec, and its pin in mocks.yaml, match the real spec."""
    real = REAL_SPEC.read_bytes()
    assert (ATTENDANCE / "mocks" / "students" / "openapi.yaml").read_bytes() == real
    pins = yaml.safe_load((ATTENDANCE / "mocks.yaml").read_text())["neighbours"]
    assert pins[0]["digest"] == f"sha256:{hashlib.sha256(real).hexdigest()}"


@pytest.mark.parametrize(
    "operation_id, path, status", CASES, ids=[f"{c[0]}-{c[2]}" for c in CASES]
)
def test_mock_and_real_answer_alike(
    students_mock, real_students, operation_id, path, status
):
    """The mock's answer and the real one validate against the real spec, with one shape."""
    spec = load_spec(REAL_SPEC)
    operation = spec.operation(operation_id)
    url_path = spec.base_path + operation.path.format(**path)
    headers = {
        "Host": "school-a.students.localhost",
        **auth_headers("students", "school-a"),
    }
    answers = {}
    for source, base in (("mock", students_mock), ("real", real_students)):
        response = requests.request(
            operation.method, base + url_path, headers=headers, timeout=5
        )
        content_type = response.headers.get("Content-Type")
        issues = spec.compiler.validate_response(
            operation, response.status_code, content_type, response.json()
        )
        assert issues == [], f"{source}: {issues}"
        assert response.status_code == status, f"{source}: {response.text}"
        answers[source] = response.json()
    if status == 200:
        assert shape(answers["mock"]) == shape(answers["real"])
        assert [p["given_name"] for p in answers["real"]["items"]] == ["Ada", "Alan"]
    else:
        assert set(answers["mock"]) <= set(answers["real"]) | {"errors"}
        assert answers["mock"]["detail"] == answers["real"]["detail"]
