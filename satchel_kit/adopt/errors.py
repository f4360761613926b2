"""The one error of ``satchel adopt``: what stopped it, and how to go on."""

from __future__ import annotations

import click

__all__ = ["AdoptError"]


class AdoptError(click.ClickException):
    """Adoption cannot go on; the message names what was found and what to do (exit 1)."""

    exit_code = 1
