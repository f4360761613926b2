"""The package's public surface and its process behaviour (fork safety)."""

from __future__ import annotations

import importlib
import os
import time
from pathlib import Path

import pytest
import yaml

import satchel.flags


def test_all_lists_exactly_the_exported_names() -> None:
    """__all__ and the lazy export table agree, and every name imports."""
    assert satchel.flags.__all__ == sorted(satchel.flags._EXPORTS)
    for name in satchel.flags.__all__:
        module = importlib.import_module(satchel.flags._EXPORTS[name])
        assert getattr(satchel.flags, name) is getattr(module, name)


def test_unknown_attribute_is_an_attribute_error() -> None:
    """A typo in an import fails like any module's would."""
    with pytest.raises(
        AttributeError, match="module 'satchel.flags' has no attribute 'enabled'"
    ):
        satchel.flags.enabled  # noqa: B018 - the access is the test


def test_a_forked_worker_starts_its_own_poller(make_app, flag_file: Path) -> None:
    """A worker forked after start-up (gunicorn --preload) still receives changes."""
    app = make_app(poll_interval=0.02)
    client = app.test_client()
    client.get("/notes", headers={"X-Tenant": "a"})  # the parent's poller is running
    pid = os.fork()
    if pid == 0:
        # The worker: threads do not survive fork, so only a new poller can help.
        code = 1
        try:
            flag_file.write_text(yaml.safe_dump({"notes-search": {"enabled": True}}))
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if client.get("/notes", headers={"X-Tenant": "a"}).json["search"]:
                    code = 0
                    break
                time.sleep(0.02)
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
