"""Turn a chosen (operation, status, example) into response bytes, validated against the spec.

Everything here runs when a mock loads, so that a response that does not match the spec is an
error before the first request, and serving is a dictionary lookup.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from satchel.openapi import MISSING, MediaType, Operation, Spec
from satchel.openapi.source import line_of

from mockserver.core.errors import AnswerError, AnswerViolates, CannotSerialise
from mockserver.core.generate import GenerationError, Resolver, generate
from mockserver.core.overlay import MISSING_BODY
from mockserver.core.select import pick_media_type, response_for, static_body
from mockserver.core.xml_body import XmlUnavailable, is_xml, to_xml, xml_issues

__all__ = [
    "SOURCE_HEADER",
    "Answer",
    "AnswerBuilder",
    "can_carry",
    "encode_body",
    "locate_in_spec",
    "spec_resolver",
]

#: Tells the developer which example, rule or generator produced a response.
SOURCE_HEADER = "satchel-mock-source"
_GENERATION_TRIES = 5


@dataclass(frozen=True)
class Answer:
    """A ready response: status, headers (lower-case names) and body bytes."""

    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    #: The ``Satchel-Mock-Violations`` value of an answer that breaks its spec (else empty).
    violations: str = ""


def can_carry(media_type: str | None, value: Any) -> bool:
    """Tell whether ``media_type`` can carry ``value`` as its body.

    A text type that is neither JSON nor XML (text/plain, text/html, text/csv) has no way
    to write an object or array; strings and numbers it carries as their text.
    """
    if not isinstance(value, (dict, list)) or media_type is None:
        return True
    kind = media_type.split(";", 1)[0].strip().lower()
    return not kind.startswith("text/") or "json" in kind or is_xml(kind)


def encode_body(media_type: str | None, value: Any) -> bytes:
    """Serialise ``value`` for ``media_type``: JSON for JSON types, text as UTF-8."""
    if media_type is None or value is MISSING:
        return b""
    if isinstance(value, bytes):
        return value
    if isinstance(value, str) and "json" not in media_type:
        return value.encode()
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


class AnswerBuilder:
    """Build validated answers for the operations of one spec."""

    def __init__(
        self,
        seed: int,
        resolve: Resolver,
        locate: Callable[[Operation, str], str],
        version: str = "3.0",
    ) -> None:
        self.seed = seed
        self.version = version  # the spec's OpenAPI version (readOnly/writeOnly rules)
        self.resolve = resolve  # follows a schema's $ref against the schema's base URI
        self.locate = locate  # (operation, pointer suffix) -> "file:line" for messages

    def build(
        self,
        operation: Operation,
        status: int,
        overlay_named: dict[str, Any],
        *,
        example: str | None = None,
        inline: Any = MISSING_BODY,
        media_type: str | None = None,
        extra_headers: tuple[tuple[str, str], ...] = (),
        origin: str = "",
        rule: bool = False,
        variant: int = 0,
    ) -> Answer:
        """Return the answer, or raise :class:`AnswerError` saying where and what is wrong.

        ``origin`` is the ``file:line`` the answer was asked for at (an overlay rule or
        example), used in error messages; ``rule`` says it is a rule, for the source header.
        """
        response = response_for(operation, status)
        name = operation.operation_id or f"{operation.method} {operation.path}"
        if response is None:
            raise AnswerError(
                f"{name} declares no {status} response "
                f"(declared: {', '.join(operation.responses) or 'none'}).",
                file=origin or self.locate(operation, "/responses"),
            )
        media = pick_media_type(response, media_type)
        if inline is not MISSING_BODY:
            source, value = "inline body", inline
        elif media is None:
            source, value = "no content", MISSING
        else:
            try:
                chosen = None if variant else static_body(media, overlay_named, example)
            except KeyError:
                available = list(overlay_named) + [n for n in media.examples]
                raise AnswerError(
                    f"{name} {status} has no example named '{example}' "
                    f"(available: {', '.join(available) or 'none'}).",
                    file=origin or None,
                ) from None
            source, value = chosen or self._generate(operation, status, media, variant)
        media_name = media.media_type if media is not None else None
        if media is None and value is not MISSING:
            raise AnswerError(
                f"{name} {status} declares no content, so it cannot answer a body.",
                file=origin or None,
            )

        # Only failures need the location: finding a line indexes the whole document.
        def where() -> str:
            return origin or self.locate(operation, f"/responses/{response.status}")

        if not can_carry(media_name, value):
            others = [mt for mt in response.content if mt != media_name]
            if media_type is None and inline is MISSING_BODY:
                # The mock chose this type: another declared one may carry the value.
                for other in others:
                    try:
                        return self.build(
                            operation,
                            status,
                            overlay_named,
                            example=example,
                            media_type=other,
                            extra_headers=extra_headers,
                            origin=origin,
                            rule=rule,
                            variant=variant,
                        )
                    except AnswerError:
                        continue
            raise _cannot_serialise(name, status, media_name, source, value, where())
        issues = _validate(operation, status, media_name, value)
        body = self._encode(media, value, name, status, origin, strict=not issues)
        shown = f"{source} (overlay rule {origin})" if rule else source
        headers = [(SOURCE_HEADER, shown)]
        if media_name is not None:
            headers.insert(0, ("content-type", media_name))
        # A header the overlay or a recording gives replaces the generated one (sent once).
        extra = [(k.lower(), v) for k, v in extra_headers]
        given = {name for name, _ in extra}
        declared = self._declared_headers(operation, status, response)
        headers += [(k, v) for k, v in declared if k not in given]
        headers += extra
        answer = Answer(status, tuple(headers), body) if body is not None else None
        if issues:
            details = "; ".join(f"{i.field or '/'}: {i.message}" for i in issues)
            if source == "generated":
                first = f"{issues[0].field or '/'}: {issues[0].message}"
                message = (
                    f"cannot generate a valid {status} body for "
                    f"{operation.operation_id or operation.path} ({first})."
                )
                hint = "Add an example for this response to the spec or the overlay."
            else:
                message = (
                    f"the {source} for {name} {status} does not match the spec: "
                    f"{details}."
                )
                hint = "Fix the example or overlay so that it validates against the schema."
            raise AnswerViolates(
                message, issues=issues, answer=answer, file=where(), hint=hint
            )
        return answer

    def _encode(
        self,
        media: MediaType | None,
        value: Any,
        name: str,
        status: int,
        origin: str,
        *,
        strict: bool = True,
    ) -> bytes | None:
        """Serialise the body: XML media types as XML shaped by the schema, never as JSON.

        ``strict=False`` (a value that already breaks the spec) returns None instead of
        raising when it cannot be written as XML: the violations are the error to report.
        """
        if media is None or not is_xml(media.media_type) or value is MISSING:
            return encode_body(media.media_type if media else None, value)
        if isinstance(value, (str, bytes)):
            return value.encode() if isinstance(value, str) else value
        try:
            return to_xml(value, media.schema or {}, self.resolve, media.schema_uri)
        except XmlUnavailable as exc:
            if not strict:
                return None
            raise AnswerError(
                f"{name} {status} cannot be written as {media.media_type}: {exc.message}",
                file=origin or None,
            ) from None

    def _generate(
        self, operation: Operation, status: int, media: MediaType, variant: int
    ) -> tuple[str, Any]:
        """Generate a body that validates, trying a few seeds before giving up.

        When none validates, return the try with the fewest violations (the caller reports
        them); raise only when nothing can be generated at all.
        """
        key = f"{self.seed}:{operation.method} {operation.path}:{status}:{media.media_type}"
        last_issue = ""
        best: tuple[int, Any] | None = None
        for attempt in range(_GENERATION_TRIES):
            seed = f"{key}:{variant}:{attempt}"
            try:
                value = generate(
                    media.schema or {},
                    seed=seed,
                    resolve=self.resolve,
                    base=media.schema_uri,
                    version=self.version,
                    # The last try ignores the schemas' own examples: vendored specs'
                    # nested examples often contradict their schemas.
                    offered=attempt < _GENERATION_TRIES - 1,
                )
            except GenerationError as exc:
                last_issue = exc.message
                break
            issues = _validate(operation, status, media.media_type, value)
            if not issues:
                return "generated", value
            if best is None or len(issues) < best[0]:
                best = (len(issues), value)
        if best is not None:
            return "generated", best[1]
        raise AnswerError(
            f"cannot generate a valid {status} body for "
            f"{operation.operation_id or operation.path} ({last_issue}).",
            file=self.locate(operation, f"/responses/{status}"),
            hint="Add an example for this response to the spec or the overlay.",
        )

    def _declared_headers(
        self, operation: Operation, status: int, response: Any
    ) -> list[tuple[str, str]]:
        """Return values for the response headers the spec declares (from their schemas)."""
        values = []
        for header_name, parameter in response.headers.items():
            if header_name.lower() == "content-type":
                continue
            seed = f"{self.seed}:{operation.path}:{status}:{header_name}"
            value = generate(
                parameter.schema or {},
                seed=seed,
                resolve=self.resolve,
                base=parameter.schema_uri,
            )
            values.append((header_name.lower(), _header_text(value)))
        return values


def _validate(
    operation: Operation, status: int, media_type: str | None, value: Any
) -> list:
    """Check what would go on the wire: JSON bodies as their encoded bytes.

    The spec core reads a ``str`` body under a JSON media type as JSON text, so a JSON string
    value must be passed encoded ("\"Rex\"") to be checked as the value it is.
    """
    if value is MISSING:
        return operation.validate_response(status, media_type, None)
    if is_xml(media_type) and isinstance(value, (str, bytes)):
        # XML text (an example written as XML): well-formed is all that can be checked.
        return xml_issues(value)
    if media_type is not None and "json" in media_type:
        return operation.validate_response(
            status, media_type, encode_body(media_type, value)
        )
    return operation.validate_response(status, media_type, value)


def _cannot_serialise(
    name: str, status: int, media_type: str | None, source: str, value: Any, where: str
) -> CannotSerialise:
    """Explain why a structured value cannot be the body of a text media type."""
    shape = "an object" if isinstance(value, dict) else "an array"
    what = "generated data" if source == "generated" else f"the {source}"
    return CannotSerialise(
        f"{name} {status} cannot be written as {media_type}: {what} is {shape}, "
        f"and {media_type} has no way to write one (only JSON and XML media types carry "
        "structured values).",
        file=where,
        hint="Give the response a string example (or a string schema), declare a JSON "
        "media type for it, or answer it with an overlay example that is a string.",
    )


def _header_text(value: Any) -> str:
    """Serialise a header value the way OpenAPI's simple style does."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return ",".join(_header_text(item) for item in value)
    return str(value)


def locate_in_spec(spec: Spec, pointer: str) -> str:
    """Return ``file:line`` for a JSON pointer in the spec (``file`` alone if unknown)."""
    path = Path(spec.source_path)
    line = line_of(path, pointer) if path.is_file() else None
    return f"{spec.source_path}:{line}" if line else str(spec.source_path)


def spec_resolver(spec: Spec) -> Resolver:
    """Return a generator resolver that follows $ref across the spec's files."""

    def resolve(ref: str, base: str) -> tuple[Any, str]:
        return spec.deref({"$ref": ref}, base)

    return resolve
