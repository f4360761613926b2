"""Content negotiation (werkzeug's Accept reading) and XML bodies shaped by OpenAPI xml objects."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mockserver.core.accept import best_match
from mockserver.core.engine import Engine
from mockserver.core.errors import AnswersInvalid
from mockserver.core.generate import local_resolver
from mockserver.core.messages import MockRequest
from mockserver.core.xml_body import XmlUnavailable, is_xml, to_xml
from satchel.openapi import load_spec

SPECS = Path(__file__).parent / "specs"
HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n'
PET_XML = (
    '<p:pet xmlns:p="https://example.com/pets" id="7"><petName>Rex</petName>'
    "<tags><tag>good</tag><tag>loud</tag></tags><photoUrls>a.png</photoUrls></p:pet>"
)
PET_JSON = b'{"id":7,"name":"Rex","tags":["good","loud"],"photoUrls":["a.png"]}'


@pytest.mark.parametrize(
    "header, offered, wanted",
    [
        (None, ["application/json", "application/xml"], "application/json"),
        ("application/xml;q=0.5, application/json", ["application/xml", "application/json"],
         "application/json"),
        ("application/*;q=0.2, application/xml", ["application/json", "application/xml"],
         "application/xml"),
        ("application/xml, application/json", ["application/json", "application/xml"],
         "application/json"),  # a tie: the answer's own order decides
        ("text/*, application/json;q=0.9", ["application/json", "text/csv"], "text/csv"),
        ("application/json;q=0", ["application/json"], None),
        ("*/*;q=0.1, application/json;q=0", ["application/json", "text/csv"], "text/csv"),
        ("text/html", ["application/json"], None),
    ],
    ids=["absent", "q-values", "specificity", "tie", "wildcard-subtype", "q0-refuses",
         "q0-beats-wildcard", "none"],
)  # fmt: skip
def test_best_match_honours_q_values_and_specificity(header, offered, wanted):
    """The preferred offered type wins; q=0 refuses a type; ties keep the answer's order."""
    assert best_match(header, offered) == wanted


@pytest.mark.parametrize(
    "media_type, xml",
    [
        ("application/xml", True),
        ("text/xml; charset=utf-8", True),
        ("application/atom+xml", True),
        ("application/json", False),
        ("application/xml-dtd", False),
        (None, False),
    ],
)
def test_xml_media_types(media_type, xml):
    """application/xml, text/xml and +xml suffixes are XML; others are not."""
    assert is_xml(media_type) is xml


ROOT = {
    "components": {
        "schemas": {
            "Tag": {"type": "object", "properties": {"label": {"type": "string"}}},
            "Box": {
                "type": "object",
                "properties": {
                    "open": {"type": "boolean"},
                    "note": {"type": "string", "nullable": True},
                    "tags": {"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
                },
            },
        }
    }
}  # fmt: skip


@pytest.mark.parametrize(
    "schema, value, xml",
    [
        ({"$ref": "#/components/schemas/Box"}, {"open": True, "note": None},
         "<Box><open>true</open><note /></Box>"),
        ({"$ref": "#/components/schemas/Box"}, {"tags": [{"label": "a"}, {"label": "b"}]},
         "<Box><tags><label>a</label></tags><tags><label>b</label></tags></Box>"),
        ({"type": "array", "items": {"$ref": "#/components/schemas/Tag"}},
         [{"label": "x"}], "<root><root><label>x</label></root></root>"),
        ({"type": "array", "xml": {"name": "tags"},
          "items": {"$ref": "#/components/schemas/Tag", "xml": {"name": "tag"}}},
         [{"label": "x"}], "<tags><tag><label>x</label></tag></tags>"),
        ({"type": "object", "xml": {"name": "a", "namespace": "urn:x"},
          "properties": {"b": {"type": "string", "xml": {"prefix": "q", "attribute": True}}}},
         {"b": "1 < 2 & \"3\""}, '<a xmlns="urn:x" q:b="1 &lt; 2 &amp; &quot;3&quot;" />'),
        ({"type": "string"}, "a<b", "<root>a&lt;b</root>"),
        ({"allOf": [{"$ref": "#/components/schemas/Tag"}, {"xml": {"name": "t"}}]},
         {"label": "x", "extra": 1}, "<root><label>x</label><extra>1</extra></root>"),
    ],
    ids=["ref-name-bool-null", "unwrapped-array", "root-array", "wrapped-named-items",
         "namespace-prefix-attribute-escaping", "primitive-root", "allof-properties"],
)  # fmt: skip
def test_to_xml_follows_openapi_xml_objects(schema, value, xml):
    """Names, attributes, wrapping, namespaces and prefixes follow the schema's xml objects."""
    assert to_xml(value, schema, local_resolver(ROOT), None).decode() == HEAD + xml


@pytest.mark.parametrize(
    "schema, value, name",
    [
        ({"type": "object"}, {"2fast": 1}, "'2fast'"),
        ({"type": "object"}, {"a b": 1}, "'a b'"),
        ({"type": "string", "xml": {"name": "x", "prefix": "p:q"}}, "v", "'p:q:x'"),
    ],
    ids=["leading-digit", "space", "double-prefix"],
)
def test_to_xml_refuses_names_xml_cannot_have(schema, value, name):
    """A key that is no XML name is refused, saying which and how to fix it."""
    with pytest.raises(XmlUnavailable) as caught:
        to_xml(value, schema, None, None)
    assert str(caught.value) == (
        f"{name} is not a valid XML element name; give it one with the schema's xml.name."
    )


@pytest.fixture(scope="module")
def mock() -> Engine:
    return Engine("xml", load_spec(SPECS / "xml.yaml"))


@pytest.mark.parametrize(
    "path, accept, status, content_type, body",
    [
        ("/pets/7", None, 200, "application/json", PET_JSON),
        ("/pets/7", "application/xml", 200, "application/xml", (HEAD + PET_XML).encode()),
        ("/pets/7", "application/xml;q=0.5, application/json", 200, "application/json",
         PET_JSON),
        ("/pets/7", "application/*;q=0.3, application/xml", 200, "application/xml",
         (HEAD + PET_XML).encode()),
        ("/pets/7", "application/json;q=0, */*", 200, "application/xml",
         (HEAD + PET_XML).encode()),
        ("/doc", "application/xml", 200, "application/xml", b"<doc><title>Hi</title></doc>"),
    ],
    ids=["default-json", "xml", "q-prefers-json", "specific-xml", "json-refused", "xml-text"],
)  # fmt: skip
def test_accept_chooses_the_body_and_xml_is_xml(
    mock, path, accept, status, content_type, body
):
    """The preferred declared type answers; XML media types get an XML document."""
    headers = {"accept": accept} if accept else {}
    response = mock.handle(MockRequest("GET", path, headers=headers))
    assert (response.status, response.header("content-type")) == (status, content_type)
    assert response.body == body


def test_generated_xml_only_answer_is_xml(mock):
    """An operation declaring only XML answers generated data as XML, never JSON."""
    response = mock.handle(MockRequest("GET", "/pets"))
    assert response.header("content-type") == "application/xml"
    assert response.body.startswith(HEAD.encode() + b'<pets><p:pet xmlns:p="https://')


@pytest.mark.parametrize(
    "path, accept, detail",
    [
        ("/pets", "application/json",
         "listPets answers 200 as application/xml; the request accepts only application/json."),
        ("/odd", "text/xml",
         "odd answers 200 as application/json, text/xml; no text/xml body can be produced "
         "(odd 200 cannot be written as text/xml: '2fast' is not a valid XML element name; "
         "give it one with the schema's xml.name.)."),
    ],
    ids=["not-offered", "not-writable"],
)  # fmt: skip
def test_406_says_why(mock, path, accept, detail):
    """No acceptable type, or none that can be written: 406 naming the offer and the reason."""
    response = mock.handle(MockRequest("GET", path, headers={"accept": accept}))
    assert response.status == 406
    assert json.loads(response.body)["detail"] == detail


def test_malformed_xml_example_is_a_load_error(tmp_path):
    """An XML example that is not well-formed is refused at load, with file and line."""
    spec = (
        (SPECS / "xml.yaml")
        .read_text()
        .replace('"<doc><title>Hi</title></doc>"', '"<doc><title>Hi</doc>"')
    )
    path = tmp_path / "bad.yaml"
    path.write_text(spec)
    with pytest.raises(AnswersInvalid) as caught:
        Engine("bad", load_spec(path))
    assert (
        "the example for doc 200 does not match the spec: /: the XML body is not "
        in (str(caught.value))
    )
    assert "bad.yaml:" in str(caught.value)
