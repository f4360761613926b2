"""Hook ``satchel-dockerfile``: non-root, health-checked images without remote ADD or secrets.

Rules SAT-CON-001..004, standard: standards/containers.md.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from hooks import cli
from hooks.findings import Finding
from hooks.sources import read_text

SECRET_KEY = re.compile(
    r"(^|_)(PASSWORD|PASSWD|SECRET|SECRET_KEY|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)$",
    re.IGNORECASE,
)
ROOT_USERS = {"root", "0"}


@dataclass(frozen=True)
class Instruction:
    """One Dockerfile instruction, continuation lines joined, at the line it starts on."""

    line: int
    keyword: str
    argument: str


def instructions(text: str) -> Iterator[Instruction]:
    """Yield the instructions of a Dockerfile, skipping comments and blank lines."""
    start, parts = 0, []
    for number, raw in enumerate(text.splitlines(), start=1):
        stripped = raw.strip()
        if not parts and (not stripped or stripped.startswith("#")):
            continue
        if parts and stripped.startswith("#"):
            continue  # a comment inside a continued instruction
        if not parts:
            start = number
        parts.append(stripped[:-1] if stripped.endswith("\\") else stripped)
        if not stripped.endswith("\\"):
            keyword, _, argument = " ".join(parts).partition(" ")
            yield Instruction(start, keyword.upper(), argument.strip())
            parts = []
    if parts:
        keyword, _, argument = " ".join(parts).partition(" ")
        yield Instruction(start, keyword.upper(), argument.strip())


def _variables(instruction: Instruction) -> list[str]:
    """Return the names an ENV or ARG instruction sets."""
    try:
        words = shlex.split(instruction.argument)
    except ValueError:
        words = instruction.argument.split()
    if instruction.keyword == "ENV" and words and "=" not in words[0]:
        return words[:1]  # legacy form: ENV KEY value with spaces
    return [word.split("=", 1)[0] for word in words]


def _check_final_stage(path: str, stage: list[Instruction]) -> list[Finding]:
    findings = []
    start = stage[0].line
    users = [i for i in stage if i.keyword == "USER"]
    if not users:
        findings.append(
            Finding(
                path,
                start,
                "SAT-CON-001",
                "final stage has no USER, so the service runs as root",
                "create a user (`RUN useradd --system app`) and add `USER app` before CMD",
            )
        )
    elif users[-1].argument.split(":")[0] in ROOT_USERS:
        findings.append(
            Finding(
                path,
                users[-1].line,
                "SAT-CON-001",
                f"final stage runs as {users[-1].argument}",
                "switch to a non-root user: `USER app`",
            )
        )
    checks = [i for i in stage if i.keyword == "HEALTHCHECK"]
    if not checks or checks[-1].argument.upper() == "NONE":
        findings.append(
            Finding(
                path,
                checks[-1].line if checks else start,
                "SAT-CON-002",
                "final stage has no HEALTHCHECK",
                "add `HEALTHCHECK CMD curl -fsS http://127.0.0.1:8000/livez || exit 1`",
            )
        )
    return findings


def check_file(path: Path) -> list[Finding]:
    """Return the container findings for one Dockerfile."""
    findings = []
    stage: list[Instruction] = []
    for instruction in instructions(read_text(path)):
        if instruction.keyword == "FROM":
            stage = []
        stage.append(instruction)
        args = instruction.argument.split()
        if instruction.keyword == "ADD" and any(
            re.match(r"(https?|ftp)://|git@", a) for a in args
        ):
            findings.append(
                Finding(
                    str(path),
                    instruction.line,
                    "SAT-CON-003",
                    "ADD fetches a remote URL",
                    "download in a RUN step and verify its sha256, or COPY a vendored file",
                )
            )
        if instruction.keyword in ("ENV", "ARG"):
            for name in _variables(instruction):
                if SECRET_KEY.search(name):
                    findings.append(
                        Finding(
                            str(path),
                            instruction.line,
                            "SAT-CON-004",
                            f"{instruction.keyword} {name} bakes a secret into the image",
                            "pass it at run time from the environment, or at build time with "
                            "`RUN --mount=type=secret`",
                        )
                    )
    if stage:
        findings.extend(_check_final_stage(str(path), stage))
    return findings


def collect(argv: Sequence[str] | None = None) -> list[Finding]:
    """Check the Dockerfiles named on the command line."""
    parser = cli.file_parser("Check Dockerfiles (standards/containers.md).")
    args = parser.parse_args(argv)
    return cli.check_each(cli.existing_paths(args.filenames), check_file)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the hook: exit 0 clean, 1 with findings, 2 on a usage error."""
    return cli.run(collect, argv)


if __name__ == "__main__":
    raise SystemExit(main())
