"""``satchel-standards [PATH]``: run every check over a whole service and print a rule table.

For CI and the platform team: unlike pre-commit, which checks staged files, this reads every
file of the service that git tracks (or, outside git, every file but caches and local state).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from hooks import cli
from hooks.black_check import black_findings
from hooks.catalog import HOOKS, HOOKS_BY_ID
from hooks.findings import Finding, HookError
from hooks.hadolint_check import hadolint_findings
from hooks.rules import EVERY_HOOK, REVIEW, RULES

SKIPPED_DIRS = {
    ".git",
    ".venv",
    "venv",
    "node_modules",
    "__pycache__",
    "instance",
    "build",
    "dist",
}


@dataclass
class RuleResult:
    """A rule's outcome over the service: pass, fail, n/a (nothing to check) or review."""

    rule_id: str
    title: str
    enforced_by: str
    status: str = "n/a"
    findings: list[str] = field(default_factory=list)
    reviews: list[str] = field(default_factory=list)


def service_files(root: Path) -> list[str]:
    """Return the service's files as root-relative POSIX paths: git's view, else a walk."""
    if (root / ".git").exists():
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=root,
            capture_output=True,
            check=True,
        ).stdout.decode()
        return sorted(
            {name for name in listed.split("\0") if name and (root / name).is_file()}
        )
    files = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = [
            d for d in dirs if d not in SKIPPED_DIRS and not d.endswith(".egg-info")
        ]
        files += [(Path(folder) / name).relative_to(root).as_posix() for name in names]
    return sorted(files)


def run_checks(root: Path, today: str | None = None) -> list[RuleResult]:
    """Run every hook (and Black, hadolint) over the service at root; one result per rule."""
    results = {
        rule.id: RuleResult(rule.id, rule.title, rule.enforced_by) for rule in RULES
    }
    files = service_files(root)
    findings: set[Finding] = set()
    reviews: set[Finding] = set()
    with contextlib.chdir(root):
        for hook in HOOKS:
            selected = [path for path in files if hook.selects(path)]
            if not selected and not hook.always_run:
                continue
            argv = selected if hook.pass_filenames else []
            if hook.id == "satchel-flags" and today:
                argv = [*argv, "--today", today]
            for result in results.values():
                if result.enforced_by in (hook.id, EVERY_HOOK):
                    result.status = "pass"
            try:
                findings.update(hook.collect(argv))
                if hook.collect_review is not None:
                    reviews.update(hook.collect_review(argv))
            except HookError as exc:
                for result in results.values():
                    if result.enforced_by == hook.id:
                        result.status = "fail"
                        result.findings.append(f"error: {exc}")
        formatted = black_findings([path for path in files if path.endswith(".py")])
        dockerfiles = [p for p in files if HOOKS_BY_ID["satchel-dockerfile"].selects(p)]
        linted = hadolint_findings(dockerfiles)
    if formatted is not None:
        results["SAT-PY-001"].status = "pass"
        findings.update(formatted)
    if linted is not None and dockerfiles:
        for result in results.values():
            if result.enforced_by == "hadolint":
                result.status = "pass"
        findings.update(linted)
    for finding in sorted(findings):
        results[finding.rule_id].status = "fail"
        results[finding.rule_id].findings.append(str(finding))
    for finding in sorted(reviews):
        results[finding.rule_id].reviews.append(f"review: {finding}")
    for rule in RULES:
        result = results[rule.id]
        if rule.enforced_by == REVIEW or (result.status == "pass" and result.reviews):
            result.status = "review"
    return list(results.values())


def render_table(results: Sequence[RuleResult]) -> str:
    """Return the results as an aligned text table, then every finding."""
    header = ("rule", "title", "enforced by", "result", "findings")
    rows = [header] + [
        (r.rule_id, r.title, r.enforced_by, r.status, str(len(r.findings)))
        for r in results
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(header))]
    lines = [
        " | ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip()
        for row in rows
    ]
    lines.insert(1, "-+-".join("-" * w for w in widths))
    details = [line for r in results for line in (*r.findings, *r.reviews)]
    failed = sum(r.status == "fail" for r in results)
    summary = (
        f"{failed} of {len(results)} rules failed"
        if failed
        else "all checked rules pass"
    )
    return "\n".join([*lines, "", *details, *([""] if details else []), summary])


def render_json(results: Sequence[RuleResult]) -> str:
    """Return the results as JSON for CI dashboards."""
    return json.dumps(
        {
            "passed": not any(r.status == "fail" for r in results),
            "rules": [vars(r) for r in results],
        },
        indent=2,
    )


def collect_report(argv: Sequence[str] | None) -> tuple[list[RuleResult], str]:
    """Parse the command line, run the checks and return the results and the rendered report."""
    parser = argparse.ArgumentParser(
        prog="satchel-standards",
        description="Check a whole service against the Satchel standards and print a table.",
    )
    parser.add_argument(
        "path", nargs="?", default=".", help="the service root (default: .)"
    )
    parser.add_argument("--format", choices=("table", "json"), default="table")
    parser.add_argument("--today", help="YYYY-MM-DD for flag expiry (default: today)")
    args = parser.parse_args(argv)
    root = Path(args.path)
    if not root.is_dir():
        raise HookError(
            f"no such service folder: {root} (fix: pass the service's root folder)"
        )
    results = run_checks(root, args.today)
    render = render_json if args.format == "json" else render_table
    return results, render(results)


def main(argv: Sequence[str] | None = None) -> int:
    """Print the report; exit 0 if every checked rule passes, 1 if any fails, 2 on usage."""
    try:
        results, text = collect_report(argv)
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else cli.EXIT_USAGE
    except HookError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return cli.EXIT_USAGE
    print(text)
    return (
        cli.EXIT_FINDINGS if any(r.status == "fail" for r in results) else cli.EXIT_OK
    )


if __name__ == "__main__":
    raise SystemExit(main())
