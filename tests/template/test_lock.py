"""The lock the template ships still satisfies what satchel requires (`make template-lock`)."""

from __future__ import annotations

import json
from importlib.metadata import requires
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

LOCK = (
    Path(__file__).resolve().parents[2]
    / "template"
    / "{{cookiecutter.service_slug}}"
    / "Pipfile.lock"
)
SECTIONS = {None: "default", "mock": "develop", "hooks": "develop"}


def satchel_requirements() -> list[tuple[str | None, Requirement]]:
    """Return (extra, requirement) for the runtime and the extras a service installs."""
    found = []
    for text in requires("satchel") or []:
        requirement = Requirement(text)
        extra = None
        if requirement.marker is not None:
            extra = next(
                (
                    e
                    for e in SECTIONS
                    if e and requirement.marker.evaluate({"extra": e})
                ),
                "other",
            )
        if extra in SECTIONS:
            requirement.marker = None
            found.append((extra, requirement))
    return found


@pytest.mark.parametrize(
    "extra, requirement",
    satchel_requirements(),
    ids=lambda value: str(value) if not isinstance(value, Requirement) else value.name,
)
def test_lock_pins_a_satisfying_version(extra, requirement):
    """Each requirement is locked in the section a service installs it from."""
    section = json.loads(LOCK.read_text())[SECTIONS[extra]]
    locked = {canonicalize_name(name): entry for name, entry in section.items()}
    entry = locked.get(canonicalize_name(requirement.name))
    assert (
        entry is not None
    ), f"{requirement.name} is not locked: run `make template-lock`"
    version = entry["version"].lstrip("=")
    assert requirement.specifier.contains(version, prereleases=True), (
        f"{requirement.name} {version} does not satisfy {requirement.specifier}: "
        "run `make template-lock`"
    )
