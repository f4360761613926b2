"""Read spec files and map a JSON pointer back to the line it came from."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from satchel.openapi.errors import SpecError
from satchel.openapi.json_lines import json_lines
from satchel.openapi.yaml_events import MultipleDocuments, SafeLoader, load_yaml


def read_document(path: Path, shown: str) -> Any:
    """Parse the YAML or JSON file at ``path``; ``shown`` is how errors name the file."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise SpecError(
            shown, None, "", "file not found", f"Check the path (resolved to {path})."
        ) from None
    except (IsADirectoryError, UnicodeDecodeError) as exc:
        raise SpecError(shown, None, "", f"cannot read the file ({exc})", "") from None
    if path.suffix == ".json":
        try:
            return json.loads(text)
        except json.JSONDecodeError as exc:
            raise SpecError(
                shown,
                exc.lineno,
                "",
                f"invalid JSON: {exc.msg}",
                "Fix the syntax at that line.",
            ) from None
    try:
        return load_yaml(text)
    except MultipleDocuments as exc:
        raise SpecError(
            shown,
            exc.line,
            "",
            "the file holds more than one YAML document (another starts here)",
            "A spec is one document: remove the '---' line and what follows, or move it "
            "to its own file.",
        ) from None
    except yaml.MarkedYAMLError as exc:
        raise _yaml_error(exc, shown) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        message = f"invalid YAML: {exc.reason} (#x{exc.character:04x})"
        raise SpecError(shown, line, "", message, "Remove the character.") from None


def _yaml_error(exc: yaml.MarkedYAMLError, shown: str) -> SpecError:
    """Say where PyYAML gave up, and where the construct it was reading began."""
    mark = exc.problem_mark or exc.context_mark
    message = f"invalid YAML: {exc.problem or exc.context}"
    if exc.context and exc.problem and exc.context_mark is not None:
        message += f" ({exc.context} that starts at line {exc.context_mark.line + 1})"
    line = mark.line + 1 if mark is not None else None
    return SpecError(shown, line, "", message, "Fix the syntax at or before that line.")


def split_pointer(pointer: str) -> list[str]:
    """Split a JSON pointer ("/paths/~1pets") into unescaped tokens (["paths", "/pets"])."""
    if not pointer:
        return []
    return [
        token.replace("~1", "/").replace("~0", "~") for token in pointer[1:].split("/")
    ]


def escape_token(token: str) -> str:
    """Escape one JSON pointer token ("/pets" -> "~1pets")."""
    return str(token).replace("~", "~0").replace("/", "~1")


def line_of(path: Path, pointer: str) -> int | None:
    """Return the 1-based line of the deepest node on ``pointer``; re-parses, so errors only.

    The file's index is kept (until it changes), so a lenient load that warns about
    hundreds of places in one big file reads it once.
    """
    try:
        stat = path.stat()
    except OSError:
        return None
    index = _line_index(str(path), stat.st_mtime_ns, stat.st_size)
    if index is None:
        return None
    if isinstance(index, dict):
        return _json_line(index, pointer)
    return _yaml_line(index, pointer)


@lru_cache(maxsize=4)
def _line_index(path: str, mtime_ns: int, size: int) -> Any:
    """Return the file's {pointer: line} (JSON) or composed YAML node, or None if unreadable."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if path.endswith(".json") or text.lstrip()[:1] in ("{", "["):
        return json_lines(text)
    try:
        return yaml.compose(text, Loader=SafeLoader)
    except yaml.YAMLError:
        return None


def _json_line(lines: dict[str, int], pointer: str) -> int | None:
    """Return the line of ``pointer``, else of its nearest ancestor that has one."""
    while True:
        line = lines.get(pointer)
        if line is not None or not pointer:
            return line
        pointer = pointer.rsplit("/", 1)[0]


def _yaml_line(node: Any, pointer: str) -> int | None:
    """Return the line of ``pointer`` in a composed YAML node tree."""
    if node is None:
        return None
    line = node.start_mark.line + 1
    for token in split_pointer(pointer):
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                if key.value == token:
                    line, node = key.start_mark.line + 1, value
                    break
            else:
                return line
        elif isinstance(node, yaml.SequenceNode) and token.isdigit():
            if int(token) >= len(node.value):
                return line
            node = node.value[int(token)]
            line = node.start_mark.line + 1
        else:
            return line
    return line
