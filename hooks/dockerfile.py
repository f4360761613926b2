"""Hook ``satchel-dockerfile``: non-root, health-checked images without remote ADD or secrets.

Rules SAT-CON-001..004, standard: standards/containers.md. What hadolint checks (pinned base
images, SAT-CON-005; its best practices, SAT-CON-006) runs as its own hook; this one keeps
what hadolint does not do: USER and HEALTHCHECK as the final stage inherits them from the
stages it builds on, remote ADD, and the service's own secret names.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path

from hooks import cli
from hooks.findings import Finding
from hooks.service_secrets import secret_variables
from hooks.sources import read_text

# Beyond the service's own secret settings: any name that ends like a credential.
SECRET_KEY = re.compile(
    r"(^|_)(PASSWORD|PASSWD|SECRET|TOKEN|KEY|CREDENTIALS?)$", re.IGNORECASE
)
ROOT_USERS = {"root", "0"}
# What the template's image runs: python -c, since the slim Python images have no curl.
LIVEZ_CHECK = (
    '["python", "-c", "import sys, urllib.request; sys.exit(urllib.request.urlopen('
    "'http://127.0.0.1:8000/livez', timeout=2).status != 200)\"]"
)


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


@dataclass(frozen=True)
class Stage:
    """A build stage: its FROM line, the image or earlier stage it builds on, its name."""

    line: int
    base: str
    name: str | None
    instructions: tuple[Instruction, ...]


def stages(found: list[Instruction]) -> list[Stage]:
    """Split instructions into build stages (instructions before the first FROM are dropped)."""
    result: list[Stage] = []
    for index, instruction in enumerate(found):
        if instruction.keyword != "FROM":
            continue
        words = [w for w in instruction.argument.split() if not w.startswith("--")]
        name = words[2].lower() if len(words) > 2 and words[1].upper() == "AS" else None
        following = []
        for later in found[index + 1 :]:
            if later.keyword == "FROM":
                break
            following.append(later)
        base = words[0].lower() if words else ""
        result.append(Stage(instruction.line, base, name, tuple(following)))
    return result


def _inherited(
    stage: Stage, earlier: list[Stage], keyword: str
) -> tuple[Instruction, Stage] | None:
    """Return the last ``keyword`` instruction in effect in a stage, following its parents."""
    while True:
        matching = [i for i in stage.instructions if i.keyword == keyword]
        if matching:
            return matching[-1], stage
        parents = [s for s in earlier if s.name == stage.base]
        if not parents:
            return None
        stage, earlier = parents[-1], earlier[: earlier.index(parents[-1])]


def _inherited_from(final: Stage, owner: Stage, instruction: Instruction) -> str:
    if owner is final:
        return ""
    return f" (line {instruction.line}, in stage {owner.name}, which it builds on)"


def _check_final_stage(path: str, built: list[Stage]) -> list[Finding]:
    findings = []
    final, earlier = built[-1], built[:-1]
    user = _inherited(final, earlier, "USER")
    if user is None:
        findings.append(
            Finding(
                path,
                final.line,
                "SAT-CON-001",
                "final stage has no USER, so the service runs as root",
                "create a user (`RUN useradd --system app`) and add `USER app` before CMD",
            )
        )
    elif user[0].argument.split(":")[0] in ROOT_USERS:
        findings.append(
            Finding(
                path,
                user[0].line,
                "SAT-CON-001",
                f"final stage runs as {user[0].argument}{_inherited_from(final, user[1], user[0])}",
                "switch to a non-root user: `USER app`",
            )
        )
    check = _inherited(final, earlier, "HEALTHCHECK")
    if check is None or check[0].argument.upper() == "NONE":
        findings.append(
            Finding(
                path,
                check[0].line if check else final.line,
                "SAT-CON-002",
                "final stage has no HEALTHCHECK",
                f"add `HEALTHCHECK CMD {LIVEZ_CHECK}` (the slim Python images have no curl)",
            )
        )
    return findings


def _secret(path: Path, instruction: Instruction, name: str, setting: str | None):
    what = setting or "a secret"
    return Finding(
        str(path),
        instruction.line,
        "SAT-CON-004",
        f"{instruction.keyword} {name} bakes {what} into the image",
        "pass it at run time from the environment (or its *_FILE variable), or at build "
        "time with `RUN --mount=type=secret`",
    )


def check_file(path: Path) -> list[Finding]:
    """Return the container findings for one Dockerfile."""
    findings = []
    found = list(instructions(read_text(path)))
    service_secrets = secret_variables(path.parent)
    for instruction in found:
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
                setting = service_secrets.get(name)
                if setting or SECRET_KEY.search(name):
                    findings.append(_secret(path, instruction, name, setting))
    built = stages(found)
    if built:
        findings.extend(_check_final_stage(str(path), built))
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
