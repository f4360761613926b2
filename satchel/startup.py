"""Start a service or stop it with one clear line, never a traceback, for mistakes of set-up.

A production server (granian) imports the WSGI module; when the configuration, the spec, the
handlers or the flag declarations are wrong, the operator needs the message saying what to fix,
not a stack of import frames above it. Bugs still raise with their traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from typing import TypeVar

from satchel.api.errors import ApiError, HandlerMismatch
from satchel.auth import AuthError
from satchel.config import ConfigError
from satchel.flags.errors import FlagDeclarationError, UndeclaredFlagError
from satchel.openapi.errors import SpecError
from satchel.tenancy.errors import TenancyError

#: Errors that mean "the service is set up wrongly", each with a message saying how to fix it.
SETUP_ERRORS = (
    ConfigError,
    AuthError,
    SpecError,
    ApiError,
    HandlerMismatch,
    FlagDeclarationError,
    UndeclaredFlagError,
    TenancyError,
)
EXIT_SETUP = 2

T = TypeVar("T")


def create_or_exit(factory: Callable[[], T], service: str) -> T:
    """Return ``factory()``; on a set-up error print ``<service> cannot start: ...`` and exit 2."""
    try:
        return factory()
    except SETUP_ERRORS as error:
        print(f"{service} cannot start: {error}", file=sys.stderr)
        raise SystemExit(EXIT_SETUP) from None
