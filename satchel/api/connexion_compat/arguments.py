"""Decide, once per operation, which keywords a Connexion handler receives.

As in Connexion: path parameters always; query parameters (with their defaults) and the body
(as ``body``, ``x-body-name`` or a Swagger 2 body's name) when the handler names them or takes
``**kwargs``; Swagger 2 form fields as keywords of their own; ``user`` and ``token_info`` from
security; ``context_`` for all of that. Header and cookie parameters are validated, not passed.
"""

from __future__ import annotations

import copy
import inspect
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from satchel.api.connexion_compat.names import pythonic, sanitized
from satchel.openapi import Operation, Spec
from satchel.openapi.source import split_pointer

__all__ = ["ArgumentPlan", "plan_arguments", "raw_operation"]

CONTEXT_NAME = "context_"
_FORMS = ("application/x-www-form-urlencoded", "multipart/form-data")


def raw_operation(spec: Spec, operation: Operation) -> dict[str, Any]:
    """Return the operation object as written in the spec (for ``x-`` extensions)."""
    node: Any = spec.document
    for token in split_pointer(operation.pointer) if operation.pointer else []:
        node = node.get(token, {}) if isinstance(node, dict) else {}
    return node if isinstance(node, dict) else {}


def signature_of(handler: Callable[..., Any]) -> tuple[set[str], bool, list[str]]:
    """Return the handler's keyword names, whether it takes ``**kwargs``, its required names."""
    while hasattr(handler, "__wrapped__"):
        handler = handler.__wrapped__
    parameters = list(inspect.signature(handler).parameters.values())
    named = {
        p.name
        for p in parameters
        if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    }
    required = [
        p.name
        for p in parameters
        if p.default is p.empty and p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
    ]
    return named, any(p.kind is p.VAR_KEYWORD for p in parameters), required


@dataclass(frozen=True)
class ArgumentPlan:
    """Where each keyword comes from: ``(spec name, keyword)`` pairs per location."""

    path: tuple[tuple[str, str], ...]
    query: tuple[tuple[str, str], ...]
    body_name: str | None
    body_default: Any
    form_fields: bool
    context: tuple[str, ...]
    wants_context: bool
    has_kwargs: bool
    accepted: frozenset[str]
    files: tuple[tuple[str, bool], ...] = ()

    @property
    def file_names(self) -> frozenset[str]:
        """Return the form fields that are uploads."""
        return frozenset(name for name, _ in self.files)

    def keywords(
        self, valid: Any, security: dict[str, Any] | None, files: Any = None
    ) -> dict[str, Any]:
        """Build the handler's keywords from the validated request, security and uploads.

        ``files`` is the request's werkzeug ``files``: uploads arrive as ``FileStorage``
        keywords of their own and are left out of the form body, as in Connexion.
        """
        arguments = {keyword: valid.path[name] for name, keyword in self.path}
        query = valid.query
        for name, keyword in self.query:
            if name in query:
                arguments[keyword] = query[name]
        body = valid.body
        if self.files and isinstance(body, dict):
            body = {k: v for k, v in body.items() if k not in self.file_names}
            for name, many in self.files:
                uploads = files.getlist(name) if files is not None else []
                if uploads:
                    arguments[name] = uploads if many else uploads[0]
        if self.form_fields and isinstance(body, dict):
            for name, value in body.items():
                keyword = sanitized(name)
                if self.has_kwargs or keyword in self.accepted:
                    arguments[keyword] = value
        elif self.body_name is not None:
            arguments[self.body_name] = (
                copy.deepcopy(self.body_default) if body is None else body
            )
        if security is not None:
            context = {
                "user": security.get("sub", security.get("uid")),
                "token_info": security,
            }
            for key in self.context:
                arguments[key] = context[key]
            if self.wants_context:
                arguments[CONTEXT_NAME] = context
        return arguments


def plan_arguments(
    spec: Spec,
    operation: Operation,
    handler: Callable[..., Any],
    *,
    pythonic_params: bool,
    secured: bool,
) -> tuple[ArgumentPlan | None, str | None]:
    """Return the plan, or why the handler cannot take what Connexion would pass."""
    sanitize = pythonic if pythonic_params else sanitized
    named, has_kwargs, required = signature_of(handler)

    def wanted(keyword: str) -> bool:
        return has_kwargs or keyword in named

    path = tuple(
        (p.name, sanitize(p.name)) for p in operation.parameters if p.location == "path"
    )
    refused = [keyword for _, keyword in path if not wanted(keyword)]
    if refused:
        return None, (
            f"handler does not accept the path parameter(s) {', '.join(refused)}; "
            "add them to its parameters"
        )
    query = tuple(
        (p.name, sanitize(p.name))
        for p in operation.parameters
        if p.location == "query" and wanted(sanitize(p.name))
    )
    body_name, body_default, form_fields = _body(spec, operation, sanitize)
    if body_name is not None and not wanted(body_name):
        body_name = None
    context = tuple(key for key in ("user", "token_info") if secured and wanted(key))
    provided = {k for _, k in path} | {k for _, k in query} | set(context)
    provided |= {body_name} if body_name else set()
    provided |= {CONTEXT_NAME} if CONTEXT_NAME in named and secured else set()
    uploads = _uploads(spec, operation)
    files = tuple((name, many) for name, many in uploads if wanted(name))
    provided |= {name for name, _ in files}
    if form_fields:
        provided |= _form_names(operation)
    missing = [name for name in required if name not in provided]
    if missing and not form_fields:
        return None, (
            f"handler requires {', '.join(missing)}, which the spec does not pass; declare the "
            "parameter in the spec or give it a default"
        )
    return (
        ArgumentPlan(
            path=path,
            query=query,
            body_name=body_name,
            body_default=body_default,
            form_fields=form_fields,
            context=context,
            wants_context=CONTEXT_NAME in named and secured,
            has_kwargs=has_kwargs,
            accepted=frozenset(named),
            files=files,
        ),
        None,
    )


def _body(spec: Spec, operation: Operation, sanitize: Callable[[str], str]) -> tuple:
    """Return the body keyword, its default when absent, and whether forms are unpacked."""
    if operation.request_body is None:
        return None, None, False
    raw = raw_operation(spec, operation)
    content = operation.request_body.content
    if spec.version == "2.0":
        if content and all(media in _FORMS for media in content):
            return None, None, True
        body_parameter = next(
            (
                p
                for p in raw.get("parameters", [])
                if isinstance(p, dict) and p.get("in") == "body"
            ),
            {},
        )
        name = body_parameter.get("name", "body")
    else:
        request_body = raw.get("requestBody") or {}
        if "$ref" in request_body:
            request_body = spec.deref(
                request_body, spec.source_path.resolve().as_uri() + "#"
            )[0]
        name = request_body.get("x-body-name", "body")
    default: Any = {}
    for media in content.values():
        if media.schema is not None:
            schema = spec.deref(media.schema, media.schema_uri)[0]
            if isinstance(schema, dict) and "default" in schema:
                default = schema["default"]
            break
    return sanitize(name), default, False


def _form_names(operation: Operation) -> set[str]:
    names: set[str] = set()
    for media in (
        operation.request_body.content.values() if operation.request_body else ()
    ):
        if isinstance(media.schema, dict):
            names |= {sanitized(n) for n in (media.schema.get("properties") or {})}
    return names


def _is_upload(schema: Any) -> bool:
    return isinstance(schema, dict) and (
        schema.get("format") in ("binary", "base64") or schema.get("type") == "file"
    )


def _uploads(spec: Spec, operation: Operation) -> list[tuple[str, bool]]:
    """Return the multipart form's upload fields, and whether each takes several files."""
    media = (operation.request_body.content if operation.request_body else {}).get(
        "multipart/form-data"
    )
    if media is None or media.schema is None:
        return []
    schema, uri = spec.deref(media.schema, media.schema_uri)
    found = []
    for name, sub in (schema.get("properties") or {}).items():
        sub, sub_uri = spec.deref(sub, uri)
        if _is_upload(sub):
            found.append((name, False))
        elif isinstance(sub, dict) and _is_upload(
            spec.deref(sub.get("items"), sub_uri)[0]
        ):
            found.append((name, True))
    return found
