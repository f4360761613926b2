"""Bring every example service level with the kit's template (`make examples-level`).

The examples live inside the kit and install satchel from it (``satchel_source = "../.."``):
each is upgraded to the latest release when the template has not changed since it (else to
the committed HEAD) with ``satchel upgrade --to <target> --answer satchel_source=../..``
(cruft update, three-way). Commit template changes first: cruft reads
the template from git and refuses to run in a tree with uncommitted changes, so an example
that lands cleanly is committed on its own ("Re-level examples/<name> ..."), and the script
stops at the first with conflicts: resolve them, commit, and run it again. A re-levelled
students spec (its ``x-template-version``) is then re-vendored into attendance, as a consumer
does when its neighbour releases (copy, ``satchel-mock pin``). Then run the examples' suites
(``pytest tests/examples -x -q``).
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

EXAMPLES = Path(__file__).resolve().parent
SERVICES = ("students", "attendance")
# attendance vendors the students spec (tests/examples/test_contract.py keeps them equal).
PROVIDER_SPEC = EXAMPLES / "students" / "spec" / "openapi.yaml"
VENDORED_SPEC = EXAMPLES / "attendance" / "mocks" / "students" / "openapi.yaml"


def revendor_students() -> None:
    """Copy the students spec into attendance's mocks and pin its digest, if it changed."""
    if PROVIDER_SPEC.read_bytes() == VENDORED_SPEC.read_bytes():
        return
    shutil.copyfile(PROVIDER_SPEC, VENDORED_SPEC)
    mock = Path(sys.executable).parent / "satchel-mock"
    subprocess.run([mock, "pin"], cwd=EXAMPLES / "attendance", check=True)
    subprocess.run(
        ["git", "add", "--all", "."], cwd=EXAMPLES / "attendance", check=True
    )
    subprocess.run(
        [
            "git",
            "commit",
            "--quiet",
            "--no-verify",
            "-m",
            "attendance: re-vendor students' spec",
        ],
        cwd=EXAMPLES / "attendance",
        check=True,
    )


def level_target() -> str:
    """Return the latest release tag if the template is unchanged since it, else HEAD.

    Levelled at a release, an example records the release's commit, so `cruft check
    --checkout vX.Y.Z` passes for it; plain `cruft check` compares with the kit's HEAD, which
    committing the re-level itself moves (tests/examples/test_level.py).
    """
    tag = subprocess.run(
        ["git", "describe", "--tags", "--abbrev=0", "--match", "v[0-9]*"],
        cwd=EXAMPLES,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not tag:
        return "HEAD"
    changed = subprocess.run(
        ["git", "diff", "--quiet", tag, "--", "../template"], cwd=EXAMPLES
    )
    return tag if changed.returncode == 0 else "HEAD"


def main() -> int:
    failed = []
    target = level_target()
    for name in SERVICES:
        print(f"== {name} (to {target})", flush=True)
        done = subprocess.run(
            [Path(sys.executable).parent / "satchel", "upgrade", "--to", target]
            + ["--answer", "satchel_source=../.."],
            cwd=EXAMPLES / name,
        )
        if done.returncode != 0:
            failed.append(name)
            # The next example needs a clean tree: stop here.
            break
        subprocess.run(["git", "add", "--all", "."], cwd=EXAMPLES / name, check=True)
        staged = subprocess.run(["git", "diff", "--cached", "--quiet"], cwd=EXAMPLES)
        if staged.returncode != 0:
            message = (
                f"Re-level examples/{name} with the template (make examples-level)"
            )
            subprocess.run(
                ["git", "commit", "--quiet", "--no-verify", "-m", message],
                cwd=EXAMPLES / name,
                check=True,
            )
    if not failed:
        revendor_students()
    if failed:
        print(
            f"Resolve {failed[0]}'s conflicts, commit, then run `make examples-level` again.",
            file=sys.stderr,
        )
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
