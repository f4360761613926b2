"""standards/: every rule is written down, and what each page says matches the hooks."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from hooks.rules import EVERY_HOOK, RULES, RULES_BY_ID

ROOT = Path(__file__).resolve().parents[2]
STANDARDS = ROOT / "standards"
HEADING = re.compile(r"^## (SAT-[A-Z]+-\d{3}): (.+)$", re.MULTILINE)
# Pinned in the service's own .pre-commit-config.yaml, run by satchel-standards too.
EXTERNAL_HOOKS = {"black", "hadolint"}


def _sections() -> dict[str, tuple[str, str, str]]:
    """Map each rule id to (page, title, section text) as written in standards/*.md."""
    sections = {}
    for page in sorted(STANDARDS.glob("*.md")):
        text = page.read_text()
        matches = list(HEADING.finditer(text))
        for match, following in zip(matches, [*matches[1:], None]):
            end = following.start() if following else len(text)
            title = match.group(2).replace("\\", "")
            sections[match.group(1)] = (page.name, title, text[match.end() : end])
    return sections


SECTIONS = _sections()
HOOK_IDS = {
    h["id"] for h in yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text())
}


@pytest.mark.parametrize("rule", RULES, ids=[r.id for r in RULES])
def test_rule_has_its_section(rule) -> None:
    """Each rule has a section on its page with its title, Why first, a link and an enforcer."""
    page, title, body = SECTIONS[rule.id]
    assert (page, title) == (rule.page, rule.title)
    labels = re.findall(
        r"^\*\*(Why\.|Rule\.|See it in:|Enforced by:)\*\*", body, re.MULTILINE
    )
    assert labels == ["Why.", "Rule.", "See it in:", "Enforced by:"]
    enforced = re.search(r"^\*\*Enforced by:\*\* (.+)$", body, re.MULTILINE).group(1)
    hook, _, rest = enforced.partition("; ")
    assert hook.strip("`") == rule.enforced_by
    partly_review = bool(re.search(r"^\*\*Review, and why:\*\* ", body, re.MULTILINE))
    assert (partly_review, rest.startswith("review")) == (bool(rule.review),) * 2


def test_every_written_rule_is_known() -> None:
    """No page documents a rule id the hooks and report do not know."""
    assert set(SECTIONS) == set(RULES_BY_ID)


def test_index_lists_every_rule() -> None:
    """standards/README.md links every rule id."""
    index = (STANDARDS / "README.md").read_text()
    assert [r.id for r in RULES] == re.findall(
        r"^\| \[(SAT-[A-Z]+-\d{3})\]", index, re.MULTILINE
    )


def test_every_named_hook_exists() -> None:
    """Each hook a page names is declared in .pre-commit-hooks.yaml (or pinned by the service)."""
    named = {
        r.enforced_by
        for r in RULES
        if r.machine_checked and r.enforced_by != EVERY_HOOK
    }
    assert named - EXTERNAL_HOOKS == HOOK_IDS


@pytest.mark.skipif(
    not (ROOT / "examples" / "students").is_dir(),
    reason="examples/students is baked by the lead from the template; links are checked then",
)
@pytest.mark.parametrize("page", sorted(STANDARDS.glob("*.md")), ids=lambda p: p.name)
def test_example_links_resolve(page: Path) -> None:
    """Every relative link on a page points at a file or folder that exists."""
    links = re.findall(r"\]\((\.\./[^)#]+)\)", page.read_text())
    missing = [link for link in links if not (page.parent / link).exists()]
    assert missing == []
