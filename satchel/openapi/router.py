"""Match (method, path) to an operation through a segment trie, and explain misses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Iterable, NamedTuple
from urllib.parse import unquote

from satchel.openapi.model import Operation

_PARAM = re.compile(r"{([^{}/]+)}")
_MAX_CANDIDATES = 3


class Match(NamedTuple):
    """A hit: the operation and the raw (percent-decoded, uncoerced) path parameters.

    A NamedTuple rather than a frozen dataclass: one is built per request, at half the cost.
    """

    operation: Operation
    path_params: dict[str, str]


@dataclass(frozen=True)
class Candidate:
    """A near miss and the reason it did not match."""

    operation: Operation
    reason: str


@dataclass(frozen=True)
class Miss:
    """No operation: 404 (no path) or 405 (path, but not this method), with near misses."""

    status: int
    allowed: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    method: str = ""
    path: str = ""

    def explain(self) -> str:
        """Describe the miss and each candidate, one per line, nearest first."""
        if self.status == 405:
            head = f"{self.method} {self.path}: method not allowed (allowed: "
            head += f"{', '.join(self.allowed)})"
        else:
            head = f"{self.method} {self.path}: no operation matches this path"
        if not self.candidates:
            return head + "; the spec has no operations."
        lines = [head + "; nearest operations:"]
        for candidate in self.candidates:
            op = candidate.operation
            name = f" ({op.operation_id})" if op.operation_id else ""
            lines.append(f"  - {op.method} {op.path}{name}: {candidate.reason}")
        return "\n".join(lines)


@dataclass(frozen=True)
class _Templated:
    """A templated segment: its regex (None when the whole segment is one parameter)."""

    source: str
    pattern: re.Pattern[str] | None
    names: tuple[str, ...]
    literal: int
    node: _Node

    def capture(self, segment: str) -> tuple[str, ...] | None:
        """Return the parameter values in ``segment``, or None when it does not fit."""
        if self.pattern is None:
            return (segment,) if segment else None
        hit = self.pattern.fullmatch(segment)
        return None if hit is None else hit.groups()


@dataclass
class _Node:
    """One trie level: literal children by text, templated children tried in order."""

    literal: dict[str, _Node] = field(default_factory=dict)
    templated: list[_Templated] = field(default_factory=list)
    methods: dict[str, Operation] | None = None


class Router:
    """Index operations by path segments; literal segments beat templated ones."""

    def __init__(self, operations: Iterable[Operation], base_path: str = "") -> None:
        self.base_path = base_path
        self._operations = tuple(operations)
        self._root = _Node()
        for operation in self._operations:
            node = self._root
            for segment in operation.path.split("/")[1:]:
                node = _child(node, segment)
            if node.methods is None:
                node.methods = {}
            node.methods.setdefault(operation.method, operation)

    def match(self, method: str, path: str) -> Match | Miss:
        """Return the operation for ``method`` and ``path`` (which includes the base path)."""
        method = method.upper()
        relative = self._strip_base(path)
        if relative is None:
            return self._miss(method, path, None)
        params: dict[str, str] = {}
        # Split before decoding, so an encoded "/" (%2F) stays inside its segment.
        segments = [
            unquote(part) if "%" in part else part for part in relative.split("/")[1:]
        ]
        # Prefer a template that declares the method: GET /items/{filter} beside
        # DELETE /items/{id} share a shape, and each method must reach its own.
        node = _walk(self._root, segments, 0, params, method)
        if node is None:
            node = _walk(self._root, segments, 0, params, None)
        if node is None and "" in segments[:-1]:
            # "/users//posts" is "/users/{id}/posts" with the parameter left out: a request
            # the operation refuses (422, naming it), not a path no template has.
            node = _walk(self._root, segments, 0, params, method, empty=True)
            if node is None:
                node = _walk(self._root, segments, 0, params, None, empty=True)
        if node is None:
            return self._miss(method, path, relative)
        operation = node.methods.get(method)
        if operation is None:
            reason = "path matches but method is {}, not " + method
            candidates = tuple(
                Candidate(op, reason.format(m)) for m, op in node.methods.items()
            )
            return Miss(
                405, tuple(node.methods), candidates[:_MAX_CANDIDATES], method, path
            )
        return Match(operation, params)

    def _strip_base(self, path: str) -> str | None:
        """Return ``path`` without the base path, or None when it lies outside it."""
        if not self.base_path:
            return path if path.startswith("/") else None
        if path == self.base_path or not path.startswith(self.base_path + "/"):
            return None
        return path[len(self.base_path) :]

    def _miss(self, method: str, path: str, relative: str | None) -> Miss:
        """Build a 404 that ranks every operation by how far along the path it got."""
        scored = []
        for index, op in enumerate(self._operations):
            if relative is None:
                reason = f"path does not start with the base path '{self.base_path}'"
                score = 0
            else:
                score, reason = _compare(op.path, relative)
            scored.append((-score, op.method != method, index, Candidate(op, reason)))
        scored.sort(key=lambda item: item[:3])
        candidates = tuple(item[3] for item in scored[:_MAX_CANDIDATES])
        return Miss(404, (), candidates, method, path)


def _child(node: _Node, segment: str) -> _Node:
    """Return (creating it) the trie node for one template segment."""
    names = tuple(_PARAM.findall(segment))
    if not names:
        return node.literal.setdefault(segment, _Node())
    source = _segment_regex(segment)
    for existing in node.templated:
        if existing.source == source and existing.names == names:
            return existing.node
    # A segment that is one parameter needs no regex: any non-empty text fits.
    pattern = None if source == "(.+)" else re.compile(source)
    created = _Node()
    literal = len(_PARAM.sub("", segment))
    node.templated.append(_Templated(source, pattern, names, literal, created))
    # More literal text first: "{name}.{ext}" is tried before "{name}".
    node.templated.sort(key=lambda item: (-item.literal, len(item.names)))
    return created


def _segment_regex(segment: str) -> str:
    """Compile "{name}.{ext}" into a regex with one non-empty group per parameter."""
    parts = _PARAM.split(segment)
    literal = [re.escape(part) for part in parts[0::2]]
    # Greedy groups: "{name}.{ext}" reads "a.b.txt" as name "a.b", ext "txt".
    groups = ["(.+)" for _ in parts[1::2]]
    return "".join(a + b for a, b in zip(literal, groups + [""]))


def _walk(
    node: _Node,
    segments: list[str],
    depth: int,
    params: dict[str, str],
    method: str | None,
    empty: bool = False,
) -> _Node | None:
    """Depth-first search: literal child first, then templated ones, backtracking on failure.

    With ``method``, only a node that declares it is a hit; with None, any node with methods.
    With ``empty``, an empty segment before the last fills a whole-segment parameter with "".
    """
    if depth == len(segments):
        methods = node.methods
        if not methods or (method is not None and method not in methods):
            return None
        return node
    segment = segments[depth]
    literal = node.literal.get(segment)
    if literal is not None:
        found = _walk(literal, segments, depth + 1, params, method, empty)
        if found is not None:
            return found
    for templated in node.templated:
        values = templated.capture(segment)
        if values is None:
            if not (empty and segment == "" and templated.pattern is None):
                continue
            if depth == len(segments) - 1:
                continue  # "/users/" is not "/users/{id}": trailing slashes are exact
            values = ("",)
        found = _walk(templated.node, segments, depth + 1, params, method, empty)
        if found is not None:
            params.update(zip(templated.names, values))
            return found
    return None


def _compare(template: str, path: str) -> tuple[int, str]:
    """Score how many leading segments of ``path`` fit ``template``, and say where it breaks."""
    expected, actual = template.split("/")[1:], path.split("/")[1:]
    for index, (want, got) in enumerate(zip(expected, actual), start=1):
        names = _PARAM.findall(want)
        fits = re.fullmatch(_segment_regex(want), got) if names else want == got
        if not fits:
            return index - 1, f"segment {index}: '{got}' vs '{want}'"
    if len(expected) != len(actual):
        shared = min(len(expected), len(actual))
        return shared, f"template has {_count(expected)}, path has {_count(actual)}"
    return len(expected), "path matches"


def _count(segments: list[str]) -> str:
    """Say "1 segment" or "3 segments"."""
    return f"{len(segments)} segment{'' if len(segments) == 1 else 's'}"
