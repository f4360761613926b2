"""What every hook's ``main`` shares: argument parsing, bad input, output and exit codes."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from hooks.findings import Finding, HookError
from hooks.sources import BadInput
from hooks.waivers import drop_waived

EXIT_OK = 0
EXIT_FINDINGS = 1
EXIT_USAGE = 2

Collect = Callable[[Sequence[str] | None], list[Finding]]


def file_parser(description: str) -> argparse.ArgumentParser:
    """Return a parser taking the file names pre-commit passes."""
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("filenames", nargs="*", help="files to check")
    return parser


def existing_paths(names: Iterable[str]) -> list[Path]:
    """Return the names as paths, or raise HookError naming the first that does not exist."""
    paths = [Path(name) for name in names]
    for path in paths:
        if not path.is_file():
            raise HookError(
                f"no such file: {path} (fix: pass existing files, or run the hook through "
                "pre-commit, which passes only files that exist)"
            )
    return paths


def check_each(
    paths: Iterable[Path], check_one: Callable[[Path], list[Finding]]
) -> list[Finding]:
    """Run a one-file check over each path, reporting unreadable files, dropping waived findings."""
    findings: list[Finding] = []
    for path in paths:
        try:
            findings.extend(check_one(path))
        except BadInput as bad:
            findings.append(bad.finding)
    return drop_waived(findings)


def run(collect: Collect, argv: Sequence[str] | None) -> int:
    """Collect findings, print them and return the exit code: 0 clean, 1 findings, 2 usage."""
    try:
        findings = collect(argv)
    except (
        SystemExit
    ) as exc:  # argparse has printed its message; keep main() returning an int
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    except HookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    for finding in findings:
        print(finding)
    return EXIT_FINDINGS if findings else EXIT_OK
