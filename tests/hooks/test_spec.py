"""satchel-spec: operationIds, response examples and problem+json errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from hooks.spec import check_spec, main
from hooks.waivers import drop_waived
from tests.hooks.conftest import write

HEAD = """\
openapi: 3.1.0
info: {title: t, version: "1"}
paths:
  /notes:
    get:
"""
PROBLEM = """\
components:
  responses:
    Problem:
      description: error
      content:
        application/problem+json:
          example: {title: Not Found, status: 404}
"""

CASES = [
    pytest.param(
        HEAD + """\
      operationId: list_notes
      responses:
        "200":
          description: ok
          content:
            application/json:
              example: []
        "204": {description: empty}
        "404": {$ref: "#/components/responses/Problem"}
        "500": {$ref: "other.yaml#/Problem"}
""" + PROBLEM,
        [],
        id="clean",
    ),
    pytest.param(
        HEAD + '      responses:\n        "204": {description: empty}\n',
        [
            "spec/openapi.yaml:5: SAT-API-001 GET /notes has no operationId (fix: add "
            "`operationId: <verb>_<noun>`, the name of its handler function)"
        ],
        id="no-operation-id",
    ),
    pytest.param(
        HEAD + """\
      operationId: list_notes
      responses: {"204": {description: empty}}
    post:
      operationId: list_notes
      responses: {"204": {description: empty}}
""",
        [
            "spec/openapi.yaml:9: SAT-API-001 POST /notes reuses operationId list_notes of "
            "GET /notes (fix: give each operation its own operationId)"
        ],
        id="duplicate-operation-id",
    ),
    pytest.param(
        HEAD + """\
      operationId: list_notes
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: object}
""",
        [
            "spec/openapi.yaml:11: SAT-API-002 GET /notes response 200 (application/json) has "
            "no example (fix: add `example:` or `examples:` under content.application/json, or "
            "an `example:` on its schema)"
        ],
        id="no-example",
    ),
    pytest.param(
        HEAD + """\
      operationId: list_notes
      responses:
        "200":
          description: ok
          content:
            application/json:
              schema: {type: array, items: {$ref: "#/components/schemas/Note"}}
            text/csv:
              schema: {type: string, example: "id,text"}
components:
  schemas:
    Note: {type: object, example: {id: 1}}
""",
        [],
        id="schema-and-items-examples-count",
    ),
    pytest.param(
        HEAD + """\
      operationId: list_notes
      responses:
        "404":
          description: missing
          content:
            application/json:
              example: {error: missing}
        default:
          description: anything else
""",
        [
            "spec/openapi.yaml:11: SAT-API-003 GET /notes response 404 is application/json, not "
            "application/problem+json (fix: serve errors as application/problem+json (raise "
            "satchel.problems.Problem))",
            "spec/openapi.yaml:13: SAT-API-003 GET /notes response default has no body (fix: "
            "give it `content: application/problem+json:` with a Problem schema and an example)",
        ],
        id="errors-not-problem-json",
    ),
    pytest.param(
        HEAD + """\
      operationId: list_notes
      responses:
        "200":
          description: ok
          content:
            # satchel: allow SAT-API-002 -- a binary download has no meaningful example
            application/octet-stream:
              schema: {type: string, format: binary}
""",
        [],
        id="waived",
    ),
]


@pytest.mark.parametrize(("spec", "expected"), CASES)
def test_check_spec(workdir: Path, spec: str, expected: list[str]) -> None:
    """The check function returns exactly the expected findings."""
    write(workdir, {"spec/openapi.yaml": spec})
    findings = drop_waived(check_spec(Path("spec/openapi.yaml")))
    assert [str(f) for f in findings] == expected


@pytest.mark.parametrize(("spec", "expected"), CASES)
def test_main(workdir: Path, run_main, spec: str, expected: list[str]) -> None:
    """main prints the findings and exits 1 on findings, 0 when clean."""
    write(workdir, {"spec/openapi.yaml": spec})
    code, out, err = run_main(main, ["spec/openapi.yaml"])
    assert (code, out.splitlines(), err) == (1 if expected else 0, expected, "")


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(
            "- a list\n",
            "spec/openapi.yaml:1: SAT-STD-001 is not an OpenAPI 3 document (no top-level "
            "`openapi:` key) (fix: start the spec with `openapi: 3.1.0`, then `info:` and "
            "`paths:`)",
            id="not-a-mapping",
        ),
        pytest.param(
            "openapi: 3.1.0\npaths:\n  /x: [\n",
            "spec/openapi.yaml:4: SAT-STD-001 is not valid YAML: expected the node content, but "
            "found '<stream end>' (fix: correct the YAML syntax at this line)",
            id="invalid-yaml",
        ),
    ],
)
def test_bad_spec(workdir: Path, run_main, content: str, expected: str) -> None:
    """A spec that cannot be read is one clear SAT-STD-001 finding, not a traceback."""
    write(workdir, {"spec/openapi.yaml": content})
    assert run_main(main, ["spec/openapi.yaml"]) == (1, expected + "\n", "")
