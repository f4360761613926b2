"""Hook ``satchel-cruft``: the service records the template it was generated from.

Rule SAT-TPL-001, standard: standards/template.md. Without ``.cruft.json`` (template URL and
commit) a service cannot take template fixes with ``cruft update`` and drifts for good. Whether
it is behind the template (``cruft check``) needs the template's repository: that is review.
"""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path

from hooks import cli
from hooks.findings import Finding
from hooks.sources import UNREADABLE, BadInput, read_text

REQUIRED_KEYS = ("template", "commit")
FIX = "regenerate the record with `cruft link <template-url>` (or restore .cruft.json from git)"


def check_cruft(path: Path) -> list[Finding]:
    """Return a finding if the cruft record is missing or lacks template and commit."""
    if not path.is_file():
        return [Finding(str(path), 1, "SAT-TPL-001", "service has no .cruft.json", FIX)]
    text = read_text(path)
    try:
        record = json.loads(text)
    except json.JSONDecodeError as exc:
        raise BadInput(
            Finding(
                str(path), exc.lineno, UNREADABLE, f"is not valid JSON: {exc.msg}", FIX
            )
        ) from None
    missing = [
        key
        for key in REQUIRED_KEYS
        if not (isinstance(record, dict) and record.get(key))
    ]
    if missing:
        return [
            Finding(
                str(path),
                1,
                "SAT-TPL-001",
                f".cruft.json has no {' or '.join(missing)}",
                FIX,
            )
        ]
    return []


def collect(argv: Sequence[str] | None = None) -> list[Finding]:
    """Check the cruft record of the service in the current folder."""
    parser = argparse.ArgumentParser(description="Check the service's .cruft.json.")
    parser.add_argument(
        "filenames", nargs="*", help="ignored: .cruft.json is always read"
    )
    parser.add_argument(
        "--record", default=".cruft.json", help="the cruft record to check"
    )
    args = parser.parse_args(argv)
    return cli.check_each([Path(args.record)], check_cruft)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the hook: exit 0 clean, 1 with findings, 2 on a usage error."""
    return cli.run(collect, argv)


if __name__ == "__main__":
    raise SystemExit(main())
