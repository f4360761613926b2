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
    "SAT-CON-002 final stage has no HEALTHCHECK (fix: add `HEALTHCHECK CMD "
    '["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('
    "'http://127.0.0.1:8000/livez', timeout=2).status != 200)\"]` (the slim Python images "
    "have no curl))"
)
SECRET_FIX = (
    "(fix: pass it at run time from the environment (or its *_FILE variable), or at build "
    "time with `RUN --mount=type=secret`)"
)
SETTINGS = """
    from dataclasses import dataclass

    from satchel.config import secret as hidden

    ENV_PREFIX = "STUDENTS"


    @dataclass
    class Settings:
        env: str = "development"
        jwt_key: str = hidden("dev-only")
        smtp_login: str = hidden("")
    """

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
        FROM python:3.11-slim AS base
        RUN useradd --system app
        USER app
        HEALTHCHECK CMD ["python", "-c", "print(1)"]

        FROM base AS test
        RUN true

        FROM test AS final
        CMD ["app"]
        """,
        [],
        id="final-stage-inherits-user-and-healthcheck",
    ),
    pytest.param(
        """
        FROM python:3.11-slim AS base
        USER root
        HEALTHCHECK NONE
        FROM base
        CMD ["app"]
        """,
        [
            "Dockerfile:2: SAT-CON-001 final stage runs as root (line 2, in stage base, which "
            "it builds on) (fix: switch to a non-root user: `USER app`)",
            f"Dockerfile:3: {HEALTH}",
        ],
        id="inherited-root-user-and-no-healthcheck",
    ),
    pytest.param(
        """
        FROM python:3.11-slim AS base
        USER app
        FROM python:3.11-slim AS final
        COPY --from=base /srv /srv
        """,
        [
            f"Dockerfile:3: SAT-CON-001 final stage has no USER, so the service runs as root "
            f"{USER_FIX}",
            f"Dockerfile:3: {HEALTH}",
        ],
        id="copying-from-a-stage-inherits-nothing",
    ),
    pytest.param(
        {
            "students/__init__.py": "",
            "students/settings.py": SETTINGS,
            "Dockerfile": """
                FROM python:3.11-slim
                ENV STUDENTS_ENV=production STUDENTS_JWT_KEY=abc
                ENV STUDENTS_SMTP_LOGIN=ops STUDENTS_JWT_KEY_FILE=/run/secrets/jwt
                ARG DEPLOY_TOKEN
                ENV SIGNING_KEY $SIGNING_KEY
                USER app
                HEALTHCHECK CMD ["python", "-c", "print(1)"]
                """,
        },
        [
            "Dockerfile:2: SAT-CON-004 ENV STUDENTS_JWT_KEY bakes the secret setting jwt_key of "
            f"students/settings.py into the image {SECRET_FIX}",
            "Dockerfile:3: SAT-CON-004 ENV STUDENTS_SMTP_LOGIN bakes the secret setting "
            f"smtp_login of students/settings.py into the image {SECRET_FIX}",
            "Dockerfile:4: SAT-CON-004 ARG DEPLOY_TOKEN bakes a secret into the image "
            f"{SECRET_FIX}",
            f"Dockerfile:5: SAT-CON-004 ENV SIGNING_KEY bakes a secret into the image {SECRET_FIX}",
        ],
        id="the-services-own-secrets-and-credential-names",
    ),
    pytest.param(
        {
            "students/__init__.py": "",
            "students/settings.py": "class Settings(:\n",
            "Dockerfile": """
                FROM python:3.11-slim
                ENV STUDENTS_SMTP_LOGIN=ops
                USER app
                HEALTHCHECK CMD ["python", "-c", "print(1)"]
                """,
        },
        [],
        id="unreadable-settings-leave-the-credential-names",
    ),
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


def _files(text: str | dict[str, str]) -> dict[str, str]:
    return text if isinstance(text, dict) else {"Dockerfile": text}


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_check_file(workdir: Path, text, expected: list[str]) -> None:
    """The check function returns exactly the expected findings."""
    write(workdir, _files(text))
    assert [str(f) for f in drop_waived(check_file(Path("Dockerfile")))] == expected


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_main(workdir: Path, run_main, text, expected: list[str]) -> None:
    """main prints the findings and exits 1 on findings, 0 when clean."""
    write(workdir, _files(text))
    code, out, err = run_main(main, ["Dockerfile"])
    assert (code, out.splitlines(), err) == (1 if expected else 0, expected, "")
