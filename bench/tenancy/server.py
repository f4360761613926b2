"""The app the tenancy benchmark loads: init_app plus one endpoint doing one query.

Run as a separate process so its connections and RSS are its own:
``python bench/tenancy/server.py REGISTRY_URL PORT_FILE BUDGET [direct|pgbouncer]``.
"""

from __future__ import annotations

import logging
import resource
import sys
from pathlib import Path

import sqlalchemy as sa
from flask import Flask
from werkzeug.serving import make_server

from satchel import tenancy
from satchel.problems import Problem

MIGRATIONS = str(
    Path(__file__).parents[2] / "tests" / "resources" / "tenancy" / "migrations"
)


def create_app(registry_url: str, budget: int, pooler: str = "direct") -> Flask:
    """Return the benchmark app: tenants at <id>.bench.test, one query per request."""
    app = Flask("tenancy_bench")
    app.register_error_handler(Problem, lambda p: (p.to_dict(), p.status))
    tenancy.init_app(
        app,
        registry=registry_url,
        base_domain="bench.test",
        script_location=MIGRATIONS,
        cache_ttl=600,
        engine_options=tenancy.EngineOptions.for_pooler(
            pooler, connection_budget=budget
        ),
    )

    @app.get("/notes")
    def list_notes():
        rows = (
            tenancy.session().execute(sa.text("SELECT body FROM notes")).scalars().all()
        )
        return {"notes": rows}

    def stats():
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return {
            **app.extensions["satchel.tenancy"].engines.stats(),
            "max_rss_kb": usage.ru_maxrss,
        }

    stats.satchel_public = True
    app.add_url_rule("/_stats", view_func=stats)
    return app


def main(argv: list[str]) -> None:
    """Serve the app on a free port and write the port to PORT_FILE."""
    registry_url, port_file = argv[0], argv[1]
    budget, pooler = int(argv[2]), argv[3] if len(argv) > 3 else "direct"
    logging.getLogger("werkzeug").setLevel(logging.ERROR)  # no access line per request
    server = make_server(
        "127.0.0.1", 0, create_app(registry_url, budget, pooler), threaded=True
    )
    Path(port_file).write_text(str(server.server_port))
    server.serve_forever()


if __name__ == "__main__":
    main(sys.argv[1:])
