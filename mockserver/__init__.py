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
    "AnswerError": "mockserver.core.errors",
    "AnswersInvalid": "mockserver.core.errors",
    "ConfigError": "mockserver.core.errors",
    "Engine": "mockserver.core.engine",
    "Entry": "mockserver.runtime.journal",
    "Fault": "mockserver.runtime.faults",
    "FaultError": "mockserver.runtime.faults",
    "InProcessMocks": "mockserver.harness.inprocess",
    "Journal": "mockserver.runtime.journal",
    "Listener": "mockserver.runtime.mockset",
    "MockConfig": "mockserver.runtime.config",
    "MockError": "mockserver.core.errors",
    "MockRequest": "mockserver.core.messages",
    "MockResponse": "mockserver.core.messages",
    "MockSet": "mockserver.runtime.mockset",
    "Neighbour": "mockserver.runtime.config",
    "Overlay": "mockserver.core.overlay",
    "OverlayError": "mockserver.core.errors",
    "Preference": "mockserver.core.prefer",
    "Rule": "mockserver.core.overlay",
    "file_digest": "mockserver.runtime.config",
    "from_config": "mockserver.runtime.mockset",
    "from_spec": "mockserver.runtime.mockset",
    "generate": "mockserver.core.generate",
    "load_config": "mockserver.runtime.config",
    "load_overlay": "mockserver.core.overlay",
    "parse_fault": "mockserver.runtime.faults",
    "parse_prefer": "mockserver.core.prefer",
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
