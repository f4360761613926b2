"""Finish the new service: vendor its neighbours' specs, pin satchel in the lock file,
record the template version for cruft, make the first commit, and install the git hooks
when pre-commit is at hand (otherwise say so, and how).

Everything here is idempotent and needs no network: a bake from a local checkout works offline.

cruft re-renders the template (``cruft diff``, ``cruft update``) in a temporary folder from the
answers in .cruft.json, without cookiecutter's ``_output_dir``: there, paths the answers give
relative to where the bake ran resolve nowhere, and mocks/ and mocks.yaml are the service's own
(re-vendored by its team, skipped by cruft). So a re-render writes only what the answers alone
decide: no vendoring, no git repository.
"""

import hashlib
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ANSWERS = json.loads(r"""{{ cookiecutter | jsonify }}""")
NEIGHBOURS = json.loads(r"""{{ cookiecutter | satchel_neighbours | jsonify }}""")
SATCHEL_SOURCE = r"""{{ cookiecutter | satchel_source }}"""
SATCHEL_COMMIT = r"""{{ cookiecutter | satchel_commit }}"""
TEMPLATE_SOURCE = r"""{{ cookiecutter | template_source }}"""
TEMPLATE_COMMIT = r"""{{ cookiecutter | template_commit }}"""
PACKAGE = ANSWERS["package_name"]
FIRST_PORT = 8101
# cookiecutter records where it bakes; cruft's re-render does not (see the docstring).
RE_RENDER = "_output_dir" not in ANSWERS

CLIENT_MODULE = '''"""Call the {name} service by the operationIds of its vendored spec.

The spec is mocks/{name}/openapi.yaml, pinned in mocks.yaml. Locally and in tests the
spec-driven mock answers (`satchel-mock up`); `satchel-mock check` keeps the pin honest.
Send the credentials the spec's `security` names (``call(..., headers=...)``): the mock
answers 401 without them, as the real service would.
"""

from satchel.clients import NeighbourClient


class {cls}Client(NeighbourClient):
    """The {name} service: build it with settings.{attr}_url and {attr}_tenant_host."""

    neighbour = "{name}"
'''


def write_client(root: Path, name: str) -> None:
    """Write clients/<name>.py, the class the service calls the neighbour through."""
    attr = name.replace("-", "_")
    cls = "".join(part.title() for part in name.split("-"))
    module = root / PACKAGE / "clients" / f"{attr}.py"
    module.write_text(CLIENT_MODULE.format(name=name, cls=cls, attr=attr))


def vendor_neighbours(root: Path) -> None:
    """Copy each neighbour's spec folder into mocks/<name>/ and write mocks.yaml."""
    lines = [
        "# The neighbours this service calls, answered locally by `satchel-mock up`.",
        "# Re-vendor a spec by copying the neighbour's spec/ folder here, then `satchel-mock pin`.",
        "neighbours:" + ("" if NEIGHBOURS else " []"),
    ]
    for index, neighbour in enumerate(NEIGHBOURS):
        name, spec = neighbour["name"], Path(neighbour["spec"])
        target = root / "mocks" / name
        shutil.copytree(spec.parent, target, dirs_exist_ok=True)
        if spec.name != "openapi.yaml":
            (target / spec.name).rename(target / "openapi.yaml")
        digest = hashlib.sha256((target / "openapi.yaml").read_bytes()).hexdigest()
        overlay = target / "overlay.yaml"
        if not overlay.exists():
            overlay.write_text(
                "# Examples and request rules for the mocked "
                f"{name}, kept beside its spec, not inside it.\n"
                "# See `satchel-mock --help`.\n"
                "scenarios: {}\n"
            )
        lines += [
            f"  - name: {name}",
            f"    spec: mocks/{name}/openapi.yaml",
            f"    digest: sha256:{digest}",
            f"    overlay: mocks/{name}/overlay.yaml",
            f"    port: {FIRST_PORT + index}",
        ]
        write_client(root, name)
    (root / "mocks.yaml").write_text("\n".join(lines) + "\n")


def pipfile_hash(pipfile: Path) -> str:
    """Hash the Pipfile exactly as pipenv does, so `pipenv install --deploy` accepts the lock."""
    raw = tomllib.loads(pipfile.read_text())

    def canonical(section):
        return {
            re.sub(r"[-_.]+", "-", key).lower(): value for key, value in section.items()
        }

    data = {
        "_meta": {
            "sources": raw.get("source", {}),
            "requires": raw.get("requires", {}),
        },
        "default": canonical(raw.get("packages", {})),
        "develop": canonical(raw.get("dev-packages", {})),
    }
    content = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(content.encode()).hexdigest()


def pin_satchel_in_lock(root: Path) -> None:
    """Point the template's lock at this service's satchel source and re-hash it."""
    pipfile = tomllib.loads((root / "Pipfile").read_text())
    lock_path = root / "Pipfile.lock"
    lock = json.loads(lock_path.read_text())
    lock["default"]["satchel"] = dict(pipfile["packages"]["satchel"])
    develop = dict(pipfile["dev-packages"]["satchel"])
    lock["develop"]["satchel"] = develop
    lock["_meta"]["hash"] = {"sha256": pipfile_hash(root / "Pipfile")}
    lock_path.write_text(json.dumps(lock, indent=4, sort_keys=True) + "\n")


def record_template(root: Path) -> None:
    """Write .cruft.json so `cruft check` and `cruft update` know the template and commit."""
    context = {key: value for key, value in ANSWERS.items() if not key.startswith("_")}
    context.update(_template=TEMPLATE_SOURCE, _commit=TEMPLATE_COMMIT)
    cruft = {
        "template": TEMPLATE_SOURCE,
        "commit": TEMPLATE_COMMIT,
        "checkout": ANSWERS.get("_checkout"),
        "context": {"cookiecutter": context},
        "directory": "template",
        "skip": [
            ".git",
            ".cruft.json",
            "mocks",
            "mocks.yaml",
            "Pipfile.lock",
            "migrations/versions",
        ],
    }
    (root / ".cruft.json").write_text(
        json.dumps(cruft, indent=2, sort_keys=True) + "\n"
    )


def git(root: Path, *args: str) -> None:
    identity = ["-c", "user.name=Satchel", "-c", "user.email=satchel@localhost"]
    configured = subprocess.run(
        ["git", "config", "user.email"], cwd=root, capture_output=True
    )
    command = ["git", *([] if configured.returncode == 0 else identity), *args]
    subprocess.run(command, cwd=root, check=True, capture_output=True)


def pre_commit_command() -> list[str] | None:
    """Return how to run pre-commit here: from PATH, else from cookiecutter's Python, else None."""
    on_path = shutil.which("pre-commit")
    if on_path:
        return [on_path]
    if importlib.util.find_spec("pre_commit") is not None:
        return [sys.executable, "-m", "pre_commit"]
    return None


def install_git_hooks(root: Path) -> None:
    """Install the git hooks with pre-commit, or say plainly that they are not installed."""
    if os.environ.get("SATCHEL_SKIP_HOOK_INSTALL") == "1":
        return
    command = pre_commit_command()
    if command is None:
        print(
            "NOTE: the git hooks are NOT installed: pre-commit is neither on PATH nor "
            f"importable by {sys.executable}. Install them in {root} with "
            "`pipenv install --dev && pipenv run pre-commit install`."
        )
        return
    subprocess.run([*command, "install"], cwd=root, check=True, capture_output=True)
    print(f"The git hooks are installed ({' '.join(command)} install).")


def first_commit(root: Path) -> None:
    """Initialise the repository with everything generated, then install the git hooks."""
    if not (root / ".git").exists():
        git(root, "init", "--quiet", "--initial-branch=main")
    git(root, "add", "--all")
    message = f"Create {ANSWERS['service_slug']} from the satchel template {TEMPLATE_COMMIT[:12]}"
    git(root, "commit", "--quiet", "--no-verify", "--allow-empty", "-m", message)
    install_git_hooks(root)


def main() -> int:
    root = Path.cwd()
    if RE_RENDER:
        for neighbour in NEIGHBOURS:
            write_client(root, neighbour["name"])
        return 0
    vendor_neighbours(root)
    pin_satchel_in_lock(root)
    record_template(root)
    first_commit(root)
    return 0


if __name__ == "__main__":
    sys.exit(main())
