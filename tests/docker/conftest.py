"""Fixtures for the image tests: a private engine, a stamp pinned to a local platform index."""

from __future__ import annotations

import socket
import subprocess

import pytest

from tests.docker.engine import EngineError, engine_or_skip, private_engine
from tests.docker.index import add_locked, release_index, serve_index
from tests.kit import BIN, tool_env


def free_port() -> int:
    """Return a TCP port nothing listens on right now (containers share the host's network)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="session")
def engine():
    """Start a private Docker engine for the session, or say why none can run here."""
    context = private_engine()
    try:
        running = context.__enter__()
    except EngineError as error:
        engine_or_skip(error)
    yield running
    context.__exit__(None, None, None)


@pytest.fixture(scope="session")
def platform_index(kit_repo, tmp_path_factory):
    """Serve the kit's wheel as the platform index; yield (URL, version, sha256)."""
    root, version, digest = release_index(kit_repo)
    port = free_port()
    server = serve_index(root, port)
    yield f"http://127.0.0.1:{port}/", version, digest
    server.terminate()
    server.wait()


@pytest.fixture(scope="session")
def stamp(kit_repo, tmp_path_factory, platform_index):
    """A default stamp (students): the template pins satchel from the platform index."""
    out = tmp_path_factory.mktemp("stamp")
    subprocess.run(
        [BIN / "cookiecutter", str(kit_repo), "--directory", "template", "--no-input"]
        + ["--output-dir", str(out)],
        check=True,
        env=tool_env(SATCHEL_SKIP_HOOK_INSTALL="1"),
        capture_output=True,
    )
    service = out / "students"
    # The stand-in base runs Debian's Python 3.11.2; redis needs async-timeout below 3.11.3,
    # which the lock (made on a later 3.11, as in the pinned official image) leaves out.
    add_locked(service, "async-timeout", "5.0.1", tmp_path_factory.mktemp("wheels"))
    return service
