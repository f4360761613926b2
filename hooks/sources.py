"""Read the files a hook checks, turning bad input into SAT-STD-001 findings."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Any

import yaml

from hooks.findings import Finding

UNREADABLE = "SAT-STD-001"


class BadInput(Exception):
    """A file cannot be read or parsed; carries the finding that says so."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(str(finding))
        self.finding = finding


def read_text(path: Path) -> str:
    """Return the file's text, or raise BadInput if it is not UTF-8."""
    try:
        return path.read_bytes().decode("utf-8")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise BadInput(
            Finding(
                str(path),
                line,
                UNREADABLE,
                f"is not UTF-8 (byte 0x{exc.object[exc.start]:02x} at offset {exc.start})",
                "save the file as UTF-8",
            )
        ) from None


def parse_python(path: Path) -> tuple[str, ast.Module]:
    """Return the text and syntax tree of a Python file, or raise BadInput."""
    text = read_text(path)
    try:
        return text, ast.parse(text, filename=str(path))
    except SyntaxError as exc:
        raise BadInput(
            Finding(
                str(path),
                exc.lineno or 1,
                UNREADABLE,
                f"does not parse as Python: {exc.msg}",
                "correct the syntax; `python -m py_compile FILE` shows the error",
            )
        ) from None


class LineDict(dict):
    """A YAML mapping that remembers its line and the line of each key."""

    line: int = 1
    key_lines: dict[Any, int]


class _LineLoader(yaml.SafeLoader):
    """A safe loader whose mappings are LineDicts."""


def _construct_mapping(loader: _LineLoader, node: yaml.MappingNode):
    data = LineDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    data.update(loader.construct_mapping(node))
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if isinstance(key, (str, int, float, bool)) or key is None:
            data.key_lines[key] = key_node.start_mark.line + 1


_LineLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping
)


def load_yaml(path: Path) -> Any:
    """Return a YAML file's content with LineDict mappings, or raise BadInput."""
    text = read_text(path)
    try:
        return yaml.load(text, Loader=_LineLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc)
        raise BadInput(
            Finding(
                str(path),
                mark.line + 1 if mark else 1,
                UNREADABLE,
                f"is not valid YAML: {problem}",
                "correct the YAML syntax at this line",
            )
        ) from None
