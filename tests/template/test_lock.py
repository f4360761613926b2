"""The lock the template ships still satisfies what satchel requires (`make template-lock`)."""

from __future__ import annotations

import importlib.util
import json
import tomllib
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


def test_relock_renders_a_pipfile_pipenv_can_read():
    """`make template-lock` renders the template's Pipfile without Jinja, satchel from here."""
    path = LOCK.parents[1] / "lock_dependencies.py"
    spec = importlib.util.spec_from_file_location("satchel_lock_dependencies", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    pipfile = tomllib.loads(module.render_pipfile())
    assert [source["name"] for source in pipfile["source"]] == ["pypi"]
    assert pipfile["packages"]["satchel"] == {"path": str(LOCK.parents[2])}
