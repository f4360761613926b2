"""The recording proxy: forward each request to the one target, answer, and record.

A small threaded stdlib server: recording is a developer's occasional task, so simplicity
beats speed here. Requests go out as the client sent them, with ``http.client`` so nothing is
added or dropped on the way: every method, the ``Host`` header (a multi-tenant neighbour reads
the tenant from it), chunked bodies (forwarded whole, with their length). Only hop-by-hop
headers stay behind. The caller gets the neighbour's answer unchanged, its ``Server`` and
``Date`` included (and nothing of ours); only what is stored is redacted. A request the
recorder will not forward (:mod:`mockserver.record.target`) gets a problem answer and a line
in the report.
"""

from __future__ import annotations

import http.client
import json
import zlib
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

from mockserver.record.recorder import Exchange, Outcome, Recorder
from mockserver.record.target import Refused, Target

__all__ = ["make_proxy"]

#: Connection-level headers (RFC 9110 7.6.1) and the framing we redo ourselves.
_HOP_BY_HOP = frozenset(
    {"connection", "keep-alive", "proxy-connection", "proxy-authenticate",
     "proxy-authorization", "te", "trailer", "transfer-encoding", "upgrade", "expect",
     "content-length"}
)  # fmt: skip
_MAX_BODY = 16 * 1024 * 1024
_NO_BODY = (204, 304)


def make_proxy(
    recorder: Recorder,
    target: Target,
    bind: str,
    port: int,
    report: Callable[[Outcome], None],
    timeout: float = 30.0,
) -> ThreadingHTTPServer:
    """Return a server (not started) forwarding to ``target`` and recording answers."""

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive: every answer carries its length

        def handle_one_request(self) -> None:
            """Read one request and forward it whatever its method (or refuse it)."""
            self.raw_requestline = self.rfile.readline(65537)
            if len(self.raw_requestline) > 65536:
                self.send_error(414)
                return
            if not self.raw_requestline:
                self.close_connection = True
                return
            if not self.parse_request():
                return
            try:
                self._forward()
            except Refused as refused:
                self._refuse(refused)
            self.wfile.flush()

        def _forward(self) -> None:
            path = target.path_for(self.command, self.path)
            body = self._body()
            headers = _outgoing(
                self.headers.items(), connection=self.headers.get("connection")
            )
            if not any(name.lower() == "host" for name, _ in headers):
                headers.insert(0, ("Host", _netloc(target)))
            try:
                status, reason, answer, content = _send(
                    target, self.command, path, headers, body, timeout
                )
            except (OSError, http.client.HTTPException) as exc:
                raise Refused(502, f"{target.url} is unreachable: {exc}") from None
            local = urlsplit(path[len(target.base_path) :])
            report(
                recorder.record(
                    Exchange(
                        self.command,
                        local.path,
                        local.query,
                        {k.lower(): v for k, v in self.headers.items()},
                        body,
                        status,
                        tuple(answer),
                        _decoded(answer, content),
                    )
                )
            )
            self.send_response_only(status, reason)
            for name, value in answer:
                if name.lower() not in _HOP_BY_HOP:
                    self.send_header(name, value)
            length = (
                _header(answer, "content-length") if self.command == "HEAD" else None
            )
            if status not in _NO_BODY and not 100 <= status < 200:
                self.send_header("Content-Length", length or str(len(content)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(content)

        def _body(self) -> bytes:
            """Read the request body: by Content-Length, or chunked (refuse both at once)."""
            chunked = "chunked" in (self.headers.get("transfer-encoding") or "").lower()
            length = self.headers.get("content-length")
            if chunked and length is not None:
                raise Refused(
                    400, "a request with both Content-Length and chunked encoding"
                )
            if chunked:
                return _read_chunked(self.rfile)
            if length is None:
                return b""
            if not length.isdigit() or int(length) > _MAX_BODY:
                raise Refused(
                    400, f"Content-Length {length!r} is not a size up to 16 MB"
                )
            return self.rfile.read(int(length))

        def _refuse(self, refused: Refused) -> None:
            """Answer a problem saying what was refused and why, and report it."""
            detail = (
                f"satchel-mock record forwards only to {target.url}: {refused.reason}."
            )
            kind = "failed" if refused.status == 502 else "blocked"
            said = f"{self.command} {self.path}: {refused.reason}"
            report(Outcome(kind, None, refused.status, said))
            body = json.dumps(
                {"type": "record-refused", "title": "Not forwarded",
                 "status": refused.status, "detail": detail}
            ).encode()  # fmt: skip
            self.send_response_only(refused.status)
            self.send_header("Content-Type", "application/problem+json")
            self.send_header("Content-Length", str(len(body)))
            if refused.status == 405:
                self.send_header(
                    "Allow", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS"
                )
            # Its body may be unread: the connection cannot carry another request.
            self.send_header("Connection", "close")
            self.close_connection = True
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(body)

        def log_message(self, format: str, *args: object) -> None:  # noqa: A002
            """Stay quiet: the recorder reports each exchange itself."""

    server = ThreadingHTTPServer((bind, port), Handler)
    server.daemon_threads = True
    return server


def _outgoing(
    items: list[tuple[str, str]], connection: str | None
) -> list[tuple[str, str]]:
    """Return the headers to forward: all but hop-by-hop ones (and those Connection names)."""
    named = {
        part.strip().lower() for part in (connection or "").split(",") if part.strip()
    }
    return [
        (name, value)
        for name, value in items
        if name.lower() not in _HOP_BY_HOP and name.lower() not in named
    ]


def _send(
    target: Target,
    method: str,
    path: str,
    headers: list[tuple[str, str]],
    body: bytes,
    timeout: float,
) -> tuple[int, str, list[tuple[str, str]], bytes]:
    """Send one request to the target on a fresh connection; return the whole answer."""
    kind = (
        http.client.HTTPSConnection
        if target.scheme == "https"
        else http.client.HTTPConnection
    )
    connection = kind(target.host, target.port, timeout=timeout)
    try:
        connection.putrequest(method, path, skip_host=True, skip_accept_encoding=True)
        for name, value in headers:
            connection.putheader(name, value)
        if body or method in ("POST", "PUT", "PATCH"):
            connection.putheader("Content-Length", str(len(body)))
        connection.endheaders(body or None)
        answer = connection.getresponse()
        content = answer.read()
        return answer.status, answer.reason, answer.getheaders(), content
    finally:
        connection.close()


def _read_chunked(stream) -> bytes:
    """Read a chunked request body (RFC 9112 7.1), trailers discarded."""
    parts, total = [], 0
    while True:
        line = stream.readline(1024).split(b";")[0].strip()
        try:
            size = int(line, 16)
        except ValueError:
            raise Refused(400, "a malformed chunked body") from None
        if size == 0:
            break
        total += size
        if total > _MAX_BODY:
            raise Refused(400, "a chunked body over 16 MB")
        parts.append(stream.read(size))
        stream.readline(8)
    while stream.readline(8192).strip():
        pass  # trailer fields
    return b"".join(parts)


def _decoded(headers: list[tuple[str, str]], content: bytes) -> bytes:
    """Return the body with gzip/deflate undone (for recording; the caller gets it as sent)."""
    encoding = (_header(headers, "content-encoding") or "").lower().strip()
    try:
        if encoding in ("gzip", "x-gzip"):
            return zlib.decompress(content, 16 + zlib.MAX_WBITS)
        if encoding == "deflate":
            return zlib.decompress(content)
    except zlib.error:
        return content
    return content


def _header(headers: list[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k.lower() == name), None)


def _netloc(target: Target) -> str:
    default = {"http": 80, "https": 443}[target.scheme] == target.port
    return target.host if default else f"{target.host}:{target.port}"
