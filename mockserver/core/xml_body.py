"""Serialise a value as XML the way its schema's OpenAPI ``xml`` objects describe.

OpenAPI's XML object (3.0 and 3.1, section "XML Object"): ``name`` renames an element (for an
array's items, each item's element), ``attribute`` puts a primitive property on its parent as
an attribute, ``wrapped`` puts an array's items inside an element named after the array,
``namespace`` and ``prefix`` qualify a name. Without a name, an element is named after its
property; the root after the schema's ``xml.name``, else the component it references, else
``root``; an item of an unwrapped array repeats its property's name.
"""

from __future__ import annotations

from typing import Any
from xml.etree import ElementTree

from satchel.openapi import Issue

from mockserver.core.errors import MockError
from mockserver.core.generate import Resolver

__all__ = ["XmlUnavailable", "is_xml", "to_xml", "xml_issues"]

_MAX_DEPTH = 64


class XmlUnavailable(MockError):
    """The value cannot be written as XML (e.g. a name that is not a valid element name)."""


def is_xml(media_type: str | None) -> bool:
    """Tell whether ``media_type`` is an XML one (``application/xml``, ``text/xml``, ``+xml``)."""
    if not media_type:
        return False
    essence = media_type.split(";")[0].strip().lower()
    return essence in ("application/xml", "text/xml") or essence.endswith("+xml")


def to_xml(value: Any, schema: Any, resolve: Resolver | None, base: Any) -> bytes:
    """Return ``value`` as an XML document shaped by ``schema``."""
    writer = _Writer(resolve)
    schema, base, ref_name = writer.deref(schema, base)
    xml = _xml_of(schema)
    name = xml.get("name") or ref_name or "root"
    if isinstance(value, list):
        # A root array is always wrapped: a document has one root element.
        root = writer.element(name, xml)
        writer.items(root, value, schema, base, name, 0)
    else:
        root = writer.node(name, value, schema, base, 0)
    text = ElementTree.tostring(root, encoding="unicode", short_empty_elements=True)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text).encode()


def xml_issues(text: str | bytes) -> list[Issue]:
    """Return why ``text`` is not a well-formed XML document (empty when it is)."""
    try:
        ElementTree.fromstring(text)
    except ElementTree.ParseError as exc:
        return [Issue("body", "", f"the XML body is not well-formed ({exc})")]
    return []


class _Writer:
    """One serialisation: follows ``$ref`` and builds elements."""

    def __init__(self, resolve: Resolver | None) -> None:
        self.resolve = resolve

    def deref(self, schema: Any, base: Any) -> tuple[Any, Any, str | None]:
        """Follow ``$ref``; return the schema, its base and the last referenced name.

        An ``xml`` object beside a ``$ref`` (how authors rename a referenced schema's
        element) wins over the target's own.
        """
        name = None
        beside = None
        for _ in range(_MAX_DEPTH):
            ref = schema.get("$ref") if isinstance(schema, dict) else None
            if not isinstance(ref, str) or self.resolve is None:
                break
            beside = beside or _xml_of(schema) or None
            name = ref.rsplit("/", 1)[-1] or name
            schema, base = self.resolve(ref, base)
        schema = schema if isinstance(schema, dict) else {}
        if beside is not None:
            schema = {**schema, "xml": beside}
        return schema, base, name

    def element(self, name: str, xml: dict[str, Any]) -> ElementTree.Element:
        """Create an element, qualified by the XML object's prefix and namespace."""
        qualified = _qualified(name, xml)
        element = ElementTree.Element(qualified)
        namespace = xml.get("namespace")
        if isinstance(namespace, str):
            prefix = xml.get("prefix")
            element.set(f"xmlns:{prefix}" if prefix else "xmlns", namespace)
        return element

    def node(
        self, name: str, value: Any, schema: Any, base: Any, depth: int
    ) -> ElementTree.Element:
        """Build the element for ``value`` (an object's properties become children)."""
        if depth > _MAX_DEPTH:
            raise XmlUnavailable("the value nests too deeply to write as XML.")
        schema, base, _ = self.deref(schema, base)
        element = self.element(name, _xml_of(schema))
        if isinstance(value, dict):
            self.members(element, value, schema, base, depth)
        elif value is not None:
            element.text = _text(value)
        return element

    def members(
        self,
        element: ElementTree.Element,
        value: dict[str, Any],
        schema: dict[str, Any],
        base: Any,
        depth: int,
    ) -> None:
        """Add an object's properties: attributes, elements, and arrays (wrapped or not)."""
        properties = _properties(schema, base, self)
        for key, item in value.items():
            sub, sub_base = properties.get(key, ({}, base))
            sub, sub_base, _ = self.deref(sub, sub_base)
            xml = _xml_of(sub)
            name = xml.get("name") or key
            if xml.get("attribute") and not isinstance(item, (dict, list)):
                if item is not None:
                    element.set(_qualified(name, xml), _text(item))
            elif isinstance(item, list):
                parent = element
                if xml.get("wrapped"):
                    parent = self.element(name, xml)
                    element.append(parent)
                self.items(parent, item, sub, sub_base, name, depth + 1)
            else:
                element.append(self.node(name, item, sub, sub_base, depth + 1))

    def items(
        self,
        parent: ElementTree.Element,
        values: list[Any],
        schema: dict[str, Any],
        base: Any,
        name: str,
        depth: int,
    ) -> None:
        """Append one element per item, named by the items' ``xml.name`` or ``name``."""
        items, items_base, _ = self.deref(schema.get("items", {}), base)
        item_name = _xml_of(items).get("name") or name
        for value in values:
            parent.append(self.node(item_name, value, items, items_base, depth + 1))


def _properties(
    schema: dict[str, Any], base: Any, writer: _Writer
) -> dict[str, tuple[Any, Any]]:
    """Return each property's schema and base, including those of ``allOf`` parts."""
    found: dict[str, tuple[Any, Any]] = {}
    for part in schema.get("allOf") or ():
        part, part_base, _ = writer.deref(part, base)
        found.update(_properties(part, part_base, writer))
    for key, sub in (schema.get("properties") or {}).items():
        found[key] = (sub, base)
    return found


def _xml_of(schema: Any) -> dict[str, Any]:
    xml = schema.get("xml") if isinstance(schema, dict) else None
    return xml if isinstance(xml, dict) else {}


def _qualified(name: str, xml: dict[str, Any]) -> str:
    """Return ``prefix:name`` when the XML object names a prefix; check the name is usable."""
    prefix = xml.get("prefix")
    qualified = f"{prefix}:{name}" if isinstance(prefix, str) and prefix else name
    if not _is_name(qualified):
        raise XmlUnavailable(
            f"'{qualified}' is not a valid XML element name; give it one with the "
            "schema's xml.name."
        )
    return qualified


def _is_name(name: str) -> bool:
    """Tell whether ``name`` is a usable XML (QName) element name."""
    parts = name.split(":")
    if len(parts) > 2 or not all(parts):
        return False
    return all(
        (part[0].isalpha() or part[0] == "_")
        and all(ch.isalnum() or ch in "-._" for ch in part)
        for part in parts
    )


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
