"""Each example is level with the template: no template change since the commit it records.

`cruft check` cannot say it for a service inside the kit's own repository: it compares the
recorded commit with the repository's HEAD (strict) or asks for an ancestor, and committing the
re-level itself moves HEAD. So the check is the question cruft asks, narrowed to what a stamp
is made from: does ``template/`` (working tree included; the re-lock tool aside) differ from
the recorded commit's?
`make examples-level` brings the examples level (examples/level.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from tests.kit import KIT

# What a stamp is rendered from: the template folder, less the tool that re-locks it.
RENDERED_FROM = ["template", ":(exclude)template/lock_dependencies.py"]


def git(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=KIT, capture_output=True, text=True)


@pytest.mark.parametrize("service", ["students", "attendance"])
def test_example_is_level_with_the_template(service):
    """The template has not changed since the commit the example's .cruft.json records."""
    record = json.loads((KIT / "examples" / service / ".cruft.json").read_text())
    commit = record["commit"]
    assert (
        record["template"] == "../.."
    ), "an example is stamped from the kit it lives in"
    assert git("cat-file", "-e", f"{commit}^{{commit}}").returncode == 0, (
        f"examples/{service} records commit {commit}, which this repository lacks: "
        "run `make examples-level`"
    )
    changed = git("diff", "--name-only", commit, "--", *RENDERED_FROM).stdout.split()
    untracked = git(
        "ls-files", "--others", "--exclude-standard", "--", *RENDERED_FROM
    ).stdout.split()
    behind = changed + untracked
    assert not behind, (
        f"examples/{service} is behind the template ({len(behind)} file(s) changed since "
        f"{commit[:12]}, e.g. {behind[:3]}): commit the template, then run `make examples-level`"
    )


@pytest.mark.parametrize("service", ["students", "attendance"])
def test_example_passes_cruft_check_at_its_release(service):
    """Levelled at a release, `cruft check --checkout <release>` itself passes for the example.

    A clone without tags (some CI checkouts) cannot name the release: the check above is the
    one that always runs, and this one says so instead of passing silently.
    """
    record = json.loads((KIT / "examples" / service / ".cruft.json").read_text())
    checkout = record.get("checkout")
    if not checkout or checkout == "HEAD":
        pytest.skip(f"examples/{service} is levelled at HEAD, not at a release")
    if git("rev-parse", "--verify", "--quiet", f"{checkout}^{{commit}}").returncode:
        pytest.skip(
            f"this clone lacks the tag {checkout} (fetch tags to run cruft check)"
        )
    cruft = str(Path(sys.executable).with_name("cruft"))
    done = subprocess.run(
        [cruft, "check", "--checkout", checkout],
        cwd=KIT / "examples" / service,
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stdout + done.stderr
