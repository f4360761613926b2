"""The one exception of ``satchel fleet``: bad input, said with where and how to fix it."""

from __future__ import annotations

EXIT_OK, EXIT_BREACH, EXIT_USAGE = 0, 1, 2


class FleetError(Exception):
    """Bad input (fleet file, repository, service): the command exits 2 with this message."""
