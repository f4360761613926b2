"""Normalise an OpenAPI 3.0 / 3.1 document into operations."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from satchel.openapi.model import (
    MISSING,
    Encoding,
    MediaType,
    Operation,
    Parameter,
    RequestBody,
    Response,
)
from satchel.openapi.paths import (
    kind,
    merge_parameters,
    schema_uri,
    security_of,
    tags_of,
    walk_paths,
)
from satchel.openapi.refs import Documents, Loc, child

_LOCATIONS = ("path", "query", "header", "cookie")
_DEFAULT_STYLE = {
    "path": "simple",
    "header": "simple",
    "query": "form",
    "cookie": "form",
}


def operations_v3(docs: Documents, compiler: Any) -> list[Operation]:
    """Build the operations of an OpenAPI 3.x document (3.1 may have no ``paths``)."""
    root = docs.root
    loc = (docs.root_uri, "/paths")
    if "paths" not in root and root.get("openapi", "").startswith("3.1"):
        return []
    if "paths" not in root:
        raise docs.error(
            (docs.root_uri, ""),
            "'paths' is missing (OpenAPI 3.0 requires it)",
            "Add 'paths: {}', or declare openapi: 3.1.0 where it is optional.",
        )
    builder = _Builder(docs, compiler)
    return walk_paths(docs, root["paths"], loc, builder.parameters, builder.operation)


def base_path_v3(root: dict[str, Any]) -> str:
    """Return the path part of ``servers[0].url`` with variables at their defaults."""
    servers = root.get("servers")
    if not isinstance(servers, list) or not servers or not isinstance(servers[0], dict):
        return ""
    url = str(servers[0].get("url", ""))
    for name, variable in (servers[0].get("variables") or {}).items():
        if isinstance(variable, dict):
            url = url.replace("{" + name + "}", str(variable.get("default", "")))
    path = (
        urlsplit(url).path
        if "://" in url or url.startswith("//")
        else url.split("?")[0]
    )
    path = "/" + path.strip("/")
    return "" if path == "/" else path


#: "If in is header and the name is Accept, Content-Type or Authorization, the parameter
#: definition SHALL be ignored" (OpenAPI 3.0.3 4.7.12.1): the request's own machinery
#: (negotiation, the body's media type, security schemes) governs those headers.
_IGNORED_HEADERS = frozenset({"accept", "content-type", "authorization"})


_SERIALISATION = ("style", "explode", "allowReserved")


def _encoding(media_type: str, raw: Any) -> dict[str, Encoding]:
    """Read a form's ``encoding`` map (defaults: style form, exploded, reserved encoded)."""
    if not isinstance(raw, dict):
        return {}
    multipart = media_type.lower().startswith("multipart/")
    found = {}
    for name, item in raw.items():
        if not isinstance(item, dict):
            continue
        style = item.get("style") if isinstance(item.get("style"), str) else "form"
        found[str(name)] = Encoding(
            style=style,
            explode=bool(item.get("explode", style == "form")),
            allow_reserved=item.get("allowReserved") is True,
            serialised=not multipart or any(key in item for key in _SERIALISATION),
        )
    return found


def _ignored(parameter: Parameter) -> bool:
    """Tell whether OpenAPI 3 says to ignore this parameter definition."""
    return parameter.location == "header" and parameter.name.lower() in _IGNORED_HEADERS


class _Builder:
    """Turns raw 3.x objects into model objects, following ``$ref`` links as it goes."""

    def __init__(self, docs: Documents, compiler: Any) -> None:
        self.docs = docs
        self.compiler = compiler

    def operation(
        self, raw: dict[str, Any], loc: Loc, shared: list[Parameter], template: str
    ) -> Operation:
        """Build one operation."""
        own = self.parameters(raw.get("parameters", []), child(loc, "parameters"))
        body = None
        if "requestBody" in raw:
            body = self._request_body(raw["requestBody"], child(loc, "requestBody"))
        return Operation(
            operation_id=raw.get("operationId"),
            method=loc[1].rsplit("/", 1)[1].upper(),
            path=template,
            tags=tags_of(raw),
            summary=str(raw.get("summary") or ""),
            parameters=merge_parameters(shared, own),
            request_body=body,
            responses=self._responses(
                raw.get("responses", {}), child(loc, "responses")
            ),
            security=security_of(raw, self.docs.root),
            pointer=loc[1],
            compiler=self.compiler,
        )

    def parameters(self, raw: Any, loc: Loc) -> list[Parameter]:
        """Build a ``parameters`` list."""
        if not isinstance(raw, list):
            raise self.docs.error(
                loc,
                f"'parameters' must be a list, not {kind(raw)}",
                "Write one '- name: ...' entry per parameter.",
            )
        found = [
            self._parameter(*self.docs.deref(item, child(loc, i)))
            for i, item in enumerate(raw)
        ]
        return [p for p in found if not _ignored(p)]

    def _parameter(self, raw: Any, loc: Loc) -> Parameter:
        """Build one parameter (``schema`` form, or ``content`` form read as JSON)."""
        if (
            not isinstance(raw, dict)
            or "name" not in raw
            or raw.get("in") not in _LOCATIONS
        ):
            raise self.docs.error(
                loc,
                "a parameter needs a 'name' and an 'in' of path, query, header or cookie",
                "Complete the parameter object.",
            )
        location = raw["in"]
        schema, schema_loc, style = raw.get("schema"), child(loc, "schema"), None
        if schema is None and isinstance(raw.get("content"), dict) and raw["content"]:
            media_type, media = next(iter(raw["content"].items()))
            schema, style = (media or {}).get("schema"), "json"
            schema_loc = child(child(child(loc, "content"), media_type), "schema")
        style = style or raw.get("style") or _DEFAULT_STYLE[location]
        return Parameter(
            name=str(raw["name"]),
            location=location,
            required=bool(raw.get("required", False)) or location == "path",
            schema=schema if isinstance(schema, dict) else {},
            style=style,
            explode=bool(raw.get("explode", style == "form")),
            schema_uri=schema_uri(schema_loc),
            allow_empty_value=location == "query"
            and raw.get("allowEmptyValue") is True,
        )

    def _request_body(self, raw: Any, loc: Loc) -> RequestBody:
        """Build a request body."""
        raw, loc = self.docs.deref(raw, loc)
        if not isinstance(raw, dict):
            raise self.docs.error(
                loc,
                f"a requestBody must be a mapping, not {kind(raw)}",
                "Give it a 'content' map (and 'required').",
            )
        return RequestBody(
            required=bool(raw.get("required", False)),
            content=self._content(raw.get("content"), child(loc, "content")),
        )

    def _responses(self, raw: Any, loc: Loc) -> dict[str, Response]:
        """Build the responses map, keyed by status text ("200", "4XX", "default")."""
        if not isinstance(raw, dict):
            raise self.docs.error(
                loc,
                f"'responses' must be a mapping, not {kind(raw)}",
                "Map each status code to a response.",
            )
        responses = {}
        for code, item in raw.items():
            status = str(code).upper() if str(code) != "default" else "default"
            item, item_loc = self.docs.deref(item, child(loc, code))
            if not isinstance(item, dict):
                raise self.docs.error(
                    item_loc,
                    f"a response must be a mapping, not {kind(item)}",
                    "Give it a 'description' (and 'content').",
                )
            responses[status] = Response(
                status=status,
                description=str(item.get("description") or ""),
                headers=self._headers(item.get("headers"), child(item_loc, "headers")),
                content=self._content(item.get("content"), child(item_loc, "content")),
            )
        return responses

    def _headers(self, raw: Any, loc: Loc) -> dict[str, Parameter]:
        """Build a response's headers as header parameters."""
        headers = {}
        for name, item in (raw or {}).items():
            item, item_loc = self.docs.deref(item, child(loc, name))
            item = (
                dict(item, name=name, **{"in": "header"})
                if isinstance(item, dict)
                else item
            )
            headers[name] = self._parameter(item, item_loc)
        return headers

    def _content(self, raw: Any, loc: Loc) -> dict[str, MediaType]:
        """Build a content map; absent content is an empty map, not an error."""
        if raw is None:
            return {}
        if not isinstance(raw, dict):
            raise self.docs.error(
                loc,
                f"'content' must be a mapping, not {kind(raw)}",
                "Map each media type to its schema.",
            )
        content = {}
        for media_type, media in raw.items():
            media_loc = child(loc, media_type)
            media = media if isinstance(media, dict) else {}
            schema = media.get("schema")
            content[media_type] = MediaType(
                media_type=media_type,
                schema=schema if isinstance(schema, dict) else None,
                example=media.get("example", MISSING),
                examples=self._examples(
                    media.get("examples"), child(media_loc, "examples")
                ),
                schema_uri=schema_uri(child(media_loc, "schema")),
                encoding=_encoding(media_type, media.get("encoding")),
            )
        return content

    def _examples(self, raw: Any, loc: Loc) -> dict[str, Any]:
        """Unwrap a 3.x ``examples`` map to {name: value} (external values are skipped)."""
        examples = {}
        for name, item in (raw or {}).items() if isinstance(raw, dict) else ():
            item, _ = self.docs.deref(item, child(loc, name))
            if isinstance(item, dict) and "value" in item:
                examples[str(name)] = item["value"]
        return examples
