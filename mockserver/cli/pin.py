"""Rewrite the digest pins in ``mocks.yaml`` after a developer re-vendors a neighbour's spec.

The file is edited line by line, not re-dumped, so comments and layout survive.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from mockserver.core.errors import ConfigError
from mockserver.core.yamlsource import read_yaml
from mockserver.runtime.config import file_digest, load_config

__all__ = ["Pin", "pin_digests"]

# The whole value up to a comment: a placeholder such as "<run satchel-mock pin>" included.
_DIGEST_VALUE = re.compile(r"(digest:[ \t]*)([^#\r\n]*?)([ \t]*(#.*)?)$")


@dataclass(frozen=True)
class Pin:
    """One neighbour's pin: the digest before (``None`` if unpinned) and after."""

    name: str
    old: str | None
    new: str

    @property
    def changed(self) -> bool:
        """Return whether the file needed a new digest for this neighbour."""
        return self.old != self.new


def pin_digests(config_path: str | Path) -> tuple[Pin, ...]:
    """Set every neighbour's digest to its spec's current digest; return the pins."""
    config_path = Path(config_path)
    config = load_config(config_path, pinning=True)
    source = read_yaml(config_path, ConfigError)
    lines = config_path.read_text(encoding="utf-8").splitlines(keepends=True)
    pins = []
    inserts: list[tuple[int, str]] = []  # (line after which to insert, text)
    for neighbour in config.neighbours:
        new = file_digest(neighbour.spec)
        old = _old_digest(source.data, neighbour.pointer)
        pins.append(Pin(neighbour.name, old, new))
        digest_line = source.lines.get(f"{neighbour.pointer}/digest")
        if digest_line is not None:
            number = digest_line - 1
            lines[number] = _DIGEST_VALUE.sub(
                lambda m: m.group(1) + new + m.group(3), lines[number], count=1
            )
            continue
        spec_line = source.lines[f"{neighbour.pointer}/spec"]
        column = lines[spec_line - 1].index("spec:")
        inserts.append((spec_line, f"{' ' * column}digest: {new}\n"))
    # From the bottom up, so earlier insertions do not shift later line numbers.
    for after, text in sorted(inserts, reverse=True):
        lines.insert(after, text)
    config_path.write_text("".join(lines), encoding="utf-8")
    return tuple(pins)


def _old_digest(data: object, pointer: str) -> str | None:
    """Return the digest value written at ``pointer`` (whatever it is), if any."""
    node = data
    for part in pointer.strip("/").split("/"):
        node = node[int(part)] if isinstance(node, list) else node[part]
    value = node.get("digest") if isinstance(node, dict) else None
    return str(value) if value is not None else None
