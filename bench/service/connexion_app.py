"""Server (3): the same spec and handler on Connexion 3's default FlaskApp (run by uvicorn)."""

from __future__ import annotations

from pathlib import Path

import connexion
from connexion.resolver import RelativeResolver

SPEC = Path(__file__).parent / "bench_items" / "openapi.yaml"

app = connexion.FlaskApp(__name__)
app.add_api(
    SPEC, resolver=RelativeResolver("bench_items.api.items"), pythonic_params=True
)
