"""Jinja filters for the template: which satchel release a stamp pins, and from where.

Every value comes from the rendering context, never from the live kit checkout: the release
from ``_satchel_version`` in the cookiecutter.json of the commit being rendered (written by
``satchel release``), the commit from cruft's ``_commit`` or cookiecutter's ``_repo_dir``, the
kit's git URL from the template URL or ``_satchel_repository``. A stamp thus pins one release
everywhere (Pipfile, lock, hooks' ``rev``) and holds no absolute path of the stamping machine;
only an explicit ``satchel_source`` path (offline work against a checkout) is written as given.
"""

from __future__ import annotations

import json
import os
import re
import subprocess

from jinja2.ext import Extension

_SLUG = re.compile(r"^[a-z][a-z0-9]*(-[a-z0-9]+)*$")
_URL_PREFIXES = (
    "gh:",
    "gl:",
    "bb:",
    "git+",
    "git@",
    "https://",
    "http://",
    "ssh://",
    "file://",
)


def is_url(source: str) -> bool:
    """Tell whether a source is a remote repository rather than a local path."""
    return source.startswith(_URL_PREFIXES)


# Cookiecutter's abbreviations, expanded so that pipenv and pre-commit can use the URL too.
_ABBREVIATIONS = {
    "gh:": "https://github.com/",
    "gl:": "https://gitlab.com/",
    "bb:": "https://bitbucket.org/",
}


def _expand(url: str) -> str:
    for short, prefix in _ABBREVIATIONS.items():
        if url.startswith(short):
            return prefix + url[len(short) :] + ("" if url.endswith(".git") else ".git")
    return url


def satchel_repository(context: dict) -> str:
    """Return the kit's git URL: the template's when it was given as one, else the configured.

    ``_satchel_repository`` in cookiecutter.json is where the platform team hosts the kit (set
    it once in your fork); a bake from a local checkout records it, never the checkout's path.
    """
    template = str(context.get("_template", ""))
    if is_url(template) and not template.startswith("file://"):
        return _expand(template).removeprefix("git+")
    return str(context.get("_satchel_repository", ""))


def satchel_version(context: dict) -> str:
    """Return the release the rendered template commit pins (``_satchel_version``)."""
    return str(context.get("_satchel_version", ""))


def template_commit(context: dict) -> str:
    """Return the commit being rendered: cruft's ``_commit``, else the checkout cookiecutter read.

    Read from the context, never from this module's own checkout: cruft renders old and new
    commits in one process, and the module imported first serves both.
    """
    if context.get("_commit"):
        return str(context["_commit"])
    repo = str(context.get("_repo_dir") or "")
    if os.path.isabs(repo):
        result = subprocess.run(
            ["git", "-C", repo, "rev-parse", "HEAD"], capture_output=True, text=True
        )
        if result.returncode == 0:
            return result.stdout.strip()
    return str(context.get("_checkout") or "HEAD")


def satchel_source(context: dict) -> str:
    """Return the answer: empty (the platform index), a git URL, or a path as given.

    A relative path is relative to the service's own folder and stays relative, so the stamp
    holds no path of the machine that made it.
    """
    answer = str(context.get("satchel_source", "")).strip()
    return _expand(answer).removeprefix("git+") if is_url(answer) else answer


def satchel_mode(context: dict) -> str:
    """Return where satchel comes from: 'index' (default), 'git' or 'path'."""
    source = satchel_source(context)
    if not source:
        return "index"
    return "git" if is_url(source) else "path"


def template_record(context: dict) -> str:
    """Return the template .cruft.json records: the kit's URL, or the local checkout's path."""
    if satchel_mode(context) == "path":
        return satchel_source(context)
    return satchel_repository(context)


def hooks_repository(context: dict) -> str:
    """Return the git repository pre-commit takes the satchel hooks from (at the release tag)."""
    if satchel_mode(context) == "git":
        return satchel_source(context)
    return satchel_repository(context)


def satchel_pipfile(context: dict, extras: tuple[str, ...] = ()) -> str:
    """Return the Pipfile inline table that installs satchel at the template's release."""
    mode, version = satchel_mode(context), satchel_version(context)
    if mode == "index":
        fields = {"version": f"=={version}", "index": "platform"}
    elif mode == "git":
        fields = {"git": satchel_source(context), "ref": f"v{version}"}
    else:
        fields = {"path": satchel_source(context)}
    if extras:
        fields["extras"] = list(extras)
    body = ", ".join(f"{key} = {json.dumps(value)}" for key, value in fields.items())
    return "{" + body + "}"


def satchel_neighbours(context: dict) -> list[dict]:
    """Parse the 'name' or 'name=path/to/openapi.yaml' list into name, spec path and error.

    A bare name means a sibling checkout: ``<output dir>/<name>/spec/openapi.yaml``.
    """
    output_dir = context.get("_output_dir") or os.getcwd()
    neighbours, seen = [], set()
    for entry in [
        part.strip() for part in str(context["neighbours"]).split(",") if part.strip()
    ]:
        name, _, path = (piece.strip() for piece in entry.partition("="))
        spec = os.path.join(
            output_dir, path or os.path.join(name, "spec", "openapi.yaml")
        )
        error = None
        if not _SLUG.match(name) or len(name) > 40:
            error = (
                f"neighbour {name!r} is not a service slug: use lowercase letters, digits and "
                "single dashes, starting with a letter."
            )
        elif name == context["service_slug"]:
            error = (
                f"neighbour {name!r} is the service itself: list only other services."
            )
        elif name in seen:
            error = f"neighbour {name!r} is listed twice: list each service once."
        elif not os.path.isfile(spec):
            where = "" if path else " (a bare name means the sibling checkout's spec)"
            error = (
                f"neighbour {name!r}: no spec file at {spec}{where}. Give its spec as "
                f"'{name}=path/to/openapi.yaml', relative to the output directory."
            )
        seen.add(name)
        neighbours.append(
            {"name": name, "spec": os.path.normpath(spec), "error": error}
        )
    return neighbours


class SatchelExtension(Extension):
    """Register the satchel_* filters."""

    def __init__(self, environment):
        super().__init__(environment)
        for name in (
            "satchel_repository",
            "satchel_version",
            "template_commit",
            "template_record",
            "hooks_repository",
            "satchel_source",
            "satchel_mode",
            "satchel_pipfile",
            "satchel_neighbours",
        ):
            environment.filters[name] = globals()[name]
