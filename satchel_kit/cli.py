"""The ``satchel`` command: one group whose subcommands live in their own modules.

Subcommands are imported only when called, so ``satchel --help`` stays fast and a subcommand's
dependencies (cruft, git, a browser-ready page renderer) are not loaded by the others.
"""

from __future__ import annotations

import importlib

import click

# name -> "module:attribute" of a click command; each module owns one subcommand.
SUBCOMMANDS: dict[str, str] = {
    "adopt": "satchel_kit.adopt.command:adopt",
    "fleet": "satchel_kit.fleet.command:fleet",
}


class LazyGroup(click.Group):
    """A group that imports a subcommand's module when the subcommand is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(SUBCOMMANDS)

    def get_command(self, ctx: click.Context, name: str) -> click.Command | None:
        target = SUBCOMMANDS.get(name)
        if target is None:
            return None
        module, attribute = target.split(":")
        return getattr(importlib.import_module(module), attribute)


@click.group(cls=LazyGroup)
@click.version_option(package_name="satchel")
def main() -> None:
    """Satchel's kit tooling: release the kit, upgrade a service, report on the fleet."""
