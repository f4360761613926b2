"""Bring a repository under the kit's template by rendering the template, never re-writing it.

The template is baked (cookiecutter, offline) into a scratch folder with the repository's
name; the files that tie a service to the platform are copied over when the repository has
none: ``.cruft.json`` (the template link ``cruft update`` follows), ``Pipfile`` (the
``satchel`` pin, as every stamp gets it) and ``.pre-commit-config.yaml`` (the hooks). Nothing
the repository already has is overwritten, and no handler is touched.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from satchel_kit.adopt.errors import AdoptError

__all__ = ["LINKED_FILES", "link_to_template", "service_name_for"]

LINKED_FILES = (".cruft.json", "Pipfile", ".pre-commit-config.yaml")


def service_name_for(root: Path) -> str:
    """Return a service name the template accepts, from the repository's folder name."""
    words = re.findall(r"[a-z0-9]+", root.resolve().name.lower())
    name = " ".join(words) or "service"
    return name if name[0].isalpha() else f"service {name}"


def link_to_template(root: Path, kit: Path, name: str) -> list[tuple[str, str]]:
    """Copy the linked files from a bake of ``kit``'s template; return (file, what happened)."""
    if not (kit / "template" / "cookiecutter.json").is_file():
        raise AdoptError(
            f"{kit} is not a satchel kit checkout (no template/cookiecutter.json); "
            "pass --kit <path of the kit's git checkout>"
        )
    done = []
    with tempfile.TemporaryDirectory(prefix="satchel-adopt-") as scratch:
        baked = _bake(kit, Path(scratch), name)
        for file in LINKED_FILES:
            if (root / file).exists():
                done.append((file, "kept yours (compare with the template's)"))
            else:
                shutil.copy2(baked / file, root / file)
                done.append((file, "added from the template"))
    return done


def _bake(kit: Path, out: Path, name: str) -> Path:
    """Bake the template with the service's name; return the baked folder."""
    command = [
        sys.executable,
        "-m",
        "cookiecutter",
        str(kit),
        "--directory",
        "template",
    ]
    command += ["--no-input", "--output-dir", str(out), f"service_name={name}"]
    command += [f"satchel_source={kit}"]
    bin_dir = str(Path(sys.executable).parent)
    env = {
        **os.environ,
        "SATCHEL_SKIP_HOOK_INSTALL": "1",
        "PATH": bin_dir + os.pathsep + os.environ.get("PATH", ""),
    }
    done = subprocess.run(command, capture_output=True, text=True, env=env)
    if done.returncode != 0:
        errors = [line for line in done.stdout.splitlines() if line.startswith("ERROR")]
        raise AdoptError(
            "the template could not be rendered for this repository: "
            + ("; ".join(errors) or done.stderr.strip()[-500:])
            + " (pass --name with a plain service name)"
        )
    baked = [child for child in out.iterdir() if child.is_dir()]
    return baked[0]
