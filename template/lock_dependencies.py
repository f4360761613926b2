"""Re-lock the dependencies every new service starts from (`make template-lock`).

The template ships a Pipfile.lock so that a bake is fast, offline and gives every new service
the same audited versions; post_gen_project.py then points its satchel entries at the service's
satchel source and re-hashes it. Run this after changing satchel's requirements or the
template's Pipfile; tests/template checks that the shipped lock still satisfies them.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

TEMPLATE = Path(__file__).resolve().parent
KIT = TEMPLATE.parent
SERVICE = TEMPLATE / "{{cookiecutter.service_slug}}"
PLACEHOLDER = {"path": "."}


def render_pipfile() -> str:
    """Return the template's Pipfile with satchel taken from this checkout.

    The platform index's source is left out: satchel is its only package, and the lock's
    satchel entries are placeholders that post_gen_project.py replaces anyway.
    """
    text = (SERVICE / "Pipfile").read_text()
    text = re.sub(r"\{%-? if [^%]*%\}.*?\{%-? endif %\}", "", text, flags=re.S)
    text = re.sub(
        r"\{\{ cookiecutter \| satchel_pipfile\(\((.*?)\)\) \}\}",
        lambda match: f'{{path = "{KIT}", extras = [{match.group(1).rstrip(",")}]}}',
        text,
    )
    return text.replace("{{ cookiecutter | satchel_pipfile }}", f'{{path = "{KIT}"}}')


def main() -> int:
    with tempfile.TemporaryDirectory(prefix="satchel-lock-") as work:
        (Path(work) / "Pipfile").write_text(render_pipfile())
        env = dict(os.environ, PIPENV_VENV_IN_PROJECT="1", PIPENV_NOSPIN="1")
        subprocess.run(
            [sys.executable, "-m", "pipenv", "lock"], cwd=work, env=env, check=True
        )
        lock = json.loads((Path(work) / "Pipfile.lock").read_text())
    lock["default"]["satchel"] = dict(PLACEHOLDER)
    lock["develop"]["satchel"] = dict(PLACEHOLDER)
    lock["_meta"]["hash"] = {"sha256": "rehashed-by-post-gen-project"}
    (SERVICE / "Pipfile.lock").write_text(
        json.dumps(lock, indent=4, sort_keys=True) + "\n"
    )
    print(f"wrote {SERVICE / 'Pipfile.lock'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
