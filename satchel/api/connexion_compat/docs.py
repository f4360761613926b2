"""Serve a Connexion API's spec and operation index where its users bookmarked them.

``<base path>/openapi.json`` (``swagger.json`` for Swagger 2.0) and ``<base path>/ui/``, as
Connexion does; behind a proxy's prefix the served spec names the prefixed base path. The
page is satchel's self-contained operation index, not Swagger UI's bundle (no third-party
script is served).
"""

from __future__ import annotations

import html
import json

from flask import Flask, Response, request

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
        root = request.script_root
        if not root:
            return Response(document, mimetype="application/json")
        # Mounted under a prefix (a proxy's X-Forwarded-Prefix): the spec says where the API
        # is now, as Connexion's does, so clients built from it call the right URLs.
        moved = _based_at(spec, root + prefix)
        return Response(json.dumps(moved, default=str), mimetype="application/json")

    def index() -> Response:
        return Response(page.encode(), mimetype="text/html")

    for suffix, path, view in (
        ("spec", f"{prefix}/{_name(spec)}", spec_document),
        ("ui", f"{prefix}/ui/", index),
    ):
        endpoint = f"{label}.satchel_{suffix}"
        app.add_url_rule(path, endpoint, view, methods=["GET"])
        mark_public(app, endpoint, view)


def _based_at(spec: Spec, base: str) -> dict:
    """Return the document with its base path (servers, or Swagger 2's basePath) at ``base``."""
    if spec.version == "2.0":
        return {**spec.document, "basePath": base}
    return {**spec.document, "servers": [{"url": base}]}


def _name(spec: Spec) -> str:
    return "swagger.json" if spec.version == "2.0" else "openapi.json"
