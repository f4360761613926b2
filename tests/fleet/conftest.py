"""A fleet of five services stamped from a temporary kit clone at different template commits.

The kit's history (dates fixed, so ages are exact against ``TODAY``, which is before the
template's own flag expires)::

    A 2026-01-10 v0.1.0   alpha is stamped here (then two releases behind; satchel ==0.1.0)
    B 2026-04-10 v0.2.0   bravo (its README edited: one drifted file)
    C 2026-06-10          charlie (a release flag expired on 2026-12-01)
    D 2026-09-10 v0.3.0   delta (satchel pinned to git tag v0.2.0 in its lock)
    E 2026-11-10          echo (reached through a file:// git URL, cloned into the cache)

Bakes use cookiecutter's API with the git hooks' installation skipped: no pipenv, no network.
"""

from __future__ import annotations

import json
import os
import subprocess
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from cookiecutter.main import cookiecutter

from satchel_kit.cli import main

from tests.kit import tool_env

TODAY = date(2027, 1, 9)
HISTORY = [
    ("2026-01-10", "v0.1.0", "alpha"),
    ("2026-04-10", "v0.2.0", "bravo"),
    ("2026-06-10", None, "charlie"),
    ("2026-09-10", "v0.3.0", "delta"),
    ("2026-11-10", None, "echo"),
]
README = Path("template") / "{{cookiecutter.service_slug}}" / "README.md"


def git(cwd: Path, *args: str, day: str | None = None) -> str:
    """Run git with the tests' identity (and a fixed commit date); return its output."""
    extra = {
        "GIT_AUTHOR_DATE": f"{day}T12:00:00Z",
        "GIT_COMMITTER_DATE": f"{day}T12:00:00Z",
    }
    done = subprocess.run(
        ["git", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        check=True,
        env=tool_env(**(extra if day else {})),
    )
    return done.stdout.strip()


def bake(kit: Path, out: Path, name: str) -> Path:
    """Stamp service ``name`` from the kit's checked-out template commit."""
    previous = os.environ.get("SATCHEL_SKIP_HOOK_INSTALL")
    os.environ["SATCHEL_SKIP_HOOK_INSTALL"] = "1"
    try:
        cookiecutter(
            str(kit / "template"),
            no_input=True,
            output_dir=str(out),
            extra_context={"service_name": name.title(), "owning_team": "team-" + name},
        )
    finally:
        if previous is None:
            del os.environ["SATCHEL_SKIP_HOOK_INSTALL"]
    return out / name


def commit_all(repo: Path, message: str, day: str = "2026-12-20") -> None:
    git(repo, "add", "--all")
    git(repo, "commit", "--quiet", "--no-verify", "-m", message, day=day)


@pytest.fixture(scope="session")
def fleet(kit_repo, tmp_path_factory) -> dict:
    """Return the kit clone, the five services and a fleet file naming them."""
    root = tmp_path_factory.mktemp("fleet")
    kit = root / "kit"
    git(root, "clone", "--quiet", str(kit_repo), str(kit))
    services = {}
    for index, (day, tag, name) in enumerate(HISTORY):
        if index == 0:
            git(kit, "commit", "--quiet", "--amend", "--no-edit", day=day)
        else:
            readme = kit / README
            readme.write_text(readme.read_text() + f"\nTemplate change of {day}.\n")
            commit_all(kit, f"Template change of {day}", day)
        if tag:
            git(kit, "tag", "--force", tag)
        services[name] = bake(kit, root / "services", name)
    _diverge(services)
    (root / "fleet.yaml").write_text(
        "kit: kit\n"
        "services:\n"
        + "".join(f"  - services/{name}\n" for name in list(services)[:4])
        + f"  - git: file://{services['echo']}\n    name: echo\n    ref: main\n"
        + "cache: cache\n"
        + "policy:\n  max_releases_behind: 1\n  max_expired_flags: 0\n"
    )
    return {
        "root": root,
        "kit": kit,
        "services": services,
        "file": root / "fleet.yaml",
        "env": git_server(kit),
    }


def git_server(kit: Path) -> dict[str, str]:
    """Return the environment in which the kit's git URL, if stamps record one, is the clone.

    cruft diff clones the template a stamp records; tests have no network, so git rewrites
    the platform's URL to the local clone, as the platform's git server would serve it.
    """
    answers = json.loads((kit / "template" / "cookiecutter.json").read_text())
    url = answers.get("_satchel_repository")
    if not url:
        return {}
    return {
        "GIT_CONFIG_COUNT": "1",
        "GIT_CONFIG_KEY_0": f"url.{kit}.insteadOf",
        "GIT_CONFIG_VALUE_0": url,
    }


def _diverge(services: dict[str, Path]) -> None:
    """Give bravo a drifted README, charlie an expired flag, alpha and delta satchel pins."""
    readme = services["bravo"] / "README.md"
    readme.write_text(readme.read_text() + "\nBravo's own notes.\n")
    commit_all(services["bravo"], "Bravo's notes in the README")
    flags = services["charlie"] / "charlie" / "flags.py"
    flags.write_text(
        flags.read_text().replace('expires="2027-06-30"', 'expires="2026-12-01"')
    )
    commit_all(services["charlie"], "Shorten the archive flag's expiry")
    pin(services["alpha"], {"version": "==0.1.0"}, "Pin satchel 0.1.0")
    pin(
        services["delta"],
        {"git": "https://git.example.org/satchel.git", "ref": "v0.2.0"},
        "Pin satchel to v0.2.0",
    )


def pin(service: Path, entry: dict, message: str) -> None:
    """Pin satchel in the service's lock as ``entry`` says, and commit."""
    lock = service / "Pipfile.lock"
    data = json.loads(lock.read_text())
    data["default"]["satchel"] = entry
    lock.write_text(json.dumps(data, indent=4) + "\n")
    commit_all(service, message)


def run_fleet(fleet: dict, *args: str):
    """Run `satchel fleet` over the fleet in process, on the fixed day."""
    return CliRunner().invoke(
        main,
        ["fleet", str(fleet["file"]), *args, "--today", TODAY.isoformat()],
        env=fleet["env"],
    )


@pytest.fixture(scope="session")
def as_json(fleet):
    """Run the report once for a script: JSON, and the HTML page beside it."""
    result = run_fleet(fleet, "--json", "--html", str(fleet["root"] / "fleet.html"))
    return result, json.loads(result.stdout)
