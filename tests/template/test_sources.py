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


REPOSITORY = "https://git.example.org/platform/satchel.git"
BASE = {"_satchel_version": "1.2.3", "_satchel_repository": REPOSITORY}


@pytest.mark.parametrize(
    "answer, template, pipfile, hooks, record",
    [
        (
            "",
            str(KIT),
            '{version = "==1.2.3", index = "platform"}',
            REPOSITORY,
            REPOSITORY,
        ),
        (
            "",
            "gh:acme/satchel",
            '{version = "==1.2.3", index = "platform"}',
            "https://github.com/acme/satchel.git",
            "https://github.com/acme/satchel.git",
        ),
        (
            "",
            "git+https://git.acme.test/satchel.git",
            '{version = "==1.2.3", index = "platform"}',
            "https://git.acme.test/satchel.git",
            "https://git.acme.test/satchel.git",
        ),
        (
            "gl:acme/satchel.git",
            str(KIT),
            '{git = "https://gitlab.com/acme/satchel.git", ref = "v1.2.3"}',
            "https://gitlab.com/acme/satchel.git",
            REPOSITORY,
        ),
        ("../satchel", str(KIT), '{path = "../satchel"}', REPOSITORY, "../satchel"),
    ],
    ids=["index-from-checkout", "index-gh", "index-git-plus", "git-answer", "path"],
)
def test_where_satchel_comes_from(answer, template, pipfile, hooks, record):
    """The release pins satchel everywhere; a local bake records the kit's URL, not its path."""
    context = dict(BASE, satchel_source=answer, _template=template)
    assert extensions.satchel_pipfile(context) == pipfile
    assert extensions.hooks_repository(context) == hooks
    assert extensions.template_record(context) == record


def test_extras_and_commit_come_from_the_context():
    """Extras are listed; the commit is cruft's _commit, never the live checkout's HEAD."""
    context = dict(BASE, satchel_source="", _template=str(KIT), _commit="abc123")
    assert extensions.satchel_pipfile(context, ("mock",)) == (
        '{version = "==1.2.3", index = "platform", extras = ["mock"]}'
    )
    assert extensions.template_commit(context) == "abc123"
    assert extensions.satchel_version(context) == "1.2.3"
