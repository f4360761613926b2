"""Every rule of the standards: its stable ID, title, what enforces it and where it is written."""

from __future__ import annotations

from dataclasses import dataclass

REVIEW = "review"
EVERY_HOOK = "every satchel hook"


@dataclass(frozen=True)
class Rule:
    """One rule: ``enforced_by`` is a hook id, ``review`` or ``every satchel hook``.

    ``review`` says what part of a hook-enforced rule only a reviewer can judge, and why;
    the report shows such a rule as review when the hook leaves sites for a reviewer.
    """

    id: str
    title: str
    enforced_by: str
    page: str
    review: str = ""

    @property
    def machine_checked(self) -> bool:
        """Say whether a hook, rather than a reviewer, enforces the rule."""
        return self.enforced_by != REVIEW


def _rules(page: str, *rows: tuple[str, ...]) -> list[Rule]:
    return [Rule(row[0], row[1], row[2], page, *row[3:]) for row in rows]


RULES: tuple[Rule, ...] = tuple(
    _rules(
        "python.md",
        ("SAT-PY-001", "Python is formatted with Black", "black"),
        ("SAT-PY-002", "Modules are small and have one concern", REVIEW),
        ("SAT-PY-003", "Configuration is never read at import time", REVIEW),
    )
    + _rules(
        "api.md",
        ("SAT-API-001", "Every operation has an operationId", "satchel-spec"),
        ("SAT-API-002", "Every response body has an example", "satchel-spec"),
        ("SAT-API-003", "Error responses are application/problem+json", "satchel-spec"),
        (
            "SAT-API-004",
            "Every operationId names a handler in <package>/api/<tag>.py",
            "satchel-handlers",
        ),
        (
            "SAT-API-005",
            "The spec is written first and is the single source of truth",
            REVIEW,
        ),
        (
            "SAT-API-006",
            "The major version is in the base path; changes within it are additive",
            REVIEW,
        ),
        (
            "SAT-API-007",
            "Every public function in <package>/api/<tag>.py is named by an operation",
            "satchel-handlers",
        ),
        (
            "SAT-API-008",
            "Integers declare the format of their column (int32 or int64)",
            REVIEW,
        ),
    )
    + _rules(
        "tenancy.md",
        (
            "SAT-TEN-001",
            "No engine, session or database connection outside the tenancy API",
            "satchel-tenancy",
        ),
        ("SAT-TEN-002", "No default tenant", "satchel-tenancy"),
        (
            "SAT-TEN-003",
            "The tenant comes from the request's host, never from its payload",
            "satchel-tenancy",
            "a tenant a function gets from its callers (or from anything the hook cannot"
            " trace) is chosen in code the hook does not follow",
        ),
        (
            "SAT-TEN-004",
            "A token opens only the tenants it names",
            REVIEW,
        ),
    )
    + _rules(
        "flags.md",
        ("SAT-FLG-001", "Every flag used in code is declared", "satchel-flags"),
        ("SAT-FLG-002", "Every declared flag is used (or removed)", "satchel-flags"),
        ("SAT-FLG-003", "No release flag is past its expiry", "satchel-flags"),
        (
            "SAT-FLG-004",
            "Every release flag has an owner and an expiry",
            "satchel-flags",
        ),
    )
    + _rules(
        "logging.md",
        ("SAT-LOG-001", "No print() in service code", "satchel-logging"),
        ("SAT-LOG-002", "No secrets passed to log calls", "satchel-logging"),
        ("SAT-LOG-003", "No personal data in logs", REVIEW),
        (
            "SAT-LOG-004",
            "Logs are structured: an event name and key-value fields",
            REVIEW,
        ),
    )
    + _rules(
        "data.md",
        (
            "SAT-DAT-001",
            "Migrations form a single linear history",
            "satchel-migrations",
        ),
        ("SAT-DAT-002", "Every migration can be downgraded", "satchel-migrations"),
        (
            "SAT-DAT-003",
            "Schema changes are additive first (expand, then contract)",
            REVIEW,
        ),
        (
            "SAT-DAT-004",
            "Every table is under database-level audit",
            "satchel-migrations",
            "SQL a migration takes from elsewhere (another module, a file) is not spelled"
            " out where the hook reads",
        ),
        (
            "SAT-DAT-005",
            "The service runs as a database role that owns nothing",
            REVIEW,
        ),
    )
    + _rules(
        "testing.md",
        (
            "SAT-TST-001",
            "Tests use real PostgreSQL and Redis; only neighbours are mocked",
            REVIEW,
        ),
        ("SAT-TST-002", "Every operation is tested through the HTTP client", REVIEW),
    )
    + _rules(
        "containers.md",
        ("SAT-CON-001", "The image runs as a non-root USER", "satchel-dockerfile"),
        ("SAT-CON-002", "The image declares a HEALTHCHECK", "satchel-dockerfile"),
        ("SAT-CON-003", "No ADD of remote URLs", "satchel-dockerfile"),
        ("SAT-CON-004", "No secrets in ENV or ARG", "satchel-dockerfile"),
        (
            "SAT-CON-005",
            "The base image is pinned by version or digest",
            "hadolint",
        ),
        ("SAT-CON-006", "The Dockerfile passes hadolint's checks", "hadolint"),
    )
    + _rules(
        "dependencies.md",
        ("SAT-DEP-001", "Pipfile.lock is in sync with Pipfile", "satchel-pipfile-lock"),
        ("SAT-DEP-002", "Images install from the lock only (pipenv --deploy)", REVIEW),
    )
    + _rules(
        "template.md",
        (
            "SAT-TPL-001",
            "The service records its template in .cruft.json",
            "satchel-cruft",
        ),
        (
            "SAT-TPL-002",
            "Template updates are taken with cruft update, not by hand",
            REVIEW,
        ),
    )
    + _rules(
        "waivers.md",
        ("SAT-STD-001", "Every checked file is UTF-8 and parses", EVERY_HOOK),
        ("SAT-STD-002", "A waiver gives its reason", "satchel-waivers"),
        ("SAT-STD-003", "A waiver names a known rule", "satchel-waivers"),
    )
)

RULES_BY_ID: dict[str, Rule] = {rule.id: rule for rule in RULES}
