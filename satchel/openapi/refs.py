"""The files of one spec and the ``$ref`` links between them, checked once at load."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urldefrag, urljoin, urlsplit

from satchel.openapi.errors import SpecError
from satchel.openapi.source import escape_token, line_of, read_document, split_pointer

#: A place in the spec: (absolute file URI, JSON pointer inside that file).
Loc = tuple[str, str]

# Values under these keys are literal data, not spec objects: their "$ref" keys mean nothing.
_DATA_KEYS = frozenset({"example", "enum", "const"})
_MAX_REF_CHAIN = 64


class Documents:
    """Every file of a spec, loaded once, with ``$ref`` resolution across them."""

    def __init__(self, root: Path, shown: str, *, lenient: bool = False) -> None:
        self.lenient = lenient
        #: Problems a lenient load worked around (see :meth:`warn`), in document order.
        self.warnings: list[SpecError] = []
        #: (file URI, pointer) of every schema whose ``type`` is a list or "null" (OpenAPI 3.1
        #: types) or whose ``items`` is a list (draft 4 tuples): forms 2.0 and 3.0 documents
        #: use although their dialect lacks them (see lenient.normalise_types).
        self.odd_types: list[Loc] = []
        self.root_path = root.resolve()
        self.root_uri = self.root_path.as_uri()
        self._root_shown = shown
        self.files: dict[str, Any] = {}
        self._resolved: dict[tuple[str, str], tuple[Any, Loc]] = {}
        self._paths: dict[str, Path] = {}
        self._load(self.root_uri, None)

    @property
    def root(self) -> Any:
        """Return the parsed root document."""
        return self.files[self.root_uri]

    def shown(self, uri: str) -> str:
        """Return how messages name the file at ``uri`` (relative to the root as given)."""
        if uri == self.root_uri:
            return self._root_shown
        path = Path(unquote(urlsplit(uri).path))
        relative = os.path.relpath(path, self.root_path.parent)
        return os.path.normpath(
            os.path.join(os.path.dirname(self._root_shown), relative)
        )

    def error(self, loc: Loc, message: str, hint: str = "") -> SpecError:
        """Build a SpecError located at ``loc``, with the line looked up from the file."""
        uri, pointer = loc
        path = self._paths.get(uri)
        line = line_of(path, pointer) if path is not None else None
        return SpecError(self.shown(uri), line, pointer, message, hint)

    def warn(self, loc: Loc, message: str, hint: str = "") -> None:
        """Record a problem a lenient load works around; raise it when loading strictly."""
        error = self.error(loc, message, hint)
        if not self.lenient:
            raise error
        self.warnings.append(error)

    def deref(self, value: Any, loc: Loc) -> tuple[Any, Loc]:
        """Follow ``$ref`` chains from ``value`` (found at ``loc``) to a concrete object."""
        seen: list[Loc] = []
        refs: list[str] = []
        while isinstance(value, dict) and isinstance(value.get("$ref"), str):
            if loc in seen or len(seen) > _MAX_REF_CHAIN:
                raise self.error(
                    seen[0],
                    f"circular $ref chain: {' -> '.join(refs)}",
                    "Point one of the $refs at a real object.",
                )
            seen.append(loc)
            refs.append(value["$ref"])
            value, loc = self.lookup(value["$ref"], loc)
        return value, loc

    def lookup(self, ref: str, loc: Loc) -> tuple[Any, Loc]:
        """Return the object ``ref`` (written at ``loc``) points to, and where it lives."""
        key = (loc[0], ref)
        found = self._resolved.get(key)
        if found is None:
            found = self._resolved[key] = self._resolve(ref, loc)
        return found

    def _resolve(self, ref: str, loc: Loc) -> tuple[Any, Loc]:
        """Resolve ``ref`` the first time it is seen from its file."""
        target, fragment = urldefrag(urljoin(loc[0], ref))
        if urlsplit(target).scheme != "file":
            raise self.error(
                child(loc, "$ref"),
                f"$ref '{ref}' is not a local file",
                "Vendor the referenced document next to the spec and use a relative path.",
            )
        if target not in self.files:
            self._load(target, (ref, loc))
        pointer = unquote(fragment)
        value = self.files[target]
        for depth, token in enumerate(split_pointer(pointer)):
            if isinstance(value, dict) and token in value:
                value = value[token]
            elif (
                isinstance(value, list) and token.isdigit() and int(token) < len(value)
            ):
                value = value[int(token)]
            else:
                parent = "/".join(pointer.split("/")[: depth + 1]) or "/"
                raise self.error(
                    child(loc, "$ref"),
                    f"$ref '{ref}' does not resolve: no '{token}' in {parent}",
                    "Define the target or fix the reference.",
                )
        return value, (target, pointer)

    def _load(self, uri: str, via: tuple[str, Loc] | None) -> None:
        """Read the file at ``uri`` and check every ``$ref`` inside it."""
        path = Path(unquote(urlsplit(uri).path))
        if via is not None and not path.is_file():
            ref, loc = via
            raise self.error(
                child(loc, "$ref"),
                f"$ref '{ref}' points to a missing file ({self.shown(uri)})",
                "Create the file or fix the relative path (it is resolved against the file "
                "that contains the $ref).",
            )
        self._paths[uri] = path
        self.files[uri] = read_document(path, self.shown(uri))
        self._check_refs(self.files[uri], uri)

    def _check_refs(self, document: Any, uri: str) -> None:
        """Resolve every ``$ref`` in ``document`` once, so broken links fail at load."""
        # Paths are kept as linked (parent, token) pairs and only turned into pointers for
        # messages: formatting a pointer for every node would dominate large specs' load.
        stack: list[tuple[Any, Any]] = [(document, None)]
        while stack:
            value, path = stack.pop()
            if isinstance(value, dict):
                if isinstance(value.get("$id"), str) and path is not None:
                    # A JSON Schema resource with its own base URI: its refs resolve against
                    # that URI, which only the validator's registry knows.
                    continue
                kind = value.get("type")
                if (
                    kind == "null"
                    or isinstance(kind, list)
                    or isinstance(value.get("items"), list)
                ):
                    self.odd_types.append((uri, linked_pointer(path)))
                ref = value.get("$ref")
                if isinstance(ref, str) and (ref[:1] != "#" or ref[:2] == "#/"):
                    if (uri, ref) not in self._resolved:
                        self.lookup(ref, (uri, linked_pointer(path)))
                for key, item in value.items():
                    if isinstance(item, (dict, list)) and _holds_spec_objects(
                        key, item, path
                    ):
                        stack.append((item, (path, key)))
            elif isinstance(value, list):
                for index, item in enumerate(value):
                    if isinstance(item, (dict, list)):
                        stack.append((item, (path, index)))


def child(loc: Loc, token: str | int) -> Loc:
    """Return the location of ``token`` inside ``loc``."""
    return loc[0], f"{loc[1]}/{escape_token(str(token))}"


def _grandparent_key(path: Any) -> Any:
    """Return the key two levels up a linked path (None near the root)."""
    if path is None or path[0] is None:
        return None
    return path[0][1]


def linked_pointer(path: Any) -> str:
    """Turn a linked (parent, token) path into a JSON pointer."""
    tokens = []
    while path is not None:
        path, token = path
        tokens.append(escape_token(str(token)))
    return "".join("/" + token for token in reversed(tokens))


def _holds_spec_objects(key: Any, value: Any, parent: Any = None) -> bool:
    """Tell whether ``value`` under ``key`` may hold ``$ref`` links (not literal data).

    ``parent`` is the linked path of the object holding ``key``: an Example object's
    ``value`` (under ``examples``) and a schema's ``default`` (anywhere but a ``responses``
    map, where ``default`` is a response) are literal data too.
    """
    if key in _DATA_KEYS:
        return False
    if key == "value" and _grandparent_key(parent) == "examples":
        return False
    if key == "default" and (parent is None or parent[1] != "responses"):
        return False
    if isinstance(key, str) and key.startswith("x-"):
        return False
    # 3.1 schemas' "examples" is a list of literal values; the 3.x media type map is objects.
    return not (key == "examples" and isinstance(value, list))
