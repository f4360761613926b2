"""Fixtures for the spec core: the shared fixture specs, a request helper, a spec writer."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Callable

import pytest

from satchel.openapi import Spec, ValidRequest, load_spec

SPECS = Path(__file__).resolve().parents[1] / "resources" / "specs"
#: The cookie the features spec's searchItems requires.
SESSION = {"session": "abcd"}


def call(
    spec: Spec,
    operation_id: str,
    path: dict[str, str] | None = None,
    query: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    cookies: dict[str, str] | None = None,
    content_type: str | None = None,
    body: bytes = b"",
) -> ValidRequest:
    """Validate one request against ``operation_id`` with the compiled validator."""
    validator = spec.operation(operation_id).request_validator()
    return validator(
        path or {}, query or {}, headers or {}, cookies or {}, content_type, body
    )


@pytest.fixture(scope="session")
def petstore() -> Spec:
    """Return the OpenAPI 3.0 petstore (the bench petstore's shape)."""
    return load_spec(SPECS / "petstore-3.0.yaml")


@pytest.fixture(scope="session")
def petstore31() -> Spec:
    """Return the OpenAPI 3.1 petstore, served under /v1."""
    return load_spec(SPECS / "petstore-3.1.yaml")


@pytest.fixture(scope="session")
def petstore20() -> Spec:
    """Return the Swagger 2.0 petstore, served under /api."""
    return load_spec(SPECS / "petstore-2.0.yaml")


@pytest.fixture(scope="session")
def features() -> Spec:
    """Return the spec exercising parameter styles, routing precedence and media types."""
    return load_spec(SPECS / "features-3.0.yaml")


@pytest.fixture(scope="session")
def multifile() -> Spec:
    """Return the multi-file spec (relative, nested relative and recursive refs)."""
    return load_spec(SPECS / "multifile" / "openapi.yaml")


@pytest.fixture(scope="session")
def scopes() -> Spec:
    """Return the 3.1 spec with $ref siblings and $id-scoped schemas."""
    return load_spec(SPECS / "scopes-3.1.yaml")


@pytest.fixture
def write_spec(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Callable[..., str]:
    """Write dedented files into a temp dir (the cwd) and return the first one's name."""
    monkeypatch.chdir(tmp_path)

    def write(files: dict[str, str]) -> str:
        for name, text in files.items():
            path = tmp_path / name
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
        return next(iter(files))

    return write
