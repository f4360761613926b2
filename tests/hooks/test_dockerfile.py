"""satchel-dockerfile: non-root USER, HEALTHCHECK, no remote ADD, no secrets in ENV/ARG."""

from __future__ import annotations

from pathlib import Path

import pytest

from hooks.dockerfile import check_file, main
from hooks.waivers import drop_waived
from tests.hooks.conftest import SERVICE, write

USER_FIX = (
    "(fix: create a user (`RUN useradd --system app`) and add `USER app` before CMD)"
)
HEALTH = (
    "SAT-CON-002 final stage has no HEALTHCHECK (fix: add "
    "`HEALTHCHECK CMD curl -fsS http://127.0.0.1:8000/livez || exit 1`)"
)
SECRET_FIX = (
    "(fix: pass it at run time from the environment, or at build time with "
    "`RUN --mount=type=secret`)"
)

CASES = [
    pytest.param((SERVICE / "Dockerfile").read_text(), [], id="clean-fixture-service"),
    pytest.param(
        """
        FROM python:3.11-slim AS build
        USER app
        HEALTHCHECK CMD true
        FROM python:3.11-slim
        CMD ["app"]
        """,
        [
            f"Dockerfile:4: SAT-CON-001 final stage has no USER, so the service runs as root "
            f"{USER_FIX}",
            f"Dockerfile:4: {HEALTH}",
        ],
        id="only-the-final-stage-counts",
    ),
    pytest.param(
        """
        FROM python:3.11-slim
        USER app
        USER 0:0
        HEALTHCHECK NONE
        """,
        [
            "Dockerfile:3: SAT-CON-001 final stage runs as 0:0 (fix: switch to a non-root user: "
            "`USER app`)",
            f"Dockerfile:4: {HEALTH}",
        ],
        id="root-user-and-healthcheck-none",
    ),
    pytest.param(
        """
        FROM python:3.11-slim
        # fetch a tool
        ADD --chown=app \\
            https://example.com/tool.tgz /opt/
        ARG GITHUB_TOKEN
        ENV DATABASE_PASSWORD=hunter2 LOG_LEVEL=info
        ENV SECRET_KEY not-so-secret
        USER app
        HEALTHCHECK CMD true
        """,
        [
            "Dockerfile:3: SAT-CON-003 ADD fetches a remote URL (fix: download in a RUN step and "
            "verify its sha256, or COPY a vendored file)",
            f"Dockerfile:5: SAT-CON-004 ARG GITHUB_TOKEN bakes a secret into the image "
            f"{SECRET_FIX}",
            f"Dockerfile:6: SAT-CON-004 ENV DATABASE_PASSWORD bakes a secret into the image "
            f"{SECRET_FIX}",
            f"Dockerfile:7: SAT-CON-004 ENV SECRET_KEY bakes a secret into the image {SECRET_FIX}",
        ],
        id="remote-add-and-secrets",
    ),
]


CASES += [
    pytest.param(
        """
        FROM python:3.11-slim
        RUN apt-get update \\
            # a comment inside a continued instruction
            && true
        ENV GREETING="unbalanced
        USER app
        HEALTHCHECK CMD true \\
        """,
        [],
        id="comments-in-continuations-bad-quotes-and-trailing-backslash",
    ),
]


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_check_file(workdir: Path, text: str, expected: list[str]) -> None:
    """The check function returns exactly the expected findings."""
    write(workdir, {"Dockerfile": text})
    assert [str(f) for f in drop_waived(check_file(Path("Dockerfile")))] == expected


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_main(workdir: Path, run_main, text: str, expected: list[str]) -> None:
    """main prints the findings and exits 1 on findings, 0 when clean."""
    write(workdir, {"Dockerfile": text})
    code, out, err = run_main(main, ["Dockerfile"])
    assert (code, out.splitlines(), err) == (1 if expected else 0, expected, "")
