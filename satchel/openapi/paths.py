"""Walk a spec's ``paths`` into operations: what OpenAPI 3.x and Swagger 2.0 share."""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any, Callable
from urllib.parse import quote

from satchel.openapi.model import Operation, Parameter
from satchel.openapi.refs import Documents, Loc, child

_KINDS = {
    dict: "a mapping",
    list: "a list",
    str: "a string",
    int: "a number",
    float: "a number",
    bool: "a boolean",
    type(None): "null",
}
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")
_TEMPLATE_PARAM = re.compile(r"{([^{}/]+)}")
# Characters that would change a URI fragment's meaning; quote() is slow, so only when needed.
_NEEDS_QUOTING = re.compile(r"[%#?\s\"<>\\^`|\[\]]")

#: Builds one operation from (raw operation, its location, path-level parameters, template).
OperationBuilder = Callable[[dict[str, Any], Loc, list[Parameter], str], Operation]
#: Turns a raw ``parameters`` list (at a location) into normalised parameters.
ParametersBuilder = Callable[[Any, Loc], list[Parameter]]


def schema_uri(loc: Loc) -> str:
    """Return the absolute URI (file#pointer) a schema's ``$ref`` values resolve against."""
    pointer = loc[1]
    if _NEEDS_QUOTING.search(pointer):
        pointer = quote(pointer, safe="/~")
    return f"{loc[0]}#{pointer}"


def walk_paths(
    docs: Documents,
    paths: Any,
    loc: Loc,
    parameters: ParametersBuilder,
    build: OperationBuilder,
) -> list[Operation]:
    """Build every operation under ``paths`` in document order, checking templates and ids."""
    if not isinstance(paths, dict):
        raise docs.error(
            loc,
            f"'paths' must be a mapping, not {kind(paths)}",
            "Map each path to its methods.",
        )
    operations: list[Operation] = []
    by_id: dict[str, Operation] = {}
    for template, item in paths.items():
        item_loc = child(loc, template)
        if not isinstance(template, str) or not template.startswith("/"):
            raise docs.error(
                item_loc,
                f"path '{template}' does not start with '/'",
                "Write it as '/...'.",
            )
        item, item_loc = docs.deref(item, item_loc)
        if not isinstance(item, dict):
            raise docs.error(
                item_loc,
                f"a path item must be a mapping, not {kind(item)}",
                "List its methods (get, post, ...) under the path.",
            )
        shared = parameters(item.get("parameters", []), child(item_loc, "parameters"))
        for method in METHODS:
            raw = item.get(method)
            if raw is None:
                continue
            op_loc = child(item_loc, method)
            if not isinstance(raw, dict):
                raise docs.error(
                    op_loc,
                    f"an operation must be a mapping, not {kind(raw)}",
                    "Give it 'responses' (and parameters, requestBody, ...).",
                )
            operation = build(raw, op_loc, shared, template)
            operation = _check_template(docs, operation, op_loc)
            _check_unique_id(docs, operation, op_loc, by_id)
            operations.append(operation)
    return operations


def merge_parameters(
    shared: list[Parameter], own: list[Parameter]
) -> tuple[Parameter, ...]:
    """Merge path-level and operation-level parameters; the operation's win by (name, in)."""
    merged = {(p.name, p.location): p for p in shared}
    merged.update({(p.name, p.location): p for p in own})
    return tuple(merged.values())


def security_of(
    raw: dict[str, Any], root: dict[str, Any]
) -> list[dict[str, list[str]]] | None:
    """Return the effective security requirement: the operation's, else the document's."""
    return raw["security"] if "security" in raw else root.get("security")


def tags_of(raw: dict[str, Any]) -> tuple[str, ...]:
    """Return an operation's tags as a tuple of strings."""
    tags = raw.get("tags") or ()
    return tuple(str(tag) for tag in tags) if isinstance(tags, list) else ()


def _check_template(docs: Documents, operation: Operation, loc: Loc) -> Operation:
    """Check the template and the declared path parameters agree.

    A lenient load (see Documents.warn) reads an undeclared template parameter as a string
    and drops a declared one the template lacks, as Prism does.
    """
    in_template = _TEMPLATE_PARAM.findall(operation.path)
    declared = [p.name for p in operation.parameters if p.location == "path"]
    parameters = list(operation.parameters)
    for name in in_template:
        if name not in declared:
            docs.warn(
                loc,
                f"path parameter '{name}' is used in the template but not declared",
                f"Add a parameter with name: {name} and in: path (required: true) to the "
                "operation or its path item.",
            )
            parameters.append(
                Parameter(name, "path", True, {"type": "string"}, "simple", False)
            )
    for name in declared:
        if name not in in_template:
            docs.warn(
                loc,
                f"path parameter '{name}' is declared but not in the template "
                f"'{operation.path}'",
                f"Add {{{name}}} to the path or remove the parameter.",
            )
            parameters = [
                p for p in parameters if not (p.location == "path" and p.name == name)
            ]
    if len(parameters) == len(operation.parameters) and all(
        a is b for a, b in zip(parameters, operation.parameters)
    ):
        return operation
    return replace(operation, parameters=tuple(parameters))


def _check_unique_id(
    docs: Documents, operation: Operation, loc: Loc, by_id: dict[str, Operation]
) -> None:
    """Fail when two operations share an operationId."""
    op_id = operation.operation_id
    if op_id is None:
        return
    first = by_id.setdefault(op_id, operation)
    if first is not operation:
        docs.warn(
            child(loc, "operationId"),
            f"operationId '{op_id}' is already used by {first.method} {first.path}",
            "operationIds must be unique; rename one of them.",
        )


def kind(value: Any) -> str:
    """Name the YAML kind of ``value`` for error messages."""
    return _KINDS.get(type(value), f"a {type(value).__name__}")
