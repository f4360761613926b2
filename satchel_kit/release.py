"""``satchel release X.Y.Z``: cut a release of the kit in one command.

A release is a git tag ``vX.Y.Z`` on a commit that carries the version in its two readers:
``satchel/__init__.py`` (the library's ``__version__``, which setup.cfg's metadata reads) and
``template/cookiecutter.json`` (``_satchel_version`` and the wheel's ``_satchel_sha256``, which a
stamp pins in its Pipfile, lock and hooks). The wheel is built with ``SOURCE_DATE_EPOCH`` set
to the release's parent commit time, so a rebuild from the tag gives the same bytes; the
template is not part of the wheel, so recording the wheel's hash there does not change it.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import click

from satchel_kit import package_index
from satchel_kit.versions import Version, last_release

VERSION_FILE = Path("satchel") / "__init__.py"
TEMPLATE_CONFIG = Path("template") / "cookiecutter.json"
CHANGELOG = Path("CHANGELOG.md")
_VERSION_LINE = re.compile(r'^__version__ = "[^"]*"$', re.M)


class ReleaseError(click.ClickException):
    """A release was refused: the message says what was wrong and how to fix it."""


def git(root: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=root, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise ReleaseError(f"git {' '.join(args)} failed: {done.stderr.strip()}")
    return done.stdout


def require_clean(root: Path) -> None:
    """Refuse a tree with uncommitted or untracked files: a release is a commit's content."""
    changed = git(root, "status", "--porcelain").splitlines()
    if changed:
        listed = "\n  ".join(changed[:10])
        raise ReleaseError(
            f"the working tree has uncommitted changes:\n  {listed}\n"
            "Commit or stash them, then run `satchel release` again."
        )


def require_above_last(root: Path, version: Version) -> None:
    last = last_release(git(root, "tag", "--list", "v*").split())
    if last is not None and version <= last:
        raise ReleaseError(
            f"version {version} is not above the last release v{last}: "
            "give a higher version (semantic versioning: X.Y.Z)."
        )


def changelog_entry(text: str, version: Version) -> str | None:
    """Return the CHANGELOG section of ``version`` (``## X.Y.Z ...`` to the next ``## ``)."""
    heading = re.compile(rf"^## \[?{re.escape(str(version))}\]?(\s|$)", re.M)
    found = heading.search(text)
    if found is None:
        return None
    end = re.compile(r"^## ", re.M).search(text, found.end())
    return text[found.start() : end.start() if end else len(text)]


def require_changelog(root: Path, version: Version) -> None:
    path = root / CHANGELOG
    text = path.read_text() if path.is_file() else ""
    entry = changelog_entry(text, version)
    if entry is None:
        raise ReleaseError(
            f"{CHANGELOG} has no entry for {version}: add a section '## {version}' saying "
            "what changed, with an '### Upgrading' part for services, and commit it."
        )
    if not re.search(r"^### Upgrading", entry, re.M):
        raise ReleaseError(
            f"{CHANGELOG}: the entry for {version} has no '### Upgrading' part: say what a "
            "service must do when it upgrades (or 'Nothing to do.') and commit it."
        )


def write_version(root: Path, version: Version, digest: str | None) -> None:
    """Write the version into the library and the template (and the wheel's digest)."""
    module = root / VERSION_FILE
    module.write_text(
        _VERSION_LINE.sub(f'__version__ = "{version}"', module.read_text(), count=1)
    )
    config_path = root / TEMPLATE_CONFIG
    config = json.loads(config_path.read_text())
    config["_satchel_version"] = str(version)
    if digest is not None:
        config["_satchel_sha256"] = digest
    config_path.write_text(json.dumps(config, indent=2) + "\n")


def build_wheel(root: Path, dist: Path) -> Path:
    """Build satchel's wheel reproducibly into ``dist`` and return its path."""
    epoch = git(root, "log", "-1", "--format=%ct").strip()
    dist.mkdir(parents=True, exist_ok=True)
    for old in dist.glob("satchel-*.whl"):
        old.unlink()
    shutil.rmtree(root / "build", ignore_errors=True)
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "-w", str(dist)]
        + [str(root)],
        env=dict(os.environ, SOURCE_DATE_EPOCH=epoch),
        capture_output=True,
        text=True,
        check=False,
    )
    if built.returncode != 0:
        raise ReleaseError(f"building the wheel failed:\n{built.stderr[-3000:]}")
    [wheel] = dist.glob("satchel-*.whl")
    return wheel


def release(
    root: Path, version: Version, dist: Path, index: Path | None
) -> tuple[Path, str]:
    """Check, stamp the version, build, commit and tag; publish when asked. Return the wheel."""
    require_clean(root)
    require_above_last(root, version)
    require_changelog(root, version)
    try:
        write_version(root, version, None)
        wheel = build_wheel(root, dist)
        digest = package_index.sha256(wheel)
        write_version(root, version, digest)
        git(root, "add", str(VERSION_FILE), str(TEMPLATE_CONFIG))
        git(root, "commit", "--quiet", "--no-verify", "-m", f"Release {version}")
    except BaseException:
        git(root, "checkout", "--", str(VERSION_FILE), str(TEMPLATE_CONFIG))
        raise
    git(root, "tag", "--annotate", f"v{version}", "-m", f"satchel {version}")
    if index is not None:
        package_index.publish(wheel, index)
    return wheel, digest


@click.command("release")
@click.argument("version")
@click.option(
    "--dist",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("dist"),
    show_default=True,
    help="Where the wheel is written.",
)
@click.option(
    "--publish",
    "index",
    type=click.Path(file_okay=False, path_type=Path),
    help="A PEP 503 'simple' directory to publish the wheel into (served by any static server).",
)
def command(version: str, dist: Path, index: Path | None) -> None:
    """Release the kit as VERSION (X.Y.Z): commit the version, tag vX.Y.Z, build the wheel.

    Run it at the root of a clean kit checkout whose CHANGELOG.md has a '## X.Y.Z' entry with
    an '### Upgrading' part. Push the commit and tag yourself (git push --follow-tags).
    """
    parsed = Version.parse(version)
    if parsed is None:
        raise click.BadParameter(
            f"{version!r} is not a semantic version: give X.Y.Z, e.g. 0.2.0.",
            param_hint="VERSION",
        )
    root = Path(git(Path.cwd(), "rev-parse", "--show-toplevel").strip())
    wheel, digest = release(root, parsed, root / dist, index)
    click.echo(f"Released satchel {parsed}: tag v{parsed}, wheel {wheel}")
    click.echo(f"  sha256:{digest} (recorded in {TEMPLATE_CONFIG})")
    if index is not None:
        click.echo(f"  published into {index} (serve it as the platform index)")
    click.echo(
        "Next: git push --follow-tags; stamps made from this tag pin satchel "
        f"=={parsed} and the hooks at v{parsed}."
    )
