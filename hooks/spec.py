"""Hook ``satchel-spec``: operationIds, response examples and problem+json errors (SAT-API-001..3).

Standard: standards/api.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hooks import cli
from hooks.findings import Finding
from hooks.openapi import Operation, line_of, load_spec, operations, resolve

PROBLEM_JSON = "application/problem+json"


def _has_example(spec: dict, media: dict) -> bool:
    if media.get("example") is not None or media.get("examples"):
        return True
    schema = resolve(spec, media.get("schema"))
    if not isinstance(schema, dict):
        return False
    if schema.get("example") is not None or schema.get("examples"):
        return True
    items = resolve(spec, schema.get("items"))
    return isinstance(items, dict) and (
        items.get("example") is not None or bool(items.get("examples"))
    )


def _is_error(code: str) -> bool:
    return code == "default" or code[:1] in ("4", "5")


def _check_responses(path: str, spec: dict, op: Operation) -> list[Finding]:
    findings = []
    responses = op.body.get("responses") or {}
    for code, response in responses.items() if isinstance(responses, dict) else ():
        code, line = str(code), line_of(responses, code)
        response = resolve(spec, response)
        if not isinstance(response, dict):
            continue  # a $ref to another file: checked where it lives
        content = response.get("content") or {}
        if _is_error(code) and not content:
            findings.append(
                Finding(
                    path,
                    line,
                    "SAT-API-003",
                    f"{op.label} response {code} has no body",
                    f"give it `content: {PROBLEM_JSON}:` with a Problem schema and an example",
                )
            )
        for media_type, media in content.items():
            media_line = line_of(content, media_type)
            if _is_error(code) and media_type != PROBLEM_JSON:
                findings.append(
                    Finding(
                        path,
                        media_line,
                        "SAT-API-003",
                        f"{op.label} response {code} is {media_type}, not {PROBLEM_JSON}",
                        f"serve errors as {PROBLEM_JSON} (raise satchel.problems.Problem)",
                    )
                )
            if not isinstance(media, dict) or not _has_example(spec, media):
                findings.append(
                    Finding(
                        path,
                        media_line,
                        "SAT-API-002",
                        f"{op.label} response {code} ({media_type}) has no example",
                        f"add `example:` or `examples:` under content.{media_type}, "
                        "or an `example:` on its schema",
                    )
                )
    return findings


def check_spec(path: Path) -> list[Finding]:
    """Return the findings for one OpenAPI spec file."""
    spec = load_spec(path)
    findings = []
    seen: dict[str, Operation] = {}
    for op in operations(spec):
        operation_id = op.body.get("operationId")
        if not operation_id:
            findings.append(
                Finding(
                    str(path),
                    op.line,
                    "SAT-API-001",
                    f"{op.label} has no operationId",
                    "add `operationId: <verb>_<noun>`, the name of its handler function",
                )
            )
        elif operation_id in seen:
            findings.append(
                Finding(
                    str(path),
                    line_of(op.body, "operationId"),
                    "SAT-API-001",
                    f"{op.label} reuses operationId {operation_id} of {seen[operation_id].label}",
                    "give each operation its own operationId",
                )
            )
        else:
            seen[operation_id] = op
        findings.extend(_check_responses(str(path), spec, op))
    return findings


def collect(argv: Sequence[str] | None = None) -> list[Finding]:
    """Check the spec files named on the command line."""
    parser = cli.file_parser("Check OpenAPI specs against standards/api.md.")
    args = parser.parse_args(argv)
    return cli.check_each(cli.existing_paths(args.filenames), check_spec)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the hook: exit 0 clean, 1 with findings, 2 on a usage error."""
    return cli.run(collect, argv)


if __name__ == "__main__":
    raise SystemExit(main())
