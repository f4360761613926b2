"""Gather one service's facts: template release, satchel pin, drift, standards, flags, commit.

Each fact that cannot be read (cruft fails, the kit does not know a commit) becomes a note on
the report, not a crash: one broken service must not hide the other twenty-nine.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from datetime import date
from pathlib import Path

from hooks.report import run_checks
from satchel.flags.hygiene import find_declarations
from satchel_kit.fleet.checkout import Checkout
from satchel_kit.fleet.kit_history import KitHistory
from satchel_kit.fleet.service_report import ServiceReport

# cruft prints its diff with these two folder names in place of real paths.
_DIFF_HEADER = re.compile(
    r"^diff --git upstream-template-old/(\S+) upstream-template-new/"
)
# Keys a stamp may record its template release under (newer templates record one).
_RECORDED_RELEASE_KEYS = ("release", "_release", "satchel_release", "_satchel_version")


def inspect(checkout: Checkout, kit: KitHistory, today: date) -> ServiceReport:
    """Return the report of one service."""
    cruft, root = checkout.cruft, checkout.root
    report = ServiceReport(checkout.entry.name, str(root), cruft["commit"])
    _template(report, cruft, kit, today)
    _satchel_pin(report, root, kit)
    _drift(report, root)
    _standards(report, root, today)
    _flags(report, root, cruft["context"]["cookiecutter"]["package_name"], today)
    _last_commit(report, root)
    return report


def _template(report: ServiceReport, cruft: dict, kit: KitHistory, today: date) -> None:
    position = kit.position(cruft["commit"])
    if position is None:
        context = cruft.get("context", {}).get("cookiecutter", {})
        recorded = next(
            (
                str(v)
                for k in _RECORDED_RELEASE_KEYS
                if (v := cruft.get(k) or context.get(k))
            ),
            None,
        )
        report.template_release = recorded or f"unknown ({cruft['commit'][:7]})"
        report.notes.append(
            f"the kit repository does not know template commit {cruft['commit'][:12]}"
        )
        if recorded:
            report.releases_behind = kit.releases_after(recorded)
        return
    report.template_release = position.label
    report.template_age_days = (today - position.committed).days
    report.releases_behind = position.behind


def _satchel_pin(report: ServiceReport, root: Path, kit: KitHistory) -> None:
    """Read satchel's pin from Pipfile.lock (else the Pipfile) and place it among releases."""
    entry = None
    lock = root / "Pipfile.lock"
    try:
        entry = json.loads(lock.read_text())["default"].get("satchel")
    except (OSError, ValueError, KeyError, AttributeError):
        report.notes.append("no readable Pipfile.lock: satchel's pin is unknown")
    if isinstance(entry, str):
        entry = {"version": entry}
    if not isinstance(entry, dict):
        return
    if entry.get("ref"):
        position = kit.position(entry["ref"])
        if position is None:
            report.satchel_pin = f"git {entry['ref'][:12]} (not in the kit)"
            return
        report.satchel_pin = position.label
        report.satchel_releases_behind = position.behind
    elif entry.get("version") and entry["version"] != "*":
        report.satchel_pin = entry["version"].lstrip("=")
        report.satchel_releases_behind = kit.releases_after(entry["version"])
    elif entry.get("path"):
        report.satchel_pin = f"path {entry['path']} (not pinned)"
    else:
        report.satchel_pin = "any version (not pinned)"


def _drift(report: ServiceReport, root: Path) -> None:
    """List the files that differ from the template at the stamp's commit (cruft diff)."""
    cruft = Path(sys.executable).with_name("cruft")
    command = [str(cruft)] if cruft.exists() else [shutil.which("cruft") or "cruft"]
    try:
        done = subprocess.run(
            [*command, "diff", "--exit-code"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=600,
            # A re-render must not install git hooks in cruft's temporary folders.
            env=dict(
                os.environ, SATCHEL_SKIP_HOOK_INSTALL="1", GIT_TERMINAL_PROMPT="0"
            ),
        )
    except FileNotFoundError:
        report.notes.append("cruft is not installed: pip install 'satchel[fleet]'")
        return
    files = [
        m[1] for line in done.stdout.splitlines() if (m := _DIFF_HEADER.match(line))
    ]
    # --exit-code makes a diff exit 1, and so does a crash: a diff always has headers.
    if done.returncode != 0 and not files:
        output = (done.stderr + done.stdout).strip().splitlines() or ["no output"]
        reason = next((line for line in output if line.startswith("ERROR")), output[-1])
        report.notes.append(f"cruft diff failed: {reason[:300]}")
        return
    report.drifted_files = sorted(set(files))


def _standards(report: ServiceReport, root: Path, today: date) -> None:
    results = run_checks(root.resolve(), today.isoformat())
    report.standards_failures = {
        r.rule_id: max(1, len(r.findings)) for r in results if r.status == "fail"
    }


def _flags(report: ServiceReport, root: Path, package: str, today: date) -> None:
    module = root / package / "flags.py"
    if not module.is_file():
        report.notes.append(f"no {package}/flags.py: flag expiry not read")
        return
    try:
        declarations = find_declarations(module)
    except Exception as exc:  # noqa: BLE001 - the standards column reports the details
        report.notes.append(f"flags not read: {exc}")
        return
    for flag in declarations:
        if flag.kind == "RELEASE" and flag.expires and _before(flag.expires, today):
            report.expired_flags.append(f"{flag.key} (expired {flag.expires})")


def _before(day: str, today: date) -> bool:
    try:
        return date.fromisoformat(day) < today
    except ValueError:
        return False


def _last_commit(report: ServiceReport, root: Path) -> None:
    done = subprocess.run(
        ["git", "-C", str(root), "log", "-1", "--format=%cs%x1f%s"],
        capture_output=True,
        text=True,
    )
    if done.returncode != 0 or "\x1f" not in done.stdout:
        report.notes.append("not a git repository: last commit unknown")
        return
    report.last_commit_date, report.last_commit_subject = done.stdout.strip().split(
        "\x1f", 1
    )
