"""Spec-driven mock server for a service's neighbours; one engine under every transport.

The engine (:class:`Engine`) is a pure function from :class:`MockRequest` to
:class:`MockResponse`; the HTTP server (``satchel-mock``) and in-process adapters call it.
"""

from mockserver.config import MockConfig, Neighbour, file_digest, load_config
from mockserver.engine import Engine
from mockserver.errors import (
    AnswerError,
    AnswersInvalid,
    ConfigError,
    MockError,
    OverlayError,
)
from mockserver.generate import generate
from mockserver.messages import MockRequest, MockResponse
from mockserver.mockset import Listener, MockSet, from_config, from_spec
from mockserver.overlay import Overlay, Rule, load_overlay
from mockserver.prefer import Preference, parse_prefer

__all__ = [
    "AnswerError",
    "AnswersInvalid",
    "ConfigError",
    "Engine",
    "Listener",
    "MockConfig",
    "MockError",
    "MockRequest",
    "MockResponse",
    "MockSet",
    "Neighbour",
    "Overlay",
    "OverlayError",
    "Preference",
    "Rule",
    "file_digest",
    "from_config",
    "from_spec",
    "generate",
    "load_config",
    "load_overlay",
    "parse_prefer",
]
