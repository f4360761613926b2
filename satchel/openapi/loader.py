"""Load a spec file (and the files it references) into a :class:`Spec`."""

from __future__ import annotations

import gc
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

from satchel.openapi.compiler import OperationCompiler
from satchel.openapi.keywords import check_keywords
from satchel.openapi.lenient import normalise_types
from satchel.openapi.model import Operation
from satchel.openapi.openapi3 import base_path_v3, operations_v3
from satchel.openapi.patterns import document_pattern_problems
from satchel.openapi.refs import Documents
from satchel.openapi.router import Router
from satchel.openapi.spec import Spec
from satchel.openapi.swagger2 import base_path_v2, operations_v2

_SUPPORTED = "Satchel reads swagger 2.0 and openapi 3.0.x or 3.1.x documents."


def load_spec(path: str | Path, *, lenient: bool = False) -> Spec:
    """Load the OpenAPI 3.x or Swagger 2.0 document at ``path``; raise SpecError when broken.

    ``lenient=True`` loads a vendored spec that a strict load refuses for problems with a
    safe reading (a duplicate operationId, an undeclared path parameter, a 3.1 ``type`` in a
    3.0 document): each becomes one of ``Spec.warnings`` instead. Broken syntax or a dangling
    ``$ref`` still raise. A ``pattern`` that is not ECMA-262 is a warning either way. A
    schema keyword of the wrong type (``minimum: "1851"``) is coerced or dropped with a
    warning when lenient, refused when strict (see :mod:`satchel.openapi.keywords`).
    """
    with _collector_paused():
        return _load(path, lenient)


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while building the (acyclic) document.

    Loading allocates hundreds of thousands of dicts and lists; the collector would scan them
    again and again while they are still growing, which costs about a third of the load time.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _load(path: str | Path, lenient: bool) -> Spec:
    """Load the spec (see load_spec)."""
    docs = Documents(Path(path), str(path), lenient=lenient)
    root = docs.root
    version = _version(docs, root)
    if version != "3.1":
        normalise_types(docs, version)
    check_keywords(docs, version)
    compiler = OperationCompiler(docs, version)
    if version == "2.0":
        operations, base_path = operations_v2(docs, compiler), base_path_v2(root)
    else:
        operations, base_path = operations_v3(docs, compiler), base_path_v3(root)
    info = root.get("info") if isinstance(root.get("info"), dict) else {}
    return Spec(
        version=version,
        title=str(info.get("title") or ""),
        source_path=Path(path),
        base_path=base_path,
        document=root,
        operations=tuple(operations),
        compiler=compiler,
        router=Router(operations, base_path),
        _by_id=_first_by_id(operations),
        # An invalid pattern never stops a load: one schema keyword, reported when used.
        warnings=(*docs.warnings, *document_pattern_problems(docs)),
    )


def _first_by_id(operations: list[Operation]) -> dict[str, Operation]:
    """Index operations by operationId; a duplicate (a lenient load's warning) keeps the first."""
    by_id: dict[str, Operation] = {}
    for op in operations:
        if op.operation_id is not None:
            by_id.setdefault(op.operation_id, op)
    return by_id


def _version(docs: Documents, root: Any) -> str:
    """Return "2.0", "3.0" or "3.1", or raise SpecError naming what was found."""
    loc = (docs.root_uri, "")
    if not isinstance(root, dict):
        found = "empty" if root is None else f"a {type(root).__name__}"
        raise docs.error(
            loc, f"the document is not a mapping (it is {found})", _SUPPORTED
        )
    if "openapi" in root:
        declared = str(root["openapi"])
        for version in ("3.0", "3.1"):
            if declared == version or declared.startswith(version + "."):
                return version
        raise docs.error(
            (docs.root_uri, "/openapi"),
            f"unsupported OpenAPI version '{declared}'",
            _SUPPORTED,
        )
    if "swagger" in root:
        declared = str(root["swagger"])
        if declared == "2.0":
            return "2.0"
        raise docs.error(
            (docs.root_uri, "/swagger"),
            f"unsupported Swagger version '{declared}'",
            _SUPPORTED,
        )
    raise docs.error(
        loc,
        "no 'openapi' or 'swagger' key says which version this is",
        "Start the document with 'openapi: 3.1.0' (or 'swagger: \"2.0\"').",
    )
