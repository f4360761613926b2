"""Satchel: the runtime library every generated service imports.

One module per concern; services import the ones they wire in ``create_app``
(``from satchel import api, auth, errors, flags, health, logs, metrics, tenancy``). Modules
load on first use, so a hook or CLI that needs one of them does not import Flask and
SQLAlchemy for the rest.
"""

from __future__ import annotations

import importlib
from typing import Any

__version__ = "0.2.0"

#: The public modules, in the order a request meets them.
MODULES = (
    "config",
    "logs",
    "request_id",
    "sessions",
    "errors",
    "metrics",
    "health",
    "tenancy",
    "audit",
    "auth",
    "flags",
    "api",
    "openapi",
    "clients",
    "context",
    "problems",
    "testing",
    "dev_token",
    "startup",
    "serve",
    "deploycheck",
)

__all__ = ["__version__", *MODULES]


def __getattr__(name: str) -> Any:
    if name in MODULES:
        return importlib.import_module(f"{__name__}.{name}")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
