"""Latency and failure profiles per neighbour or operation, switchable at run time.

A fault is data; each transport carries it out its own way: the HTTP server sleeps, answers
the error status, closes the connection (reset) or holds it open (timeout); the in-process
transport sleeps and raises the exception ``requests`` would raise. A fault on an operation
wins over one on its whole neighbour.
"""

from __future__ import annotations

import difflib
import random
import threading
from dataclasses import dataclass, field
from typing import Any

from satchel.problems import Problem

from mockserver.core.errors import MockError

__all__ = ["Fault", "FaultError", "FaultTable", "check_operation", "parse_fault"]

_KEYS = ("neighbour", "operation", "status", "delay", "seed", "reset", "timeout")


class FaultError(MockError):
    """A fault definition is malformed or names something the mocks do not serve."""


@dataclass(frozen=True)
class Fault:
    """What to do to matching requests: delay them, fail them, reset or hang the connection.

    ``delay`` is seconds, or ``(low, high)`` for a uniform delay drawn from ``seed``.
    """

    neighbour: str
    operation: str | None = None
    status: int | None = None
    delay: float | tuple[float, float] = 0.0
    seed: int = 0
    reset: bool = False
    timeout: bool = False
    _random: random.Random = field(
        default_factory=random.Random, compare=False, repr=False
    )

    def __post_init__(self) -> None:
        self._random.seed(self.seed)

    def next_delay(self) -> float:
        """Return the delay for the next request (seeded, so a run can be repeated)."""
        if isinstance(self.delay, tuple):
            return self._random.uniform(*self.delay)
        return self.delay

    def problem(self) -> Problem:
        """Return the problem answered for an injected error status."""
        where = self.operation or f"every operation of {self.neighbour}"
        return Problem(
            status=self.status or 500,
            type="mock-fault",
            detail=f"fault injected by satchel-mock on {where}: status {self.status}.",
        )

    def to_json(self) -> dict[str, Any]:
        """Return the fault as JSON-ready data (as ``PUT /__satchel/faults`` takes it)."""
        delay = list(self.delay) if isinstance(self.delay, tuple) else self.delay
        return {
            "neighbour": self.neighbour,
            "operation": self.operation,
            "status": self.status,
            "delay": delay,
            "seed": self.seed,
            "reset": self.reset,
            "timeout": self.timeout,
        }


def parse_fault(data: object) -> Fault:
    """Build a :class:`Fault` from JSON data; raise :class:`FaultError` saying what is wrong."""
    example = '{"neighbour": "students", "operation": "get_student", "status": 503}'
    if not isinstance(data, dict) or not isinstance(data.get("neighbour"), str):
        raise FaultError(
            f"a fault is a JSON object naming its neighbour, e.g. {example}."
        )
    unknown = sorted(set(data) - set(_KEYS))
    if unknown:
        raise FaultError(
            f"unknown fault key(s): {', '.join(unknown)}; known: {', '.join(_KEYS)}."
        )
    status = data.get("status")
    if status is not None and (
        isinstance(status, bool)
        or not isinstance(status, int)
        or not 100 <= status <= 599
    ):
        raise FaultError(
            f"status must be an HTTP status from 100 to 599, not {status!r}."
        )
    delay = _delay(data.get("delay", 0.0))
    seed = data.get("seed", 0)
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise FaultError(f"seed must be an integer, not {seed!r}.")
    flags = {key: data.get(key, False) for key in ("reset", "timeout")}
    for key, value in flags.items():
        if not isinstance(value, bool):
            raise FaultError(f"{key} must be true or false, not {value!r}.")
    chosen = [status is not None, flags["reset"], flags["timeout"]]
    if sum(chosen) > 1:
        raise FaultError(
            "choose one of status, reset and timeout per fault (delay combines)."
        )
    if not any(chosen) and delay == 0.0:
        raise FaultError(
            f"a fault needs status, delay, reset or timeout, e.g. {example}."
        )
    operation = data.get("operation")
    if operation is not None and not isinstance(operation, str):
        raise FaultError(f"operation must be an operationId, not {operation!r}.")
    return Fault(
        data["neighbour"],
        operation,
        status,
        delay,
        seed,
        flags["reset"],
        flags["timeout"],
    )


def check_operation(fault: Fault, operations: dict[str, list[str]]) -> None:
    """Raise :class:`FaultError` when ``fault`` names an operation its neighbour lacks.

    A fault on a misspelt operation would be accepted and never fire, so the test that relies
    on it would pass for the wrong reason.
    """
    known = operations.get(fault.neighbour, [])
    if fault.operation is None or fault.operation in known:
        return
    close = difflib.get_close_matches(fault.operation, known, n=1)
    hint = f" Did you mean '{close[0]}'?" if close else ""
    raise FaultError(
        f"{fault.neighbour} has no operation '{fault.operation}'; its operations: "
        f"{', '.join(known) or 'none'}.{hint}"
    )


def _delay(value: object) -> float | tuple[float, float]:
    """Return a fixed delay or a (low, high) range in seconds."""
    if isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0:
        return float(value)
    if (
        isinstance(value, (list, tuple))
        and len(value) == 2
        and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
        and 0 <= value[0] <= value[1]
    ):
        return (float(value[0]), float(value[1]))
    raise FaultError(
        f"delay must be seconds (0.2) or a range [low, high] with 0 <= low <= high, "
        f"not {value!r}."
    )


class FaultTable:
    """The faults in force, by (neighbour, operation); thread-safe for the admin API."""

    def __init__(self) -> None:
        self._faults: dict[tuple[str, str | None], Fault] = {}
        self._lock = threading.Lock()

    def set(self, fault: Fault) -> None:
        """Put ``fault`` in force, replacing one on the same neighbour and operation."""
        with self._lock:
            self._faults[fault.neighbour, fault.operation] = fault

    def clear(self, neighbour: str | None = None) -> None:
        """Remove every fault, or those of one neighbour."""
        with self._lock:
            for key in [k for k in self._faults if neighbour in (None, k[0])]:
                del self._faults[key]

    def find(self, neighbour: str, operation: str | None) -> Fault | None:
        """Return the fault for a request: the operation's own, else its neighbour's."""
        if not self._faults:  # the usual case: no lock, no lookups
            return None
        with self._lock:
            return self._faults.get((neighbour, operation)) or self._faults.get(
                (neighbour, None)
            )

    def all(self) -> list[Fault]:
        """Return the faults in force."""
        with self._lock:
            return list(self._faults.values())
