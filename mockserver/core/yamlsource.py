"""Read small YAML files (config, overlays) keeping the line of every node for error messages."""

from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from mockserver.core.errors import MockError

__all__ = ["YamlSource", "check_keys", "read_yaml"]

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@dataclass(frozen=True)
class YamlSource:
    """A parsed YAML document and the 1-based line of each node, keyed by JSON pointer."""

    path: Path
    data: Any
    lines: dict[str, int] = field(default_factory=dict)

    def line(self, pointer: str) -> int | None:
        """Return the line of ``pointer``, or of its nearest parent that has one."""
        while True:
            if pointer in self.lines:
                return self.lines[pointer]
            if not pointer:
                return None
            pointer = pointer.rsplit("/", 1)[0]


def read_yaml(path: str | Path, error: type[MockError] = MockError) -> YamlSource:
    """Parse ``path``; raise ``error`` with the file and line when it is missing or malformed."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise error(
            "file not found.",
            file=path,
            hint="Check the path (it is relative to mocks.yaml).",
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise error(f"cannot read the file: {exc}.", file=path) from None
    try:
        # Two passes on purpose: safe_load gives exactly PyYAML's values, compose gives lines.
        data = yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader
        root = yaml.compose(text, Loader=_Loader)  # noqa: S506 - a safe loader
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        line = mark.line + 1 if mark is not None else None
        raise error(f"invalid YAML: {problem}.", file=path, line=line) from None
    lines: dict[str, int] = {}
    if root is not None:
        _record_lines(root, "", lines)
    return YamlSource(path=path, data=data, lines=lines)


def _record_lines(node: yaml.Node, pointer: str, lines: dict[str, int]) -> None:
    """Fill ``lines`` with the start line of ``node`` and of everything below it.

    A mapping entry is recorded at its key's line: that is where a reader looks for it.
    """
    lines.setdefault(pointer, node.start_mark.line + 1)
    if isinstance(node, yaml.MappingNode):
        children = [(_escape(str(key.value)), key) for key, _ in node.value]
        values = [value for _, value in node.value]
    elif isinstance(node, yaml.SequenceNode):
        children = [(str(index), item) for index, item in enumerate(node.value)]
        values = list(node.value)
    else:
        return
    for (name, marker), value in zip(children, values):
        child = f"{pointer}/{name}"
        lines[child] = marker.start_mark.line + 1
        _record_lines(value, child, lines)


def _escape(key: str) -> str:
    """Escape a mapping key as a JSON pointer token (RFC 6901)."""
    return key.replace("~", "~0").replace("/", "~1")


def check_keys(
    source: YamlSource,
    pointer: str,
    value: Any,
    allowed: tuple[str, ...],
    error: type[MockError],
    what: str,
) -> dict[str, Any]:
    """Return ``value`` as a mapping whose keys are all ``allowed``, or raise ``error``."""
    if not isinstance(value, dict):
        raise error(
            f"{what} must be a mapping, not {_kind(value)}.",
            file=source.path,
            line=source.line(pointer),
        )
    for key in value:
        if key not in allowed:
            close = difflib.get_close_matches(str(key), allowed, n=1)
            hint = (
                f"Did you mean '{close[0]}'?"
                if close
                else f"Allowed: {', '.join(allowed)}."
            )
            raise error(
                f"unknown key '{key}' in {what}.",
                file=source.path,
                line=source.line(f"{pointer}/{_escape(str(key))}"),
                hint=hint,
            )
    return value


def _kind(value: Any) -> str:
    """Name the YAML kind of ``value`` for an error message."""
    if value is None:
        return "empty"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return f"{type(value).__name__} {value!r}"
