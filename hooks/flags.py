"""Hook ``satchel-flags``: flags are declared, used, owned and expire (SAT-FLG-001..004).

Standard: standards/flags.md. Wraps ``satchel.flags.hygiene.find_flag_problems``, which reads
the flags module and the package's code with ``ast`` (the service is never imported). The whole
package is read, not only staged files: "declared but never used" needs every reference.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from datetime import date
from pathlib import Path

from hooks import cli
from hooks.findings import Finding, HookError
from hooks.service import find_package
from hooks.sources import BadInput, parse_python
from hooks.waivers import drop_waived
from satchel.flags.hygiene import find_flag_problems

DEFAULT_FIX = "see standards/flags.md"


def check_flags(flags_module: Path, package: Path, today: date) -> list[Finding]:
    """Return the flag findings for a flags module and the package that uses it."""
    parse_python(flags_module)  # bad input becomes SAT-STD-001, not a declaration error
    findings = []
    for problem in find_flag_problems(flags_module, [package], today):
        message, _, fix = problem.message.partition("; ")
        findings.append(
            Finding(
                str(problem.path),
                problem.line,
                problem.rule_id,
                message,
                fix.rstrip(".") or DEFAULT_FIX,
            )
        )
    return findings


def collect(argv: Sequence[str] | None = None) -> list[Finding]:
    """Check the flags of the service in the current folder."""
    parser = argparse.ArgumentParser(
        description="Check flag hygiene (standards/flags.md)."
    )
    parser.add_argument(
        "filenames", nargs="*", help="ignored: the whole package is read"
    )
    parser.add_argument("--package", help="the service package (default: found)")
    parser.add_argument(
        "--flags-module", help="the flag declarations (default: PACKAGE/flags.py)"
    )
    parser.add_argument(
        "--today",
        type=date.fromisoformat,
        default=None,
        help="YYYY-MM-DD (default: today)",
    )
    args = parser.parse_args(argv)
    package = find_package(Path("."), args.package)
    flags_module = (
        Path(args.flags_module) if args.flags_module else package / "flags.py"
    )
    if not flags_module.is_file():
        raise HookError(
            f"no flags module at {flags_module} (fix: declare the service's flags in "
            f"{package}/flags.py, or pass --flags-module PATH)"
        )
    try:
        return drop_waived(
            check_flags(flags_module, package, args.today or date.today())
        )
    except BadInput as bad:
        return [bad.finding]


def main(argv: Sequence[str] | None = None) -> int:
    """Run the hook: exit 0 clean, 1 with findings, 2 on a usage error."""
    return cli.run(collect, argv)


if __name__ == "__main__":
    raise SystemExit(main())
