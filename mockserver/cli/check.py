"""``satchel-mock check``: every problem in config, specs, overlays and recordings, at file:line.

Stricter than loading: it also checks each spec against the OpenAPI meta-schema, and keeps
going after the first problem so that one run lists everything to fix.
"""

from __future__ import annotations

import sys
from pathlib import Path

from satchel.openapi import SpecError, load_spec, validate_document

from mockserver.core.engine import Engine
from mockserver.core.errors import AnswersInvalid, MockError
from mockserver.core.overlay import load_overlay
from mockserver.core.recordings import load_recordings, recordings_path
from mockserver.runtime.config import load_config, verify_digest

__all__ = ["check_config"]


def check_config(config_path: str | Path) -> list[str]:
    """Return one ``file:line: message`` per problem; empty when everything is valid."""
    try:
        config = load_config(config_path)
    except MockError as exc:
        return [str(exc)]
    problems: list[str] = []
    for neighbour in config.neighbours:
        try:
            verify_digest(neighbour, config.path)
        except MockError as exc:
            problems.append(str(exc))
        problems.extend(
            check_spec(
                neighbour.name,
                neighbour.spec,
                neighbour.overlay,
                security=neighbour.security == "enforce",
            )
        )
    return problems


def check_spec(
    name: str,
    spec_path: Path,
    overlay_path: Path | None = None,
    *,
    security: bool = True,
) -> list[str]:
    """Return the problems of one spec, its overlay and recordings (security too, unless off)."""
    try:
        # Lenient, so that one run lists every flaw; the engine below is strict.
        spec = load_spec(spec_path, lenient=True)
    except SpecError as exc:
        return [str(exc)]
    problems = [str(warning) for warning in spec.warnings]
    problems += [str(error) for error in validate_document(spec)]
    recorded = recordings_path(spec_path)
    try:
        overlay = load_overlay(overlay_path) if overlay_path is not None else None
        recordings = load_recordings(recorded) if recorded.is_file() else None
    except MockError as exc:
        return problems + [str(exc)]
    try:
        Engine(
            name,
            spec,
            overlay,
            eager_limit=sys.maxsize,
            security=security,
            recordings=recordings,
        )
    except AnswersInvalid as exc:
        problems.extend(str(error) for error in exc.errors)
    except (MockError, SpecError) as exc:
        problems.append(str(exc))
    return problems
