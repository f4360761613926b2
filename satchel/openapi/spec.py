"""The loaded spec: its operations, a router over them, and ``$ref`` resolution for schemas."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from referencing import Registry

from satchel.openapi.compiler import OperationCompiler
from satchel.openapi.errors import SpecError
from satchel.openapi.model import Operation
from satchel.openapi.router import Match, Miss, Router


@dataclass(frozen=True, eq=False)
class Spec:
    """An OpenAPI document normalised to operations, ready to match and validate requests."""

    version: str
    title: str
    source_path: Path
    base_path: str
    document: dict[str, Any]
    operations: tuple[Operation, ...]
    compiler: OperationCompiler = field(repr=False)
    router: Router = field(repr=False)
    _by_id: dict[str, Operation] = field(repr=False)
    #: What a lenient load worked around (see load_spec); empty for a strict load.
    warnings: tuple[SpecError, ...] = ()

    def operation(self, operation_id: str) -> Operation:
        """Return the operation with ``operation_id``; KeyError names the known ones."""
        try:
            return self._by_id[operation_id]
        except KeyError:
            known = ", ".join(sorted(self._by_id)) or "none"
            raise KeyError(
                f"no operation with operationId '{operation_id}' in {self.source_path} "
                f"(known: {known})"
            ) from None

    def match(self, method: str, path: str) -> Match | Miss:
        """Return the operation hit by ``method`` and ``path`` (base path included, no query)."""
        return self.router.match(method, path)

    @property
    def registry(self) -> Registry:
        """Return the ``referencing`` registry holding every file of the spec."""
        return self.compiler.registry

    def deref(self, schema: Any, base_uri: str) -> tuple[Any, str]:
        """Follow ``$ref`` links at the top of ``schema``; return it and its own URI.

        ``base_uri`` is where ``schema`` was found (``MediaType.schema_uri``); use the returned
        URI as the base when dereferencing the result's sub-schemas.
        """
        base, _, pointer = base_uri.partition("#")
        target, (uri, target_pointer) = self.compiler.docs.deref(
            schema, (base, unquote(pointer))
        )
        return target, f"{uri}#{target_pointer}"
