"""Parse multipart/form-data bodies with the standard library's MIME parser."""

from __future__ import annotations

from email.parser import BytesParser
from email.policy import HTTP

MULTIPART = "multipart/form-data"


class MultipartUnreadable(ValueError):
    """The body is not a multipart/form-data message with the declared boundary."""


def parse_multipart(content_type: str, body: bytes) -> dict[str, list[str | bytes]]:
    """Return the fields of a multipart body: text as str, uploaded files as bytes."""
    head = f"Content-Type: {content_type}\r\n\r\n".encode("latin-1")
    message = BytesParser(policy=HTTP).parsebytes(head + body)
    if not message.is_multipart() or message.defects:
        raise MultipartUnreadable(
            "body is not valid multipart/form-data (check the boundary in Content-Type)"
        )
    fields: dict[str, list[str | bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True) or b""
        if part.get_filename() is None:
            charset = part.get_content_charset() or "utf-8"
            fields.setdefault(name, []).append(payload.decode(charset, "replace"))
        else:
            fields.setdefault(name, []).append(payload)
    return fields
