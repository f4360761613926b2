"""Jinja filters for the template: where the service installs satchel from.

Cookiecutter only knows where the template came from (``_template``) after the prompts, so the
``satchel_source`` answer defaults to empty and these filters resolve it while files render.
Cookiecutter renders with the template folder as working directory, so relative paths are
resolved explicitly: a relative ``_template`` from this module's own location (it lives in the
kit checkout), a relative answer from the output directory.
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


def _kit_root(path: str) -> str:
    path = os.path.normpath(path)
    return os.path.dirname(path) if os.path.basename(path) == "template" else path


def template_source(context: dict) -> str:
    """Return where the template came from: its git URL, or the local kit checkout."""
    template = str(context.get("_template", ""))
    if is_url(template):
        return _expand(template)
    if os.path.isabs(template):
        return _kit_root(template)
    return _kit_root(os.path.dirname(os.path.abspath(__file__)))


def template_commit(context: dict) -> str:
    """Return the commit the template was rendered from (what cruft records)."""
    repo = context.get("_repo_dir") or ""
    local = repo if os.path.isabs(repo) else template_source(context)
    if is_url(local):
        return context.get("_checkout") or "HEAD"
    result = subprocess.run(
        ["git", "-C", local, "rev-parse", "HEAD"], capture_output=True, text=True
    )
    if result.returncode == 0:
        return result.stdout.strip()
    return context.get("_checkout") or "HEAD"


def satchel_source(context: dict) -> str:
    """Return the chosen source: the answer, else where the template came from."""
    answer = str(context.get("satchel_source", "")).strip()
    if not answer:
        return template_source(context)
    if is_url(answer):
        return _expand(answer)
    base = context.get("_output_dir") or os.getcwd()
    return os.path.normpath(os.path.join(base, os.path.expanduser(answer)))


def satchel_commit(context: dict) -> str:
    """Return the satchel revision to pin: the commit of a local or same-as-template source.

    A git URL other than the template's is pinned to its ``main`` branch; pin a tag in the
    Pipfile and .pre-commit-config.yaml when the service is created.
    """
    source = satchel_source(context)
    if source == template_source(context):
        return template_commit(context)
    if not is_url(source):
        result = subprocess.run(
            ["git", "-C", source, "rev-parse", "HEAD"], capture_output=True, text=True
        )
        if result.returncode == 0:
            return result.stdout.strip()
    return "main"


def satchel_pipfile(context: dict, extras: tuple[str, ...] = ()) -> str:
    """Return the Pipfile inline table that installs satchel from its source."""
    source = satchel_source(context)
    if is_url(source):
        fields = {"git": source.removeprefix("git+"), "ref": satchel_commit(context)}
    else:
        fields = {"path": source}
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
        environment.filters["template_source"] = template_source
        environment.filters["template_commit"] = template_commit
        environment.filters["satchel_source"] = satchel_source
        environment.filters["satchel_commit"] = satchel_commit
        environment.filters["satchel_pipfile"] = satchel_pipfile
        environment.filters["satchel_neighbours"] = satchel_neighbours
