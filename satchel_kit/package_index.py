"""The platform's package index as a PEP 503 "simple" directory.

``publish`` copies a wheel into ``<index>/satchel/`` and rewrites the project page with every
wheel there and its sha256, so any static server (``python -m http.server``, nginx, an S3
bucket) serves it as an index: ``SATCHEL_INDEX_URL=http://host/`` for pip and pipenv. Teams
with devpi, CodeArtifact or Artifactory upload the same wheel there instead (twine upload).
"""

from __future__ import annotations

import hashlib
import html
import shutil
from pathlib import Path

PROJECT = "satchel"


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _page(links: list[tuple[str, str]]) -> str:
    body = "\n".join(
        f'<a href="{html.escape(href)}">{html.escape(text)}</a><br>'
        for href, text in links
    )
    return f"<!DOCTYPE html>\n<html><body>\n{body}\n</body></html>\n"


def publish(wheel: Path, index: Path) -> Path:
    """Add ``wheel`` to the index directory and return the project page's path."""
    project = index / PROJECT
    project.mkdir(parents=True, exist_ok=True)
    shutil.copy2(wheel, project / wheel.name)
    wheels = sorted(project.glob(f"{PROJECT}-*.whl"))
    page = project / "index.html"
    page.write_text(_page([(f"{w.name}#sha256={sha256(w)}", w.name) for w in wheels]))
    (index / "index.html").write_text(_page([(f"{PROJECT}/", PROJECT)]))
    return page
