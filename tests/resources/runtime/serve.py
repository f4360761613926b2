"""Serve the test service for subprocess tests: ``python serve.py wsgi|threaded PORT``.

``wsgi`` exposes ``app`` for granian (``granian --interface wsgi serve:app``); ``threaded``
runs Werkzeug's threaded server, used where the test must own the process's signal handling.
"""

from __future__ import annotations

import sys

from werkzeug.serving import make_server

from runtime_notes.app import create_app

app = create_app() if __name__ != "__main__" else None

if __name__ == "__main__":
    server = make_server("127.0.0.1", int(sys.argv[1]), create_app(), threaded=True)
    print("serving", flush=True)
    server.serve_forever()
