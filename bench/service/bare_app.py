"""Server (1): the same query in a hand-written bare Flask app (the baseline)."""

from __future__ import annotations

from flask import Flask, abort

from bench_items.db import fetch_item

app = Flask(__name__)


@app.get("/v1/items/<int:item_id>")
def get_item(item_id: int) -> dict:
    """Return one item or 404."""
    item = fetch_item(item_id)
    if item is None:
        abort(404)
    return item
