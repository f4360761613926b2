"""``FlaskApp``: the one line a Connexion service changes to run on satchel's router.

``connexion.FlaskApp(__name__, specification_dir="spec")`` becomes
``satchel.api.connexion_compat.FlaskApp(...)`` with the same ``add_api`` keywords. It is a
plain WSGI app (run it with granian or any WSGI server); ``.app`` is the Flask app, and
attributes not defined here (``route``, ``config``, ``test_client``...) are the Flask app's.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import Flask

from satchel import errors
from satchel.api.connexion_compat.api import add_api
from satchel.openapi import Spec

__all__ = ["FlaskApp"]


class FlaskApp:
    """A Flask app with satchel's problem+json errors and ``add_api`` for Connexion specs."""

    def __init__(
        self,
        import_name: str,
        *,
        specification_dir: str | Path = "",
        server_args: dict[str, Any] | None = None,
        **options: Any,
    ) -> None:
        self.app = Flask(import_name, **(server_args or {}))
        errors.init_app(self.app)
        self.specification_dir = Path(self.app.root_path) / specification_dir
        self.defaults = options

    def add_api(self, specification: str | Path, **options: Any) -> Spec:
        """Serve ``specification`` (relative to ``specification_dir``); see ``add_api``."""
        path = Path(specification)
        if not path.is_absolute():
            path = self.specification_dir / path
        return add_api(self.app, path, **{**self.defaults, **options})

    @property
    def wsgi_app(self) -> Any:
        """The Flask app's WSGI callable; set it to wrap middleware (``ProxyFix``...)."""
        return self.app.wsgi_app

    @wsgi_app.setter
    def wsgi_app(self, value: Any) -> None:
        self.app.wsgi_app = value

    def __call__(self, environ: dict, start_response: Any) -> Any:
        return self.app(environ, start_response)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.app, name)
