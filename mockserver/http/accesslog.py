"""JSON log lines in the services' format: one per request, plus lifecycle events.

Request lines are formatted by hand rather than through structlog or ``json.dumps``: this is
the mock's hot path and the line has a fixed shape (the keys ``satchel.logs`` writes for a
service). Strings go through the json module's C escaper, so the output is valid JSON.
"""

from __future__ import annotations

import itertools
import json
import os
import sys
import time
from datetime import datetime, timezone
from json.encoder import encode_basestring
from typing import Any, TextIO

from satchel.request_id import PATTERN

__all__ = ["JsonLog", "utc_timestamp"]


def utc_timestamp() -> str:
    """Return the current time as ISO-8601 UTC with microseconds and a ``Z``."""
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


class JsonLog:
    """Write JSON lines to a stream; request lines can be switched off (``--quiet``)."""

    def __init__(self, stream: TextIO | None = None, *, requests: bool = True) -> None:
        self.stream = stream if stream is not None else sys.stdout
        self.requests = requests
        self._dirty = False
        self._second = -1
        self._second_text = ""
        # Request ids minted here are unique per process and cheap: a random prefix + counter.
        self._id_prefix = os.urandom(6).hex()
        self._counter = itertools.count(1)

    def request_id(self, incoming: str | None) -> str:
        """Return the caller's well-formed ``X-Request-ID``, or a new unique id."""
        if incoming and PATTERN.fullmatch(incoming):
            return incoming
        return f"{self._id_prefix}-{next(self._counter):08x}"

    def timestamp(self) -> str:
        """Return the current UTC time like :func:`utc_timestamp`, cached per second."""
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._second_text = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self._second_text}.{int((now - second) * 1e6):06d}Z"

    def request(
        self,
        neighbour: str,
        method: str,
        path: str,
        route: str | None,
        operation_id: str | None,
        status: int,
        duration_ms: float,
        request_id: str,
    ) -> None:
        """Write the access line for one request."""
        operation = "null" if operation_id is None else encode_basestring(operation_id)
        self.stream.write(
            f'{{"timestamp": "{self.timestamp()}", "level": "info", "event": "request", '
            f'"service": {encode_basestring("mock:" + neighbour)}, '
            f'"method": {encode_basestring(method)}, "path": {encode_basestring(path)}, '
            f'"route": {encode_basestring(route or "<unmatched>")}, '
            f'"operation_id": {operation}, "status": {status}, '
            f'"duration_ms": {duration_ms:.3f}, "request_id": {encode_basestring(request_id)}}}\n'
        )
        self._dirty = True

    def event(self, event: str, level: str = "info", **fields: Any) -> None:
        """Write a lifecycle line (listening, reloaded, reload failed, ...) and flush it."""
        line = {"timestamp": self.timestamp(), "level": level, "event": event}
        line.update(fields)
        self.stream.write(json.dumps(line, default=str) + "\n")
        self._dirty = True
        self.flush()

    def flush(self) -> None:
        """Flush buffered lines (called periodically so piped output stays current)."""
        if self._dirty:
            self._dirty = False
            self.stream.flush()
