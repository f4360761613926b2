"""The public API of satchel.tenancy is what __all__ says, and nothing else."""

from __future__ import annotations

import inspect

from satchel import tenancy


def test_all_lists_exactly_the_public_names():
    """Every public, non-module attribute is in __all__, and every name there exists."""
    public = {
        name
        for name, value in vars(tenancy).items()
        if not name.startswith("_") and not inspect.ismodule(value)
    }
    assert public == set(tenancy.__all__)
