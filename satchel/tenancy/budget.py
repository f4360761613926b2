"""A hard cap on the database connections one process holds open, across every tenant."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from satchel.tenancy.errors import ConnectionBudgetExhausted


class ConnectionBudget:
    """Count open connections; make a new one wait (bounded) for room, never exceed ``limit``.

    Open connections, not checked-out ones, are counted: an idle pooled connection still
    holds a server backend. When the budget is full, ``on_pressure`` is called once (the
    engine cache closes idle pools there) before waiting up to ``timeout`` seconds.
    """

    def __init__(self, limit: int, timeout: float) -> None:
        if limit < 1:
            raise ValueError(f"connection budget must be at least 1, got {limit}")
        self.limit = limit
        self.timeout = timeout
        self.peak = 0
        self.opened = 0  # connections ever opened: churn shows as this growing fast
        # Threads blocked in acquire(): a reason to close idle connections.
        self.waiting = 0
        self._open = 0
        self._changed = threading.Condition()
        self._on_open: Callable[[], None] | None = None
        self._on_close: Callable[[], None] | None = None

    def watch(
        self, *, on_open: Callable[[], None], on_close: Callable[[], None]
    ) -> None:
        """Call ``on_open`` / ``on_close`` as each connection opens or closes (metrics)."""
        self._on_open, self._on_close = on_open, on_close

    @property
    def open(self) -> int:
        """Return how many connections are open now."""
        return self._open

    def acquire(self, on_pressure: Callable[[], None] | None = None) -> None:
        """Take one slot, waiting up to ``timeout``; raise ConnectionBudgetExhausted."""
        if self._try_take():
            return
        if on_pressure is not None:
            on_pressure()  # called without the lock held: it closes connections itself
        deadline = time.monotonic() + self.timeout
        with self._changed:
            self.waiting += 1
            try:
                self._wait_for_room(deadline)
            finally:
                self.waiting -= 1
            self._take()

    def _wait_for_room(self, deadline: float) -> None:
        while self._open >= self.limit:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise ConnectionBudgetExhausted(
                    f"all {self.limit} connections of this process's budget stayed in use"
                    f" for {self.timeout}s; raise connection_budget or lower per-request"
                    " connection use",
                    detail="The service is at its database connection limit; retry shortly.",
                )
            self._changed.wait(remaining)

    def release(self) -> None:
        """Give one slot back."""
        with self._changed:
            freed = self._open > 0
            self._open -= freed
            self._changed.notify()
        if freed and self._on_close is not None:
            self._on_close()

    def _try_take(self) -> bool:
        with self._changed:
            if self._open < self.limit:
                self._take()
                return True
            return False

    def _take(self) -> None:
        self._open += 1
        self.opened += 1
        if self._on_open is not None:
            self._on_open()
        self.peak = max(self.peak, self._open)
