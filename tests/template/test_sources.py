"""Where a baked service installs satchel from, as the template's Jinja filters decide it."""

from __future__ import annotations

import importlib.util

import pytest

from tests.kit import KIT

_spec = importlib.util.spec_from_file_location(
    "satchel_template_extensions", KIT / "template" / "local_extensions.py"
)
extensions = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(extensions)


@pytest.mark.parametrize(
    "answer, template, expected",
    [
        ("", str(KIT), str(KIT)),
        ("", str(KIT / "template"), str(KIT)),
        (
            "",
            "https://git.example.org/satchel.git",
            "https://git.example.org/satchel.git",
        ),
        ("", "gh:acme/satchel", "https://github.com/acme/satchel.git"),
        ("gl:acme/satchel.git", str(KIT), "https://gitlab.com/acme/satchel.git"),
        ("../satchel", str(KIT), "/srv/satchel"),
    ],
    ids=[
        "local",
        "local-template-dir",
        "url",
        "gh-abbreviation",
        "gl-answer",
        "relative",
    ],
)
def test_satchel_source(answer, template, expected):
    """An answer wins; else the template's own origin; abbreviations become URLs."""
    context = {
        "satchel_source": answer,
        "_template": template,
        "_output_dir": "/srv/out",
    }
    assert extensions.satchel_source(context) == expected


def test_pipfile_entry_for_a_git_source_pins_a_ref():
    """A git source gets a ref; a path source installs from the path."""
    git = {"satchel_source": "https://git.example.org/s.git", "_template": str(KIT)}
    assert extensions.satchel_pipfile(git) == (
        '{git = "https://git.example.org/s.git", ref = "main"}'
    )
    local = {"satchel_source": "", "_template": str(KIT)}
    assert extensions.satchel_pipfile(local, ("mock",)) == (
        f'{{path = "{KIT}", extras = ["mock"]}}'
    )
