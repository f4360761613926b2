"""Normalise a Swagger 2.0 document into the same operations as OpenAPI 3.x."""

from __future__ import annotations

from typing import Any

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

_SCHEMA_KEYS = (
    "type format items default maximum exclusiveMaximum minimum exclusiveMinimum maxLength "
    "minLength pattern maxItems minItems uniqueItems enum multipleOf"
).split()
_LOCATIONS = ("path", "query", "header", "formData", "body")
_FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")
#: collectionFormat -> (style, explode); csv is the 2.0 default, unlike 3.x's exploded form.
_COLLECTION_FORMATS = {
    "csv": ("form", False),
    "ssv": ("spaceDelimited", False),
    "tsv": ("tabDelimited", False),
    "pipes": ("pipeDelimited", False),
    "multi": ("form", True),
}


def operations_v2(docs: Documents, compiler: Any) -> list[Operation]:
    """Build the operations of a Swagger 2.0 document."""
    builder = _Builder(docs, compiler)
    loc = (docs.root_uri, "/paths")
    return walk_paths(
        docs, docs.root.get("paths"), loc, builder.parameters, builder.operation
    )


def base_path_v2(root: dict[str, Any]) -> str:
    """Return ``basePath`` without a trailing slash ("" for none or "/")."""
    path = "/" + str(root.get("basePath") or "").strip("/")
    return "" if path == "/" else path


class _Builder:
    """Turns raw 2.0 objects into model objects; body and formData become a request body."""

    def __init__(self, docs: Documents, compiler: Any) -> None:
        self.docs = docs
        self.compiler = compiler

    def operation(
        self, raw: dict[str, Any], loc: Loc, shared: list[Parameter], template: str
    ) -> Operation:
        """Build one operation."""
        root = self.docs.root
        raw_params = self._raw_parameters(
            raw.get("parameters", []), child(loc, "parameters")
        )
        consumes = raw.get("consumes") or root.get("consumes") or ["application/json"]
        # No ``produces`` anywhere: the responses' example keys say what they produce.
        produces = raw.get("produces") or root.get("produces") or []
        own = [self._parameter(p, p_loc) for p, p_loc in raw_params]
        merged = merge_parameters(shared, own)
        body = _request_body(
            [p for p in merged if p.location in ("body", "formData")], consumes
        )
        return Operation(
            operation_id=raw.get("operationId"),
            method=loc[1].rsplit("/", 1)[1].upper(),
            path=template,
            tags=tags_of(raw),
            summary=str(raw.get("summary") or ""),
            parameters=tuple(
                p for p in merged if p.location not in ("body", "formData")
            ),
            request_body=body,
            responses=self._responses(
                raw.get("responses", {}), child(loc, "responses"), produces
            ),
            security=security_of(raw, root),
            pointer=loc[1],
            compiler=self.compiler,
        )

    def parameters(self, raw: Any, loc: Loc) -> list[Parameter]:
        """Build a ``parameters`` list (body and formData kept for the request body)."""
        return [
            self._parameter(p, p_loc) for p, p_loc in self._raw_parameters(raw, loc)
        ]

    def _raw_parameters(self, raw: Any, loc: Loc) -> list[tuple[dict[str, Any], Loc]]:
        """Dereference each parameter and check it has a name and a known location."""
        if not isinstance(raw, list):
            raise self.docs.error(
                loc,
                f"'parameters' must be a list, not {kind(raw)}",
                "Write one '- name: ...' entry per parameter.",
            )
        found = []
        for index, item in enumerate(raw):
            item, item_loc = self.docs.deref(item, child(loc, index))
            if (
                not isinstance(item, dict)
                or "name" not in item
                or item.get("in") not in _LOCATIONS
            ):
                raise self.docs.error(
                    item_loc,
                    "a parameter needs a 'name' and an 'in' of path, query, header, formData "
                    "or body",
                    "Complete the parameter object.",
                )
            found.append((item, item_loc))
        return found

    def _parameter(self, raw: dict[str, Any], loc: Loc) -> Parameter:
        """Build one parameter; body and formData are folded into the request body later."""
        location = raw["in"]
        if location == "body":
            schema = raw.get("schema") if isinstance(raw.get("schema"), dict) else {}
            uri = schema_uri(child(loc, "schema"))
            return Parameter(
                str(raw["name"]),
                "body",
                bool(raw.get("required")),
                schema,
                "",
                False,
                uri,
            )
        style, explode = _COLLECTION_FORMATS.get(
            raw.get("collectionFormat", "csv"), ("form", False)
        )
        if location in ("path", "header"):
            style = "simple"
        elif raw.get("type") != "array":
            style, explode = "form", True
        return Parameter(
            name=str(raw["name"]),
            location=location,
            required=bool(raw.get("required", False)) or location == "path",
            schema=simple_schema(raw),
            style=style,
            explode=explode,
            allow_empty_value=location in ("query", "formData")
            and raw.get("allowEmptyValue") is True,
        )

    def _responses(
        self, raw: Any, loc: Loc, produces: list[str]
    ) -> dict[str, Response]:
        """Build responses; ``schema`` and ``examples`` spread over the produced media types."""
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
                    "Give it a 'description' (and 'schema').",
                )
            headers = {
                name: Parameter(
                    name, "header", False, simple_schema(h), "simple", False
                )
                for name, h in (item.get("headers") or {}).items()
                if isinstance(h, dict)
            }
            responses[status] = Response(
                status=status,
                description=str(item.get("description") or ""),
                headers=headers,
                content=_response_content(item, item_loc, produces),
            )
        return responses


def simple_schema(raw: dict[str, Any]) -> dict[str, Any]:
    """Build the JSON Schema of a non-body 2.0 parameter or header from its own fields."""
    schema = {key: raw[key] for key in _SCHEMA_KEYS if key in raw}
    if raw.get("allowEmptyValue") is False and schema.get("type", "string") == "string":
        # Written out, "no empty value" is a length of at least one (as Prism reads it).
        schema.setdefault("minLength", 1)
    if schema.get("type") == "file":
        # An upload: multipart file content, checked as binary text (see request._as_text).
        schema.update(type="string", format="binary")
    if isinstance(schema.get("items"), dict):
        schema["items"] = simple_schema(schema["items"])
    return schema


def _request_body(params: list[Parameter], consumes: list[str]) -> RequestBody | None:
    """Fold the body parameter, or the formData fields, into a request body."""
    body = next((p for p in params if p.location == "body"), None)
    if body is not None:
        content = {
            mt: MediaType(mt, body.schema, schema_uri=body.schema_uri)
            for mt in consumes
        }
        return RequestBody(body.required, content)
    fields = [p for p in params if p.location == "formData"]
    if not fields:
        return None
    schema: dict[str, Any] = {
        "type": "object",
        "properties": {p.name: p.schema for p in fields},
    }
    required = [p.name for p in fields if p.required]
    if required:
        schema["required"] = required
    uploads = any(p.schema.get("format") == "binary" for p in fields)
    default = _FORM_TYPES[1] if uploads else _FORM_TYPES[0]
    types = [mt for mt in consumes if mt in _FORM_TYPES] or [default]
    # collectionFormat, as a style, applies to form fields in both media types; 2.0 has no
    # rule about reserved characters.
    encoding = {
        p.name: Encoding(
            p.style,
            p.explode,
            allow_reserved=True,
            allow_empty_value=p.allow_empty_value,
        )
        for p in fields
    }
    return RequestBody(
        bool(required),
        {mt: MediaType(mt, schema, encoding=encoding) for mt in types},
    )


def _response_content(
    item: dict[str, Any], loc: Loc, produces: list[str]
) -> dict[str, MediaType]:
    """Give each produced media type the response schema and its example, if any."""
    schema = item.get("schema") if isinstance(item.get("schema"), dict) else None
    examples = item.get("examples") if isinstance(item.get("examples"), dict) else {}
    if schema is None and not examples:
        return {}
    # An example keyed by a wildcard ("*/*", "application/*") serves each produced type it
    # covers that has none of its own; it is not a media type to answer with itself.
    wildcards = [mt for mt in examples if str(mt).endswith("/*")]
    # Declared ``produces`` plus any example keys; with none declared, the example keys
    # alone (``examples: {text/plain: hello}`` produces text/plain, not JSON too).
    media_types = list(produces) + [
        mt for mt in examples if mt not in produces and mt not in wildcards
    ]
    if not media_types:
        media_types = ["application/json"]
    uri = schema_uri(child(loc, "schema"))
    content = {}
    for mt in media_types:
        key = mt if mt in examples else _covering(mt, wildcards)
        content[mt] = MediaType(
            mt,
            schema,
            example=MISSING,
            examples={"default": examples[key]} if key is not None else {},
            schema_uri=uri,
        )
    return content


def _covering(media_type: str, wildcards: list[str]) -> str | None:
    """Return the first wildcard ("*/*", "text/*") that covers ``media_type``, if any."""
    kind = media_type.split("/", 1)[0].strip().lower() + "/*"
    for wildcard in wildcards:
        if wildcard in ("*/*", kind):
            return wildcard
    return None
