"""The recording proxy: forward each request to the real neighbour, answer, and record.

A small threaded stdlib server: recording is a developer's occasional task, so simplicity
beats speed here. The caller gets the neighbour's answer unchanged; only what is stored is
redacted.
"""

from __future__ import annotations

from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import requests

from mockserver.record.recorder import Outcome, Recorder

__all__ = ["make_proxy"]

_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "transfer-encoding", "te", "trailer", "upgrade", "host",
     "content-length", "content-encoding"}
)  # fmt: skip


def make_proxy(
    recorder: Recorder,
    target: str,
    bind: str,
    port: int,
    report: Callable[[Outcome], None],
    timeout: float = 30.0,
) -> ThreadingHTTPServer:
    """Return a server (not started) forwarding to ``target`` and recording answers."""

    class Handler(BaseHTTPRequestHandler):
        def _forward(self) -> None:
            url = urlsplit(self.path)
            length = int(self.headers.get("content-length") or 0)
            body = self.rfile.read(length) if length else None
            sent = {
                k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP
            }
            try:
                answer = requests.request(
                    self.command,
                    target + self.path,
                    headers=sent,
                    data=body,
                    timeout=timeout,
                    allow_redirects=False,
                )
            except requests.RequestException as exc:
                self.send_error(
                    502, f"satchel-mock record: {target} unreachable: {exc}"
                )
                return
            content = answer.content
            report(
                recorder.record(
                    self.command,
                    url.path,
                    url.query,
                    answer.status_code,
                    answer.headers.get("content-type", ""),
                    content,
                    dict(answer.headers),
                )
            )
            self.send_response(answer.status_code)
            for name, value in answer.headers.items():
                if name.lower() not in _HOP_BY_HOP:
                    self.send_header(name, value)
            self.send_header("content-length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _forward

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Stay quiet: the recorder reports each exchange itself."""

    server = ThreadingHTTPServer((bind, port), Handler)
    server.daemon_threads = True
    return server
