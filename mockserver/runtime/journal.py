"""The journal: every request a mock received, queryable by operationId, and what it covers.

Shared by both transports through :func:`mockserver.runtime.dispatch.dispatch`, so a test asserts
"the service called ``get_student`` once with this query" the same way against the running
server (``GET /__satchel/journal?operation=get_student``) and the pytest fixture
(``mock_neighbours.calls("get_student")``). Bounded, like WireMock's ``max_entries``, so a
long-running ``satchel-mock up`` does not grow without limit.
"""

from __future__ import annotations

import threading
import time
from collections import deque
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

__all__ = ["DEFAULT_MAX_ENTRIES", "Entry", "Journal", "coverage"]

DEFAULT_MAX_ENTRIES = 1000
#: Never kept in the journal: it is shown on the dashboard and returned by the admin API.
_SECRET_HEADERS = frozenset({"authorization", "cookie", "proxy-authorization"})


class Entry(NamedTuple):
    """One request as the mock received it, with the answer's status.

    A named tuple rather than a dataclass: one is built per request on the server's hot path.
    Secret headers are masked when read, not when recorded, for the same reason.
    """

    neighbour: str
    operation_id: str | None
    method: str
    path: str
    query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes
    status: int
    source: str
    at: float

    def header(self, name: str) -> str | None:
        """Return the first value of header ``name`` (case-insensitive; secrets masked)."""
        name = name.lower()
        value = next((v for k, v in self.headers if k == name), None)
        return "***" if value is not None and name in _SECRET_HEADERS else value

    def to_json(self) -> dict[str, Any]:
        """Return the entry as JSON-ready data (secrets masked, body decoded as UTF-8)."""
        data = self._asdict()
        data["headers"] = {
            k: "***" if k in _SECRET_HEADERS else v for k, v in self.headers
        }
        data["body"] = self.body.decode("utf-8", errors="replace")
        return data


class Journal:
    """A bounded, thread-safe list of :class:`Entry`, oldest first."""

    def __init__(self, max_entries: int = DEFAULT_MAX_ENTRIES) -> None:
        self._entries: deque[Entry] = deque(maxlen=max_entries)
        self._lock = threading.Lock()

    def record(
        self,
        neighbour: str,
        operation_id: str | None,
        method: str,
        path: str,
        query: str,
        headers: Mapping[str, str],
        body: bytes,
        status: int,
        source: str,
    ) -> Entry:
        """Append one request and return its entry."""
        entry = Entry(
            neighbour,
            operation_id,
            method,
            path,
            query,
            tuple(headers.items()),
            body,
            status,
            source,
            time.time(),
        )
        # deque.append is atomic under the GIL; the lock is for readers copying it whole.
        self._entries.append(entry)
        return entry

    def entries(
        self, operation: str | None = None, neighbour: str | None = None
    ) -> list[Entry]:
        """Return the entries, optionally only those of one operationId and/or neighbour."""
        with self._lock:
            found = list(self._entries)
        return [
            e
            for e in found
            if (operation is None or e.operation_id == operation)
            and (neighbour is None or e.neighbour == neighbour)
        ]

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()


def coverage(
    operations: Mapping[str, Iterable[str]], entries: Iterable[Entry]
) -> dict[str, dict[str, int]]:
    """Return neighbour -> operationId -> calls, listing uncalled operations with 0."""
    counts: dict[str, dict[str, int]] = {
        name: {op: 0 for op in ops} for name, ops in operations.items()
    }
    for entry in entries:
        per = counts.get(entry.neighbour)
        if per is not None and entry.operation_id in per:
            per[entry.operation_id] += 1
    return counts
