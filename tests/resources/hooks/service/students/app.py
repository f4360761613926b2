"""Build the students service: config, logging, tenancy, flags, API."""

import satchel.api
import satchel.flags
import satchel.tenancy
from flask import Flask

from students.flags import FLAGS


def create_app(overrides: dict | None = None) -> Flask:
    """Return the configured Flask application."""
    app = Flask(__name__)
    app.config.update(overrides or {})
    satchel.tenancy.init_app(app)
    satchel.flags.init_app(app, FLAGS)
    satchel.api.init_app(app, spec_path="spec/openapi.yaml", handlers="students.api")
    return app
