"""The ``flags`` pytest fixture: force flag values for one test, reset afterwards.

Loaded by every pytest run of the kit (entry point ``pytest11``), so it imports nothing
heavy until a test asks for the fixture.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


class FlagOverrides:
    """Force flag values in every app built with ``satchel.flags.init_app`` in this test."""

    def __init__(self) -> None:
        from satchel.flags.engine import ENGINES

        self._engines = ENGINES

    def set(self, key: str, value: Any, *, tenant: str | None = None) -> None:
        """Force ``key`` to ``value``, for every tenant or only for ``tenant``."""
        from satchel.flags.errors import FlagError

        engines = list(self._engines)
        if not engines:
            raise FlagError(
                f"flags.set({key!r}): no app has called satchel.flags.init_app yet; "
                "request the app (or client) fixture before using flags."
            )
        for engine in engines:
            engine.force(key, value, tenant)

    def reset(self) -> None:
        """Drop every forced value."""
        for engine in list(self._engines):
            engine.clear_forced()


@pytest.fixture
def flags() -> Iterator[FlagOverrides]:
    """Set flags per test (``flags.set("notes-search", True)``); reset after the test."""
    overrides = FlagOverrides()
    yield overrides
    overrides.reset()
