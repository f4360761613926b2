"""Hook ``satchel-logging``: no ``print()``, no secrets passed to log calls.

Rules SAT-LOG-001 and SAT-LOG-002, standard: standards/logging.md. ``print`` bypasses the
structured pipeline (no request id, no tenant, no level); a secret in a log line is a leak to
everyone who can read the logs.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator, Sequence
from pathlib import Path

from hooks import cli
from hooks.findings import Finding
from hooks.sources import parse_python

LOG_METHODS = {
    "debug",
    "info",
    "warning",
    "warn",
    "error",
    "exception",
    "critical",
    "fatal",
    "log",
    "msg",
    "bind",
}
SECRET = re.compile(
    r"(^|_)(password|passwd|pwd|secret|token|api_?key|apikey|authorization|credentials?"
    r"|private_?key|cookie)$",
    re.IGNORECASE,
)


def _receiver(func: ast.Attribute) -> str:
    node = func.value
    while isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Attribute):
        return node.attr
    return node.id if isinstance(node, ast.Name) else ""


def _is_log_call(call: ast.Call) -> bool:
    func = call.func
    return (
        isinstance(func, ast.Attribute)
        and func.attr in LOG_METHODS
        and "log" in _receiver(func).lower()
    )


def _names_in(node: ast.expr) -> Iterator[str]:
    for child in ast.walk(node):
        if isinstance(child, ast.Name):
            yield child.id
        elif isinstance(child, ast.Attribute):
            yield child.attr


def _secrets_passed(call: ast.Call) -> list[str]:
    """Return the secret-looking keywords, names and f-string fields a log call passes."""
    found = [kw.arg for kw in call.keywords if kw.arg and SECRET.search(kw.arg)]
    for value in [*call.args, *(kw.value for kw in call.keywords)]:
        if isinstance(value, ast.JoinedStr):
            fields = [
                v.value for v in value.values if isinstance(v, ast.FormattedValue)
            ]
            found += [
                n for field in fields for n in _names_in(field) if SECRET.search(n)
            ]
        elif isinstance(value, (ast.Name, ast.Attribute)):
            found += [n for n in _names_in(value) if SECRET.search(n)][-1:]
    return list(dict.fromkeys(found))


def check_file(path: Path) -> list[Finding]:
    """Return the logging findings for one Python file."""
    _, tree = parse_python(path)
    findings = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        if isinstance(node.func, ast.Name) and node.func.id == "print":
            findings.append(
                Finding(
                    str(path),
                    node.lineno,
                    "SAT-LOG-001",
                    "print() in service code",
                    'log an event instead: structlog.get_logger().info("event_name", key=value)',
                )
            )
        elif _is_log_call(node):
            for name in _secrets_passed(node):
                findings.append(
                    Finding(
                        str(path),
                        node.lineno,
                        "SAT-LOG-002",
                        f"log call passes secret-looking value {name!r}",
                        "log that it was present or its id, never the value",
                    )
                )
    return findings


def collect(argv: Sequence[str] | None = None) -> list[Finding]:
    """Check the files named on the command line."""
    parser = cli.file_parser("Check logging rules (standards/logging.md).")
    args = parser.parse_args(argv)
    return cli.check_each(cli.existing_paths(args.filenames), check_file)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the hook: exit 0 clean, 1 with findings, 2 on a usage error."""
    return cli.run(collect, argv)


if __name__ == "__main__":
    raise SystemExit(main())
