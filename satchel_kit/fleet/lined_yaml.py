"""Load YAML keeping each mapping's line numbers, so errors can say ``file:line``."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from satchel_kit.fleet.errors import FleetError


class LinedDict(dict):
    """A mapping that remembers its own line and each key's line (1-based)."""

    line: int = 1
    key_lines: dict[str, int]

    def line_of(self, key: str) -> int:
        return self.key_lines.get(key, self.line)


class LinedList(list):
    """A sequence that remembers each item's line (1-based)."""

    item_lines: list[int]


class _Loader(yaml.SafeLoader):
    """The safe loader, building :class:`LinedDict` for every mapping."""


def _mapping(loader: _Loader, node: yaml.MappingNode) -> LinedDict:
    loader.flatten_mapping(node)
    mapping = LinedDict()
    mapping.line = node.start_mark.line + 1
    mapping.key_lines = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        mapping[key] = loader.construct_object(value_node, deep=True)
        mapping.key_lines[str(key)] = key_node.start_mark.line + 1
    return mapping


def _sequence(loader: _Loader, node: yaml.SequenceNode) -> LinedList:
    sequence = LinedList(
        loader.construct_object(item, deep=True) for item in node.value
    )
    sequence.item_lines = [item.start_mark.line + 1 for item in node.value]
    return sequence


_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _mapping)
_Loader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_SEQUENCE_TAG, _sequence)


def load(path: Path) -> Any:
    """Return the YAML document at ``path``; a read or syntax error names the file and line."""
    try:
        text = path.read_text()
    except OSError as exc:
        raise FleetError(
            f"{path}: cannot read the fleet file ({exc.strerror}); check the path"
        ) from exc
    try:
        return yaml.load(text, Loader=_Loader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{path}:{mark.line + 1}" if mark else str(path)
        raise FleetError(
            f"{where}: not valid YAML ({exc.problem or exc.context}); fix the syntax there"
        ) from exc
    except yaml.YAMLError as exc:
        raise FleetError(f"{path}: not valid YAML ({exc})") from exc
