"""The WSGI entry point the production server loads (``granian --interface wsgi``)."""

from .app import create_app

app = create_app()
