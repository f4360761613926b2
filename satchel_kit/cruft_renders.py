"""Adjust cruft's two renders (old commit, new commit) so an update merges three-way.

``cruft update`` renders the service's recorded commit and the new one, diffs them and applies
the patch with ``git apply -3``. Two things stand in its way, both fixed around each render
(cruft calls ``utils.generate.cookiecutter_template`` once per commit, the old one first):

- Python keeps the template's extension modules imported for the old commit, so the new
  commit would render with the old filters: they are evicted before each render.
- ``git apply -3`` needs the old files' blobs, which the service's repository lacks, so it
  falls back to rejecting whole hunks into ``.rej`` files: they are stored after the old render.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

from cruft._commands.utils import generate as cruft_generate

# The template's Jinja extension modules (cookiecutter.json ``_extensions``).
TEMPLATE_MODULES = ("local_extensions", "hook_errors")


def store_blobs(service: Path, rendered: Path) -> None:
    """Write the old render's files into the service's object database.

    cruft's patch names each file's old blob (``--binary`` implies full indexes); with the
    blobs at hand ``git apply -3`` merges three-way, so a change the service already made
    the same way merges cleanly and only true conflicts remain, marked in the file, instead
    of whole hunks rejected into ``.rej`` files.
    """
    files = [str(p) for p in sorted(rendered.rglob("*")) if p.is_file()]
    subprocess.run(
        ["git", "hash-object", "-w", "--stdin-paths"],
        cwd=service,
        input="\n".join(files),
        capture_output=True,
        text=True,
        check=False,
    )


@contextlib.contextmanager
def cruft_renders(service: Path):
    """Adjust cruft's two renders (old commit, new commit) for a three-way update.

    Before each, evict the template's extension modules: cruft renders both commits in one
    process from one clone, and Python would keep the old commit's filters for the new one.
    After the old one, store its blobs (:func:`store_blobs`). cruft calls
    ``utils.generate.cookiecutter_template`` for each render; the old one updates deleted paths.
    """
    original = cruft_generate.cookiecutter_template

    def render(*args, **kwargs):
        for name in TEMPLATE_MODULES:
            sys.modules.pop(name, None)
        context = original(*args, **kwargs)
        if kwargs.get("update_deleted_paths"):
            store_blobs(service, Path(kwargs["output_dir"]))
        return context

    cruft_generate.cookiecutter_template = render
    try:
        yield
    finally:
        cruft_generate.cookiecutter_template = original
