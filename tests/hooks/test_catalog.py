"""The hook catalog, .pre-commit-hooks.yaml, setup.cfg entry points and the package API agree."""

from __future__ import annotations

import configparser
from pathlib import Path

import pytest
import yaml

import hooks
from hooks.catalog import HOOKS, manifest
from hooks.rules import RULES

ROOT = Path(__file__).resolve().parents[2]


def test_manifest_file_matches_catalog() -> None:
    """.pre-commit-hooks.yaml is exactly what hooks.catalog declares."""
    assert yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text()) == manifest()


def test_console_scripts_match_catalog() -> None:
    """Each hook's entry is a console script naming its module's main; plus satchel-standards."""
    config = configparser.ConfigParser()
    config.read(ROOT / "setup.cfg")
    lines = config["options.entry_points"]["console_scripts"].strip().splitlines()
    scripts = dict(line.replace(" ", "").split("=") for line in lines)
    expected = {hook.entry: f"hooks.{hook.module}:main" for hook in HOOKS}
    expected["satchel-standards"] = "hooks.report:main"
    assert {k: v for k, v in scripts.items() if v.startswith("hooks.")} == expected


@pytest.mark.parametrize("hook", HOOKS, ids=[h.id for h in HOOKS])
def test_each_hook_enforces_a_rule(hook) -> None:
    """Every hook is named as the enforcer of at least one rule."""
    assert any(rule.enforced_by == hook.id for rule in RULES)


@pytest.mark.parametrize(
    ("hook_id", "path", "selected"),
    [
        ("satchel-tenancy", "students/app.py", True),
        ("satchel-tenancy", "migrations/env.py", False),
        ("satchel-tenancy", "tests/test_app.py", False),
        ("satchel-tenancy", ".env", True),
        ("satchel-logging", "students/api/notes.py", True),
        ("satchel-logging", "tests/test_notes.py", False),
        ("satchel-spec", "spec/openapi.yaml", True),
        ("satchel-spec", "mocks/billing/openapi.yaml", False),
        ("satchel-migrations", "migrations/versions/0001_x.py", True),
        ("satchel-dockerfile", "Dockerfile", True),
        ("satchel-pipfile-lock", "Pipfile.lock", True),
    ],
)
def test_file_patterns(hook_id: str, path: str, selected: bool) -> None:
    """Each hook selects the files its standard covers, and not the ones it excepts."""
    assert hooks.HOOKS_BY_ID[hook_id].selects(path) is selected


def test_all_is_honest() -> None:
    """hooks.__all__ names exactly the public names it re-exports."""
    assert sorted(hooks.__all__) == sorted(
        name
        for name in vars(hooks)
        if not name.startswith("_")
        and name.isidentifier()
        and not isinstance(getattr(hooks, name), type(hooks))
    )
