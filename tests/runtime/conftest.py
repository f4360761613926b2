"""Fixtures for the runtime tests: the test service built fresh per test, its logs captured."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import structlog

RESOURCES = Path(__file__).parent.parent / "resources" / "runtime"
if str(RESOURCES) not in sys.path:
    sys.path.insert(0, str(RESOURCES))

from runtime_notes.app import create_app  # noqa: E402 - needs the resources path first
from runtime_notes.settings import Settings  # noqa: E402

from satchel.testing import bearer, make_token, tenant_client  # noqa: E402

DEFAULTS = Settings()


@pytest.fixture(autouse=True)
def restore_logging():
    """Undo the process-wide logging set-up each test's app makes, so other suites see none."""
    yield
    structlog.reset_defaults()
    root = logging.getLogger()
    for handler in [h for h in root.handlers if h.get_name() == "satchel-json"]:
        root.removeHandler(handler)
    root.setLevel(logging.WARNING)


@pytest.fixture
def log_stream() -> io.StringIO:
    """Collect the JSON log lines the app writes."""
    return io.StringIO()


@pytest.fixture
def read_logs(log_stream: io.StringIO) -> Callable[[], list[dict]]:
    """Return a function parsing every log line written so far."""
    return lambda: [json.loads(line) for line in log_stream.getvalue().splitlines()]


@pytest.fixture
def app(log_stream: io.StringIO):
    """Build the test service with in-memory SQLite and default settings."""
    return create_app({}, environ={}, log_stream=log_stream)


@pytest.fixture
def client(app):
    """A client for tenant ``greenfield``."""
    return tenant_client(app, "greenfield")


@pytest.fixture
def token() -> Callable[..., str]:
    """Mint a token the test service accepts (for tenant greenfield); keywords change claims."""

    def mint(**changes) -> str:
        options = {
            "key": DEFAULTS.jwt_key,
            "issuer": DEFAULTS.jwt_issuer,
            "audience": DEFAULTS.jwt_audience,
            "tenant": "greenfield",
        }
        options.update(changes)
        return make_token(**options)

    return mint


@pytest.fixture
def auth_headers(token) -> dict[str, str]:
    """The Authorization header of a valid token for subject user-1."""
    return bearer(token())
