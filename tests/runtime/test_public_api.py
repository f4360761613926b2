"""Every name the runtime modules export exists (keeps ``__all__`` honest)."""

from __future__ import annotations

import importlib
import io
import json

import pytest

from satchel import logs

MODULES = [
    "satchel.api",
    "satchel.api.connexion_compat",
    "satchel.api.markers",
    "satchel.audit",
    "satchel.auth",
    "satchel.config",
    "satchel.errors",
    "satchel.health",
    "satchel.logs",
    "satchel.metrics",
    "satchel.request_id",
    "satchel.sessions",
    "satchel.testing",
]


@pytest.mark.parametrize("name", MODULES, ids=str)
def test_all_names_exist(name):
    """Each name in ``__all__`` is an attribute of its module, and ``__all__`` is sorted."""
    module = importlib.import_module(name)
    missing = [item for item in module.__all__ if not hasattr(module, item)]
    assert missing == []
    assert list(module.__all__) == sorted(
        module.__all__, key=lambda n: (not n.isupper(), n)
    )


def test_logging_twice_does_not_duplicate_access_lines(app, client, read_logs):
    """Re-running logs.init_app reconfigures without installing the hooks again."""
    second = io.StringIO()
    logs.init_app(app, service="runtime-notes", stream=second)
    client.get("/v1/ping")
    lines = [json.loads(line) for line in second.getvalue().splitlines()]
    assert [line["event"] for line in lines] == ["request"]
    assert read_logs() == []
