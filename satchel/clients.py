"""Call a neighbour service by the operationIds of its vendored spec.

A service keeps a copy of each neighbour's spec in ``mocks/<name>/openapi.yaml``; the mock
server answers from it locally and in tests. Calling by operationId instead of hand-built URLs
means the calls a service makes can be read from its code (the drift check does), and a path
that moves in the neighbour's spec moves here too.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import quote

import requests

from . import context
from .openapi import load_spec


class NeighbourError(Exception):
    """A neighbour call that cannot be made as written (unknown operation, missing parameter)."""


class NeighbourClient:
    """Base class for the per-neighbour clients generated into ``<package>/clients/``."""

    neighbour: ClassVar[str] = ""

    def __init__(
        self,
        base_url: str,
        spec_path: str | Path,
        *,
        tenant_host: str | None = None,
        timeout: float = 5.0,
        session: requests.Session | None = None,
    ) -> None:
        """Bind the client to a base URL and the vendored spec.

        ``tenant_host`` (e.g. ``"{tenant}.students.localhost"``) sets the Host header from
        the current tenant, since neighbours resolve the tenant from the host as we do.
        """
        self.base_url = base_url.rstrip("/")
        self.spec = load_spec(spec_path)
        self.tenant_host = tenant_host
        self.timeout = timeout
        self.session = session or requests.Session()

    def call(
        self,
        operation_id: str,
        *,
        path: dict[str, Any] | None = None,
        query: dict[str, Any] | None = None,
        json: Any = None,
        headers: dict[str, str] | None = None,
    ) -> requests.Response:
        """Send the request for ``operation_id``; return the response whatever its status."""
        try:
            operation = self.spec.operation(operation_id)
        except KeyError:
            raise NeighbourError(
                f"{self.neighbour or 'neighbour'} has no operation {operation_id!r} in "
                f"{self.spec.source_path}: check the operationId, or re-vendor the spec."
            ) from None
        url = self.base_url + self.spec.base_path + _fill(operation.path, path or {})
        sent = dict(headers or {})
        request_id = context.request_id.get()
        if request_id:
            sent.setdefault("X-Request-ID", request_id)
        tenant = context.tenant_id.get()
        if self.tenant_host and tenant:
            sent.setdefault("Host", self.tenant_host.format(tenant=tenant))
        return self.session.request(
            operation.method,
            url,
            params=query,
            json=json,
            headers=sent,
            timeout=self.timeout,
        )


def _fill(template: str, values: dict[str, Any]) -> str:
    """Substitute ``{name}`` segments, percent-encoded; refuse a missing one by name."""
    result = template
    for name in _names(template):
        if name not in values:
            raise NeighbourError(
                f"path parameter {name!r} is required for {template}: pass path={{{name!r}: ...}}"
            )
        result = result.replace("{" + name + "}", quote(str(values[name]), safe=""))
    return result


def _names(template: str) -> list[str]:
    names, rest = [], template
    while "{" in rest:
        start = rest.index("{")
        end = rest.index("}", start)
        names.append(rest[start + 1 : end])
        rest = rest[end + 1 :]
    return names
