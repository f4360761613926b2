"""Handlers for the ``items`` tag (shared by the satchel and Connexion servers)."""

from __future__ import annotations

from bench_items.db import fetch_item
from satchel.problems import problem


def get_item(item_id: int) -> dict:
    """Return one item, or a 404 problem."""
    item = fetch_item(item_id)
    if item is None:
        raise problem(404, f"There is no item {item_id}.", type="item-not-found")
    return item
