"""Walk an OpenAPI 3 document loaded by ``sources.load_yaml``: operations and local $refs."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from hooks.findings import Finding
from hooks.sources import UNREADABLE, BadInput, LineDict, load_yaml

METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


@dataclass(frozen=True)
class Operation:
    """One operation of the spec and the line its method key is on."""

    method: str
    path: str
    line: int
    body: dict

    @property
    def label(self) -> str:
        """Name the operation as a reader finds it in the spec: ``GET /notes``."""
        return f"{self.method.upper()} {self.path}"


def load_spec(path: Path) -> dict:
    """Return the spec as LineDicts, or raise BadInput if it is not an OpenAPI 3 mapping."""
    spec = load_yaml(path)
    if not isinstance(spec, dict) or "openapi" not in spec:
        raise BadInput(
            Finding(
                str(path),
                1,
                UNREADABLE,
                "is not an OpenAPI 3 document (no top-level `openapi:` key)",
                "start the spec with `openapi: 3.1.0`, then `info:` and `paths:`",
            )
        )
    return spec


def line_of(mapping: Any, key: Any) -> int:
    """Return the line of a key in a LineDict (or of the mapping, or 1)."""
    if isinstance(mapping, LineDict):
        return mapping.key_lines.get(key, mapping.line)
    return 1


def operations(spec: dict) -> Iterator[Operation]:
    """Yield every operation under ``paths``, in spec order."""
    paths = spec.get("paths") or {}
    if not isinstance(paths, dict):
        return
    for path, item in paths.items():
        if not isinstance(item, dict):
            continue
        for method, body in item.items():
            if method in METHODS and isinstance(body, dict):
                yield Operation(method, str(path), line_of(item, method), body)


def resolve(spec: dict, node: Any) -> Any:
    """Follow local ``#/...`` $refs; return None for a ref that leaves the file or is broken."""
    seen = set()
    while isinstance(node, dict) and isinstance(node.get("$ref"), str):
        ref = node["$ref"]
        if not ref.startswith("#/") or ref in seen:
            return None
        seen.add(ref)
        node = spec
        for part in ref[2:].split("/"):
            part = part.replace("~1", "/").replace("~0", "~")
            if not isinstance(node, dict) or part not in node:
                return None
            node = node[part]
    return node
