"""Build Python data from libyaml parse events, several times faster than ``yaml.safe_load``.

PyYAML spends most of a large spec's load time composing nodes and running the implicit
resolver on every scalar. Specs are mostly plain strings, so this builder reads events
straight from libyaml and only runs the resolver for scalars whose first character could start
a non-string. Anything unusual (explicit tags, merge keys) falls back to ``yaml.load`` with the
safe loader, so the result is always exactly what ``yaml.safe_load`` returns.
"""

from __future__ import annotations

from typing import Any

import yaml
from yaml.events import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
)

SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_RESOLVERS = yaml.resolver.Resolver.yaml_implicit_resolvers
_STR_TAG = "tag:yaml.org,2002:str"
_MERGE_TAG = "tag:yaml.org,2002:merge"
_NO_KEY = object()


class MultipleDocuments(yaml.YAMLError):
    """The text is a stream of several YAML documents; ``line`` is where the second starts."""

    def __init__(self, line: int) -> None:
        super().__init__(f"a second YAML document starts at line {line}")
        self.line = line


class _NeedsFullLoader(Exception):
    """The document uses a feature this builder leaves to PyYAML's own constructor."""


def load_yaml(text: str) -> Any:
    """Parse ``text`` as YAML with safe semantics; raise ``yaml.YAMLError`` when malformed."""
    try:
        return _build(text)
    except _NeedsFullLoader:
        return yaml.load(text, Loader=SafeLoader)


def _resolve_plain(value: str, constructor: yaml.constructor.SafeConstructor) -> Any:
    """Turn a plain scalar into the value PyYAML's implicit resolver would produce."""
    for tag, regexp in _RESOLVERS.get(value[:1] if value else "", ()):
        if regexp.match(value):
            if tag == _MERGE_TAG:
                raise _NeedsFullLoader
            node = yaml.ScalarNode(tag, value)
            return constructor.yaml_constructors[tag](constructor, node)
    return value


def _build(
    text: str,
) -> Any:  # noqa: C901 - one flat loop is the point: it runs per event
    """Fold the event stream into dicts, lists and scalars."""
    loader = SafeLoader(text)
    get_event = loader.get_event
    constructor = yaml.constructor.SafeConstructor()
    # Specs repeat the same plain scalars (keys, types) thousands of times; resolved values
    # are immutable, so each distinct text is resolved once.
    resolved: dict[str, Any] = {}
    anchors: dict[str, Any] = {}
    stack: list[tuple[Any, bool, Any]] = []
    container: Any = None
    is_map, key, root = False, _NO_KEY, None
    try:
        while True:
            event = get_event()
            if event is None:
                break
            cls = type(event)
            if cls is ScalarEvent:
                tag = event.tag
                if tag is None and event.implicit[0]:
                    raw = event.value
                    value = resolved.get(raw, _NO_KEY)
                    if value is _NO_KEY:
                        value = resolved[raw] = _resolve_plain(raw, constructor)
                elif tag is None or tag == "!" or tag == _STR_TAG:
                    value = event.value
                else:
                    raise _NeedsFullLoader
                if event.anchor is not None:
                    anchors[event.anchor] = value
            elif cls is MappingStartEvent or cls is SequenceStartEvent:
                if event.tag is not None and event.tag != "!":
                    raise _NeedsFullLoader
                new: Any = {} if cls is MappingStartEvent else []
                if event.anchor is not None:
                    anchors[event.anchor] = new
                if container is None:
                    root = new
                elif not is_map:
                    container.append(new)
                elif key is _NO_KEY:
                    raise _NeedsFullLoader  # a complex key: let PyYAML report it
                else:
                    container[key] = new
                    key = _NO_KEY
                stack.append((container, is_map, key))
                container, is_map, key = new, cls is MappingStartEvent, _NO_KEY
                continue
            elif cls is MappingEndEvent or cls is SequenceEndEvent:
                container, is_map, key = stack.pop()
                continue
            elif cls is AliasEvent:
                value = anchors[event.anchor]
            elif cls is DocumentStartEvent and root is not None:
                raise MultipleDocuments(event.start_mark.line + 1)
            else:
                continue
            if container is None:
                root = value
            elif not is_map:
                container.append(value)
            elif key is not _NO_KEY:
                container[key] = value
                key = _NO_KEY
            elif isinstance(value, (dict, list)):
                raise _NeedsFullLoader
            else:
                key = value
    finally:
        loader.dispose()
    return root
