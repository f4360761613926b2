"""Serve a Connexion API's spec and operation index where its users bookmarked them.

``<base path>/openapi.json`` (``swagger.json`` for Swagger 2.0) and ``<base path>/ui/``, as
Connexion does; the page is satchel's self-contained operation index, not Swagger UI's bundle
(no third-party script is served).
"""

from __future__ import annotations

import html
import json

from flask import Flask, Response

from satchel.api.docs import _PAGE, _row
from satchel.api.markers import mark_public
from satchel.openapi import Spec

__all__ = ["init_compat_docs"]


def init_compat_docs(app: Flask, spec: Spec, prefix: str, label: str) -> None:
    """Register the spec document and the index page under ``prefix``."""
    document = json.dumps(spec.document, default=str).encode()
    rows = "\n".join(_row(op, prefix, bool(op.security)) for op in spec.operations)
    page = _PAGE.format(title=html.escape(spec.title or "API"), rows=rows)
    # Relative, so the link holds behind a proxy that mounts the service under a prefix.
    page = page.replace('href="openapi.json"', f'href="../{_name(spec)}"')

    def spec_document() -> Response:
        return Response(document, mimetype="application/json")

    def index() -> Response:
        return Response(page.encode(), mimetype="text/html")

    for suffix, path, view in (
        ("spec", f"{prefix}/{_name(spec)}", spec_document),
        ("ui", f"{prefix}/ui/", index),
    ):
        endpoint = f"{label}.satchel_{suffix}"
        app.add_url_rule(path, endpoint, view, methods=["GET"])
        mark_public(app, endpoint, view)


def _name(spec: Spec) -> str:
    return "swagger.json" if spec.version == "2.0" else "openapi.json"
