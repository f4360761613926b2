"""Serve the spec (``/openapi.json``) and a small self-contained operation index (``/docs``)."""

from __future__ import annotations

import html
import json
from typing import Any

from flask import Flask, Response

from satchel.api.markers import mark_public

__all__ = ["init_docs"]

_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body{{font:15px/1.5 system-ui,sans-serif;margin:2rem auto;max-width:60rem;padding:0 1rem}}
table{{border-collapse:collapse;width:100%}}td,th{{border-bottom:1px solid #ddd;padding:.4rem;
text-align:left}}code{{font-size:.9em}}.m{{font-weight:600;font-family:monospace}}
</style></head><body>
<h1>{title}</h1>
<p>The machine-readable spec is at <a href="openapi.json">openapi.json</a>.</p>
<table><thead><tr><th>Method</th><th>Path</th><th>operationId</th><th>Summary</th><th>Auth</th>
</tr></thead><tbody>
{rows}
</tbody></table></body></html>
"""


def _row(operation: Any, base_path: str, secured: bool) -> str:
    """Render one operation as an escaped table row."""
    cells = (
        f'<td class="m">{html.escape(operation.method)}</td>',
        f"<td><code>{html.escape(base_path + operation.path)}</code></td>",
        f"<td><code>{html.escape(operation.operation_id or '')}</code></td>",
        f"<td>{html.escape(operation.summary or '')}</td>",
        f"<td>{'bearer' if secured else 'none'}</td>",
    )
    return "<tr>" + "".join(cells) + "</tr>"


def init_docs(app: Flask, spec: Any, secured: dict[str, bool]) -> None:
    """Register ``GET /openapi.json`` and ``GET /docs``; both rendered once, at start-up."""
    document = json.dumps(spec.document, default=str).encode()
    rows = "\n".join(
        _row(op, spec.base_path, secured.get(op.operation_id or "", False))
        for op in spec.operations
    )
    page = _PAGE.format(title=html.escape(spec.title or "API"), rows=rows).encode()

    def openapi_json() -> Response:
        return Response(document, mimetype="application/json")

    def docs() -> Response:
        return Response(page, mimetype="text/html")

    for endpoint, path, view in (
        ("satchel_openapi_json", "/openapi.json", openapi_json),
        ("satchel_docs", "/docs", docs),
    ):
        app.add_url_rule(path, endpoint, view, methods=["GET"])
        mark_public(app, endpoint, view)
