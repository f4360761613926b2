"""Read ``add_api``'s Connexion options: docs switches, validators, Jinja-templated specs."""

from __future__ import annotations

import dataclasses
import shutil
import tempfile
from pathlib import Path
from typing import Any

import jinja2

from satchel.api.errors import ApiError
from satchel.openapi import Spec, SpecError, load_spec

__all__ = ["docs_wanted", "load_connexion_spec", "wants_defaults"]


def docs_wanted(options: dict[str, Any]) -> bool:
    """Read Connexion's ``options``: the docs are served unless switched off."""
    unknown = set(options) - {"swagger_ui", "serve_spec"}
    if unknown:
        raise ApiError(
            f"options {', '.join(sorted(unknown))} are not supported; satchel serves the spec at "
            "<base path>/openapi.json and an index at <base path>/ui/ (swagger_ui, serve_spec)"
        )
    return bool(options.get("swagger_ui", True) and options.get("serve_spec", True))


def wants_defaults(validator_map: dict[str, Any] | None) -> bool:
    """Accept Connexion's defaults-filling JSON validator; refuse other custom validators."""
    wanted = False
    for kind, by_media in (validator_map or {}).items():
        for media, validator in (by_media or {}).items():
            if getattr(validator, "__name__", "") == "DefaultsJSONRequestBodyValidator":
                wanted = True
                continue
            raise ApiError(
                f"validator_map[{kind!r}][{media!r}] = {validator!r} is not supported: satchel "
                "validates requests itself; only DefaultsJSONRequestBodyValidator (fill body "
                "defaults) is understood. Move custom checks into the handler."
            )
    return wanted


def load_connexion_spec(
    specification: str | Path, arguments: dict | None = None
) -> Spec:
    """Load the spec, rendered with Jinja2 first when it holds a template (as Connexion does).

    The rendered copy is written beside copies of the spec's folder, so relative ``$ref`` files
    resolve as they do for the original; errors name the original files.
    """
    path = Path(specification)
    text = path.read_text(encoding="utf-8")
    if "{{" not in text and "{%" not in text:
        return load_spec(path)
    try:
        rendered = jinja2.Template(text).render(**(arguments or {}))
    except jinja2.TemplateError as error:
        line = getattr(error, "lineno", None)
        raise ApiError(
            f"{path}{f':{line}' if line else ''}: the spec's Jinja template does not render: "
            f"{error}. Fix the template, or pass the missing value in add_api(arguments=...)."
        ) from None
    with tempfile.TemporaryDirectory(prefix="satchel-spec-") as scratch:
        copy = Path(scratch) / path.parent.name
        shutil.copytree(path.parent, copy)
        (copy / path.name).write_text(rendered, encoding="utf-8")
        try:
            spec = load_spec(copy / path.name)
        except SpecError as error:
            shown = error.file.replace(str(copy), str(path.parent), 1)
            raise SpecError(
                shown, error.line, error.pointer, error.message, error.hint
            ) from None
        # Messages name the file the user wrote, not the scratch copy.
        return dataclasses.replace(spec, source_path=path)
