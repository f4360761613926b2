"""The one exception family of ``satchel.flags``."""

from __future__ import annotations


class FlagError(Exception):
    """Base class for every error raised by ``satchel.flags``."""


class FlagDeclarationError(FlagError):
    """A flag declaration, or a reference to a flag, is invalid; raised at start-up."""


class UndeclaredFlagError(FlagError, KeyError):
    """Code asked for a flag that the service's ``flags.py`` does not declare."""

    def __str__(self) -> str:  # KeyError would wrap the message in quotes
        return str(self.args[0])


class FlagValueError(FlagError, ValueError):
    """A value or rule does not fit the flag's declared type."""


class FlagStoreError(FlagError):
    """The flag store could not be read or written."""


class StoreUnavailableError(FlagStoreError):
    """The flag store did not answer (connection refused, timeout, missing file)."""


class StoreDataError(FlagStoreError):
    """The flag store answered with data that is not a valid snapshot."""
