"""Waivers: ``# satchel: allow SAT-XXX-NNN -- reason`` on a finding's line or the line above."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from hooks.findings import Finding
from hooks.rules import RULES_BY_ID

_WAIVER = re.compile(r"#\s*satchel:\s*allow\b(?P<rest>.*)$")
_IDS_AND_REASON = re.compile(
    r"^\s*(?P<ids>[\w-]+(?:\s*,\s*[\w-]+)*)\s*(?:--\s*(?P<reason>.*))?$"
)


@dataclass(frozen=True)
class Waiver:
    """A waiver comment: the rules it names and the reason it gives."""

    line: int
    rule_ids: tuple[str, ...]
    reason: str

    @property
    def unknown_ids(self) -> tuple[str, ...]:
        """Return the named rule ids that no standard defines."""
        return tuple(rule_id for rule_id in self.rule_ids if rule_id not in RULES_BY_ID)


def find_waivers(text: str) -> list[Waiver]:
    """Return every waiver comment in a file's text."""
    waivers = []
    for number, line in enumerate(text.splitlines(), start=1):
        match = _WAIVER.search(line)
        if not match:
            continue
        parts = _IDS_AND_REASON.match(match.group("rest"))
        if parts is None:
            waivers.append(Waiver(number, (), ""))
            continue
        ids = tuple(part.strip() for part in parts.group("ids").split(","))
        waivers.append(Waiver(number, ids, (parts.group("reason") or "").strip()))
    return waivers


def check_waivers(path: str, text: str) -> list[Finding]:
    """Return a finding for each waiver without a reason or naming no known rule."""
    findings = []
    for waiver in find_waivers(text):
        if not waiver.rule_ids:
            findings.append(
                Finding(
                    path,
                    waiver.line,
                    "SAT-STD-003",
                    "waiver names no rule",
                    "write `# satchel: allow SAT-XXX-NNN -- reason`",
                )
            )
            continue
        for rule_id in waiver.unknown_ids:
            findings.append(
                Finding(
                    path,
                    waiver.line,
                    "SAT-STD-003",
                    f"waiver names unknown rule {rule_id}",
                    "name a rule listed in standards/README.md",
                )
            )
        if not waiver.reason:
            findings.append(
                Finding(
                    path,
                    waiver.line,
                    "SAT-STD-002",
                    f"waiver for {', '.join(waiver.rule_ids)} gives no reason",
                    "add ` -- <why the rule does not apply here>` after the rule id",
                )
            )
    return findings


def _waived_lines(path: str) -> dict[int, set[str]]:
    try:
        text = Path(path).read_bytes().decode("utf-8")
    except (OSError, UnicodeDecodeError):
        return {}
    waived: dict[int, set[str]] = {}
    for waiver in find_waivers(text):
        if waiver.reason and not waiver.unknown_ids:
            waived.setdefault(waiver.line, set()).update(waiver.rule_ids)
    return waived


def drop_waived(findings: Iterable[Finding]) -> list[Finding]:
    """Return the findings not waived on their own line or the line above, sorted."""
    by_path: dict[str, dict[int, set[str]]] = {}
    kept = []
    for finding in findings:
        if finding.path not in by_path:
            by_path[finding.path] = _waived_lines(finding.path)
        waived = by_path[finding.path]
        rule = finding.rule_id
        if not rule.startswith("SAT-STD-") and (
            rule in waived.get(finding.line, ())
            or rule in waived.get(finding.line - 1, ())
        ):
            continue
        kept.append(finding)
    return sorted(set(kept))
