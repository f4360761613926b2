"""Compile JSON Schemas from the spec once, with a registry that resolves ``$ref`` across files."""

from __future__ import annotations

from typing import Any, Callable
from urllib.parse import unquote

from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT4, DRAFT202012

from satchel.openapi.dialect import validator_class
from satchel.openapi.errors import SpecError
from satchel.openapi.inline import CannotInline, inline_refs
from satchel.openapi.media import lowered
from satchel.openapi.model import MediaType, Response
from satchel.openapi.refs import Documents
from satchel.openapi.source import escape_token

#: (JSON pointer inside the instance, message) for one violation.
Violation = tuple[str, str]


class SchemaValidator:
    """One compiled schema: a fast yes/no, and violations only when the answer is no."""

    __slots__ = ("_validator", "_is_valid")

    def __init__(self, validator: Any) -> None:
        self._validator = validator
        self._is_valid: Callable[[Any], bool] = validator.is_valid

    def is_valid(self, instance: Any) -> bool:
        """Tell whether ``instance`` conforms (False for values nested beyond recursion)."""
        try:
            return self._is_valid(instance)
        except RecursionError:
            return False

    def violations(self, instance: Any) -> list[Violation]:
        """Return every violation of ``instance``, located by JSON pointer."""
        try:
            return [
                _violation(error) for error in self._validator.iter_errors(instance)
            ]
        except RecursionError:
            return [("", "value is nested too deeply to validate")]


class SchemaCompiler:
    """Compiles and caches validators for one spec (requests in write mode, responses in read)."""

    def __init__(self, docs: Documents, version: str) -> None:
        self.docs = docs
        self._oas31 = version == "3.1"
        self._specification = DRAFT202012 if self._oas31 else DRAFT4
        self._registry: Registry | None = None
        self._cache: dict[tuple[str, int, bool], SchemaValidator] = {}
        # Keyed by id(): responses live as long as the spec that owns this compiler.
        self._lowered: dict[int, dict[str, MediaType]] = {}

    @property
    def registry(self) -> Registry:
        """Return the registry holding every file of the spec, built on first use."""
        if self._registry is None:
            resources = [
                (uri, self._specification.create_resource(document))
                for uri, document in self.docs.files.items()
            ]
            self._registry = Registry(retrieve=self._retrieve).with_resources(resources)
        return self._registry

    def compile(
        self, schema: dict[str, Any], uri: str, response: bool
    ) -> SchemaValidator:
        """Return the validator of ``schema`` (found at ``uri``), compiling it once."""
        key = (uri, id(schema), response)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        cls = validator_class("3.1" if self._oas31 else "3.0", response)
        root, registry = self._prepared(schema, uri)
        validator = cls(root, registry=registry, format_checker=cls.FORMAT_CHECKER)
        compiled = self._cache[key] = SchemaValidator(validator)
        return compiled

    def _prepared(self, schema: dict[str, Any], uri: str) -> tuple[Any, Registry]:
        """Return the schema to compile (refs inlined where possible) and its registry."""
        if not uri or not _needs_inlining(schema):
            return schema, self.registry
        try:
            return inline_refs(self.docs, schema, uri, self._oas31), self.registry
        except CannotInline:
            pass
        # Embedded $id / $anchor scopes: leave resolution to the registry, with the schema's
        # own resources crawled in, and reach the schema through its location in the file
        # (unless it names its own base URI, which then governs its refs).
        resource = self._specification.create_resource(schema)
        registry = self.registry.with_resource(uri, resource).crawl()
        own_id = "$id" if self._oas31 else "id"
        return (schema if own_id in schema else {"$ref": uri}), registry

    def lowered_content(self, response: Response) -> dict[str, MediaType]:
        """Return a response's content keyed by lower-case media type, built once."""
        found = self._lowered.get(id(response))
        if found is None:
            found = self._lowered[id(response)] = lowered(response.content)
        return found

    def resolve(self, schema: Any, uri: str) -> tuple[dict[str, Any], str]:
        """Follow ``$ref`` links at the top of ``schema`` (for coercion, not validation).

        Returns the target and its own URI, the base for its sub-schemas' refs.
        """
        if not isinstance(schema, dict):
            return {}, uri
        if "$ref" not in schema or not uri:
            return schema, uri
        base, _, pointer = uri.partition("#")
        try:
            target, (file, target_pointer) = self.docs.deref(
                schema, (base, unquote(pointer))
            )
        except SpecError:
            # Only refs inside an $id scope get here (load checked every other one); the
            # validator's registry resolves those, and coercion just leaves values as text.
            return {}, uri
        return (target if isinstance(target, dict) else {}), f"{file}#{target_pointer}"

    def _retrieve(self, uri: str) -> Resource:
        """Load a file that only schemas reference (normally already loaded at spec load)."""
        target, _ = self.docs.lookup(uri, (self.docs.root_uri, ""))
        return self._specification.create_resource(target)


def _needs_inlining(schema: Any) -> bool:
    """Tell whether ``schema`` contains a ``$ref`` or a ``discriminator`` anywhere."""
    stack = [schema]
    while stack:
        value = stack.pop()
        if isinstance(value, dict):
            if "$ref" in value or "discriminator" in value:
                return True
            stack.extend(v for v in value.values() if isinstance(v, (dict, list)))
        elif isinstance(value, list):
            stack.extend(v for v in value if isinstance(v, (dict, list)))
    return False


def _violation(error: ValidationError) -> Violation:
    """Locate one jsonschema error; a missing property points at the property itself."""
    path = [escape_token(str(part)) for part in error.absolute_path]
    if error.validator == "required" and isinstance(error.instance, dict):
        for name in error.validator_value or ():
            if name not in error.instance and repr(name) in error.message:
                path.append(escape_token(name))
                break
    return "".join("/" + part for part in path), error.message
