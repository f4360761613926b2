"""Spec-driven mock server for a service's neighbours; one engine under every transport.

The engine (:class:`Engine`) is a pure function from :class:`MockRequest` to
:class:`MockResponse`; the HTTP server (``satchel-mock``), the in-process transport
(:class:`InProcessMocks`, the ``mock_neighbours`` pytest fixture) and the recorder call it.

Names are imported on first use (PEP 562): the pytest plugin lives in this package and is
loaded by every pytest run, which must not pay for loading the engine it may never use.
"""

from __future__ import annotations

from importlib import import_module
from typing import Any

_EXPORTS = {
    "AnswerError": "mockserver.errors",
    "AnswersInvalid": "mockserver.errors",
    "ConfigError": "mockserver.errors",
    "Engine": "mockserver.engine",
    "Entry": "mockserver.journal",
    "Fault": "mockserver.faults",
    "FaultError": "mockserver.faults",
    "InProcessMocks": "mockserver.inprocess",
    "Journal": "mockserver.journal",
    "Listener": "mockserver.mockset",
    "MockConfig": "mockserver.config",
    "MockError": "mockserver.errors",
    "MockRequest": "mockserver.messages",
    "MockResponse": "mockserver.messages",
    "MockSet": "mockserver.mockset",
    "Neighbour": "mockserver.config",
    "Overlay": "mockserver.overlay",
    "OverlayError": "mockserver.errors",
    "Preference": "mockserver.prefer",
    "Rule": "mockserver.overlay",
    "file_digest": "mockserver.config",
    "from_config": "mockserver.mockset",
    "from_spec": "mockserver.mockset",
    "generate": "mockserver.generate",
    "load_config": "mockserver.config",
    "load_overlay": "mockserver.overlay",
    "parse_fault": "mockserver.faults",
    "parse_prefer": "mockserver.prefer",
}

__all__ = sorted(_EXPORTS)


def __getattr__(name: str) -> Any:
    """Import an exported name from its module on first use."""
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'mockserver' has no attribute {name!r}")
    return getattr(import_module(module), name)


def __dir__() -> list[str]:
    return __all__
