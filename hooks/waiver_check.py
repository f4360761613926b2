"""Hook ``satchel-waivers``: every waiver names a known rule and gives its reason.

Rules SAT-STD-002 and SAT-STD-003, standard: standards/waivers.md. A waiver is a decision a
reviewer should be able to read; one without a reason, or for a rule that does not exist (a
typo), silently waives nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from hooks import cli
from hooks.findings import Finding
from hooks.sources import read_text
from hooks.waivers import check_waivers


def check_file(path: Path) -> list[Finding]:
    """Return the waiver findings of one text file."""
    return check_waivers(str(path), read_text(path))


def collect(argv: Sequence[str] | None = None) -> list[Finding]:
    """Check the files named on the command line."""
    parser = cli.file_parser("Check waiver comments (standards/waivers.md).")
    args = parser.parse_args(argv)
    return cli.check_each(cli.existing_paths(args.filenames), check_file)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the hook: exit 0 clean, 1 with findings, 2 on a usage error."""
    return cli.run(collect, argv)


if __name__ == "__main__":
    raise SystemExit(main())
