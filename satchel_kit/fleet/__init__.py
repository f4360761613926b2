"""``satchel fleet``: one report on every service of a fleet, held to a policy."""

from satchel_kit.fleet.command import fleet
from satchel_kit.fleet.errors import FleetError

__all__ = ["FleetError", "fleet"]
