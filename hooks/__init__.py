"""Satchel's pre-commit hooks: the machine-checkable rules of ``standards/``.

One module per hook (``hooks.<module>:main``), declared in :mod:`hooks.catalog` and in the
repository's ``.pre-commit-hooks.yaml``; ``satchel-standards`` (:mod:`hooks.report`) runs them
all over a whole service. Not to be confused with ``template/hooks/`` (cookiecutter's).
"""

from hooks.catalog import HOOKS, HOOKS_BY_ID, Hook
from hooks.findings import Finding, HookError
from hooks.rules import RULES, RULES_BY_ID, Rule

__all__ = [
    "HOOKS",
    "HOOKS_BY_ID",
    "Finding",
    "Hook",
    "HookError",
    "RULES",
    "RULES_BY_ID",
    "Rule",
]
