"""The hooks this repository offers: the single source of ``.pre-commit-hooks.yaml``.

``tests/hooks/test_catalog.py`` keeps the YAML file equal to :func:`manifest`, and the
standards report runs each hook over the files its patterns select, as pre-commit would.
"""

from __future__ import annotations

import importlib
import re
from dataclasses import dataclass
from typing import Any

from hooks.cli import Collect

# What the hooks need beyond satchel's runtime: sqlglot, the SQL parser satchel-migrations
# reads raw SQL with (services do not need it at run time). Every hook lists the same, so
# pre-commit builds one environment for them all.
HOOK_DEPENDENCIES = ("sqlglot>=25",)


@dataclass(frozen=True)
class Hook:
    """One pre-commit hook: id, module (``hooks.<module>``), file patterns and description."""

    id: str
    module: str
    description: str
    files: str
    exclude: str = "^$"
    pass_filenames: bool = True
    always_run: bool = False
    additional_dependencies: tuple[str, ...] = HOOK_DEPENDENCIES

    def selects(self, path: str) -> bool:
        """Say whether pre-commit would pass this repository-relative path to the hook."""
        return bool(re.search(self.files, path)) and not re.search(self.exclude, path)

    @property
    def collect(self) -> Collect:
        """Return the hook module's ``collect(argv)``."""
        return importlib.import_module(f"hooks.{self.module}").collect

    @property
    def collect_review(self) -> Collect | None:
        """Return the module's ``collect_review(argv)`` (what only a reviewer can judge)."""
        return getattr(
            importlib.import_module(f"hooks.{self.module}"), "collect_review", None
        )

    @property
    def entry(self) -> str:
        """Name the console script pre-commit runs (declared in setup.cfg)."""
        return self.id


HOOKS: tuple[Hook, ...] = (
    Hook(
        "satchel-spec",
        "spec",
        "OpenAPI: operationIds, response examples, problem+json errors (standards/api.md)",
        files=r"(^|/)spec/openapi\.ya?ml$",
    ),
    Hook(
        "satchel-handlers",
        "handlers",
        "Every operationId names a handler in <package>/api/<tag>.py, and every public"
        " function there is one (standards/api.md)",
        files=r"(^|/)spec/openapi\.ya?ml$|/api/[^/]+\.py$",
        pass_filenames=False,
    ),
    Hook(
        "satchel-tenancy",
        "tenancy",
        "No engine, session or driver connection outside the tenancy API, no default tenant,"
        " no tenant from a request's payload (standards/tenancy.md)",
        files=r"\.(py|ya?ml|toml|cfg|ini|env)$|(^|/)\.env(\.[\w.-]+)?$",
        exclude=r"(^|/)(migrations/env\.py|conftest\.py|\.pre-commit-(config|hooks)\.yaml)$"
        r"|(^|/)tests/",
    ),
    Hook(
        "satchel-flags",
        "flags",
        "Flags are declared, used, owned and expire (standards/flags.md)",
        files=r"\.(py|html|jinja2?|j2)$",
        pass_filenames=False,
    ),
    Hook(
        "satchel-logging",
        "log_calls",
        "No print(), no secrets in log calls (standards/logging.md)",
        files=r"\.py$",
        exclude=r"(^|/)(tests|scripts|migrations)/|(^|/)(conftest|setup)\.py$",
    ),
    Hook(
        "satchel-migrations",
        "migrations",
        "One linear Alembic history, every migration reversible, every table audited"
        " (standards/data.md)",
        files=r"(^|/)migrations/versions/[^/]+\.py$",
    ),
    Hook(
        "satchel-pipfile-lock",
        "pipfile_lock",
        "Pipfile.lock is in sync with Pipfile (standards/dependencies.md)",
        files=r"(^|/)Pipfile(\.lock)?$",
    ),
    Hook(
        "satchel-dockerfile",
        "dockerfile",
        "Non-root USER, HEALTHCHECK (as the final stage inherits them), no remote ADD, no"
        " secrets (standards/containers.md; hadolint checks the rest)",
        files=r"(^|/)Dockerfile(\.[\w.-]+)?$|\.dockerfile$",
    ),
    Hook(
        "satchel-cruft",
        "template_drift",
        "The service records its template in .cruft.json (standards/template.md)",
        files=r"^\.cruft\.json$",
        pass_filenames=False,
        always_run=True,
    ),
    Hook(
        "satchel-waivers",
        "waiver_check",
        "Waivers name a known rule and give a reason (standards/waivers.md)",
        files=r"\.(py|ya?ml|toml|cfg|ini)$|(^|/)(Dockerfile|Pipfile)$",
    ),
)

HOOKS_BY_ID: dict[str, Hook] = {hook.id: hook for hook in HOOKS}


def manifest() -> list[dict[str, Any]]:
    """Return the content of ``.pre-commit-hooks.yaml``."""
    entries = []
    for hook in HOOKS:
        entry: dict[str, Any] = {
            "id": hook.id,
            "name": hook.id,
            "description": hook.description,
            "entry": hook.entry,
            "language": "python",
            "files": hook.files,
        }
        if hook.exclude != "^$":
            entry["exclude"] = hook.exclude
        if not hook.pass_filenames:
            entry["pass_filenames"] = False
        if hook.always_run:
            entry["always_run"] = True
        if hook.additional_dependencies:
            entry["additional_dependencies"] = list(hook.additional_dependencies)
        entries.append(entry)
    return entries
