"""``satchel upgrade [--to vX.Y.Z]``: bring a service to a release of the template.

A thin wrapper around ``cruft update`` (cruft's Python API) run inside the service: it refuses
uncommitted changes and a tag the kit does not have, then lets cruft merge the template's
changes, re-pins satchel's lock entry to the new release (cruft skips Pipfile.lock: a lock is
re-pinned, never merged) and lists the conflicts cruft left as ``.rej`` files or unmerged paths.
"""

from __future__ import annotations

import contextlib
import json
import subprocess
import tomllib
from pathlib import Path

import click
import cruft
from cookiecutter.exceptions import CookiecutterException

from hooks.pipfile_lock import pipfile_hash
from satchel_kit.cruft_renders import cruft_renders
from satchel_kit.versions import Version, last_release


class UpgradeError(click.ClickException):
    """An upgrade was refused: the message says what was wrong and how to fix it."""


def git(cwd: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True)


def read_record(service: Path) -> dict:
    path = service / ".cruft.json"
    if not path.is_file():
        raise UpgradeError(
            f"{service} has no .cruft.json: run `satchel upgrade` in a service stamped from "
            "the satchel template (or link it first with `cruft link <kit git URL>`)."
        )
    try:
        return json.loads(path.read_text())
    except json.JSONDecodeError as error:
        raise UpgradeError(
            f".cruft.json line {error.lineno}: not valid JSON ({error.msg}); restore it from "
            "git (`git checkout -- .cruft.json`)."
        ) from None


def require_clean(service: Path) -> None:
    status = git(service, "status", "--porcelain")
    if status.returncode != 0:
        raise UpgradeError(
            f"{service} is not a git repository: {status.stderr.strip()}"
        )
    changed = status.stdout.splitlines()
    if changed:
        listed = "\n  ".join(changed[:10])
        raise UpgradeError(
            f"the service has uncommitted changes:\n  {listed}\n"
            "Commit or stash them first, so the upgrade is one reviewable change."
        )


def template_location(service: Path, template: str) -> str:
    """Return the template's repository as git can reach it from anywhere."""
    if "://" in template or template.startswith("git@"):
        return template
    return str((service / template).resolve())


def release_tags(repository: str) -> list[str]:
    listed = subprocess.run(
        ["git", "ls-remote", "--tags", "--refs", repository],
        capture_output=True,
        text=True,
    )
    if listed.returncode != 0:
        raise UpgradeError(
            f"cannot read the kit's tags from {repository}: {listed.stderr.strip()}"
        )
    return [line.rsplit("refs/tags/", 1)[-1] for line in listed.stdout.splitlines()]


def choose_target(repository: str, to: str | None) -> str:
    """Return the ref to upgrade to: ``to`` when the kit has it, else the latest release."""
    if to == "HEAD":
        return "HEAD"
    tags = release_tags(repository)
    if to is None:
        latest = last_release(tags)
        if latest is None:
            raise UpgradeError(
                f"{repository} has no release tag (vX.Y.Z): give --to HEAD to take the "
                "unreleased template, or ask the platform team to cut a release."
            )
        return latest.tag
    if to not in tags:
        releases = sorted(v for v in map(Version.parse, tags) if v)
        known = ", ".join(v.tag for v in releases[-5:]) or "none"
        raise UpgradeError(
            f"tag {to!r} does not exist in {repository} (latest releases: {known}): give "
            "one of them with --to, or leave --to out for the latest."
        )
    return to


def satchel_lock_entry(pipfile_entry: dict, context: dict) -> dict:
    """Return the lock entry for satchel as the template pins it (see post_gen_project.py)."""
    if pipfile_entry.get("index") != "platform":
        return dict(pipfile_entry)
    entry = {"index": "platform", "version": pipfile_entry["version"]}
    digest = context.get("_satchel_sha256")
    if digest and pipfile_entry["version"] == f"=={context.get('_satchel_version')}":
        entry["hashes"] = [f"sha256:{digest}"]
    if "extras" in pipfile_entry:
        entry["extras"] = sorted(pipfile_entry["extras"])
    return entry


def repin_lock(service: Path, context: dict) -> str | None:
    """Pin satchel's lock entries to what the Pipfile now says; return why not, if not."""
    lock_path = service / "Pipfile.lock"
    try:
        pipfile = tomllib.loads((service / "Pipfile").read_text())
        lock = json.loads(lock_path.read_text())
    except (OSError, ValueError) as error:
        return (
            f"Pipfile or Pipfile.lock could not be read ({error}); resolve their conflicts, "
            "then re-lock with `pipenv lock`"
        )
    for section, lock_section in (("packages", "default"), ("dev-packages", "develop")):
        entry = pipfile.get(section, {}).get("satchel")
        if isinstance(entry, dict):
            lock[lock_section]["satchel"] = satchel_lock_entry(entry, context)
    lock["_meta"]["sources"] = pipfile.get("source", lock["_meta"]["sources"])
    lock["_meta"]["hash"] = {"sha256": pipfile_hash(pipfile)}
    lock_path.write_text(json.dumps(lock, indent=4, sort_keys=True) + "\n")
    return None


def conflicts(service: Path) -> list[str]:
    """Return the .rej files and unmerged paths the update left in the service."""
    untracked = git(service, "ls-files", "--others", "--exclude-standard", "--", ".")
    rejected = [name for name in untracked.stdout.splitlines() if name.endswith(".rej")]
    unmerged = git(service, "diff", "--name-only", "--diff-filter=U", "--relative")
    return sorted(set(rejected) | set(unmerged.stdout.split()))


def upgrade(
    service: Path, to: str | None, answers: dict[str, str] | None = None
) -> tuple[str | None, str, list[str], str | None]:
    """Update the service to ``to``; return (old release, new, conflicts, lock problem).

    The old release is None when the service was already there.

    ``answers`` change answers for the new render only (cruft's extra context).
    """
    record = read_record(service)
    require_clean(service)
    repository = template_location(service, record["template"])
    target = choose_target(repository, to)
    before = record.get("context", {}).get("cookiecutter", {}).get("_satchel_version")
    checkout = None if target == "HEAD" else target
    # cruft reads a relative template location from the working directory.
    with contextlib.chdir(service), cruft_renders(service):
        try:
            updated = cruft.update(
                Path("."), checkout=checkout, strict=True, extra_context=answers or None
            )
        except CookiecutterException as error:
            raise UpgradeError(
                f"the template refused to render this service's answers ({error}; its "
                "message is above): correct them with --answer KEY=VALUE."
            ) from None
    if not updated:
        raise UpgradeError("cruft update did not apply: see its message above.")
    updated_record = read_record(service)
    context = updated_record.get("context", {}).get("cookiecutter", {})
    if updated_record.get("commit") == record.get("commit"):
        return None, context.get("_satchel_version", "unknown"), [], None
    problem = repin_lock(service, context)
    old = f"satchel v{before}" if before else "a template commit that predates releases"
    return old, context.get("_satchel_version", "unknown"), conflicts(service), problem


@click.command("upgrade")
@click.option(
    "--to",
    "to",
    metavar="vX.Y.Z",
    help="The release tag to upgrade to (default: the latest); HEAD for the unreleased "
    "template.",
)
@click.option(
    "--service",
    type=click.Path(file_okay=False, exists=True, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The service's folder.",
)
@click.option(
    "--answer",
    "answers",
    multiple=True,
    metavar="KEY=VALUE",
    help="Change an answer of .cruft.json for the new release (repeatable), e.g. "
    "satchel_source= to move from a local checkout to the platform index.",
)
def command(to: str | None, service: Path, answers: tuple[str, ...]) -> None:
    """Upgrade this service to a template release: cruft update, pins, lock and hooks' rev."""
    if to not in (None, "HEAD") and Version.parse(to) is None:
        raise click.BadParameter(
            f"{to!r} is not a release tag: give vX.Y.Z (e.g. v0.2.0) or HEAD.",
            param_hint="--to",
        )
    if to is not None and to != "HEAD" and not to.startswith("v"):
        to = f"v{to}"
    changed = {}
    for answer in answers:
        key, equals, value = answer.partition("=")
        if not equals or not key.strip():
            raise click.BadParameter(
                f"{answer!r} is not KEY=VALUE, e.g. satchel_source=../satchel.",
                param_hint="--answer",
            )
        changed[key.strip()] = value
    before, after, found, problem = upgrade(service.resolve(), to, changed)
    if before is None:
        click.echo(f"Already up to date with satchel v{after}: nothing to do.")
        return
    click.echo(f"Upgraded from {before} to satchel v{after}.")
    if problem:
        click.echo(f"Pipfile.lock was not re-pinned: {problem}.")
    if found:
        click.echo(f"{len(found)} conflict(s) to resolve by hand:")
        for name in found:
            click.echo(f"  {name}")
        click.echo(
            "Resolve each: edit the conflict markers out of an unmerged file, or apply a .rej "
            "file's hunks by hand and delete it; then `git add` them."
        )
    click.echo(
        "Next: read CHANGELOG.md's 'Upgrading' notes up to this release; "
        "`pipenv install --dev --deploy && pipenv run pip check` (run `pipenv lock` if it "
        "finds a conflict); `pipenv run pytest`; `pre-commit run --all-files`; then commit."
    )
    if found:
        raise SystemExit(1)
