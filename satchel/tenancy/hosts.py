"""Turn a request's Host header into a tenant id, rejecting anything that is not a tenant host.

Pure functions, no I/O: the registry decides later whether the tenant exists. The host is
the only input: never a header, cookie or query parameter a client can choose freely.
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Mapping

from satchel.tenancy.errors import MalformedHost, TenantNotFound

MAX_HOST_LENGTH = 253  # RFC 1035: a name is at most 253 characters in text form
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")
_PORT = re.compile(r"[0-9]{1,5}")
MAX_PORT = 65535  # a TCP port is 1-65535; 0 and 99999 are no port a client could use


def normalise_host(raw: str | None) -> str:
    """Return the lower-case host name of a Host header, without port or trailing dot."""
    if not raw:
        raise MalformedHost(
            "the request has no Host header", detail="The request has no host."
        )
    if not raw.isascii():
        raise MalformedHost(
            "the Host header has non-ASCII characters; clients must send IDNA (xn--) form",
            detail="The host must be ASCII; send internationalised names in IDNA (xn--) form.",
        )
    host = raw.lower()
    if host.startswith("["):
        raise MalformedHost(
            "the host is an IP literal", detail="Tenants are served by name."
        )
    name, sep, port = host.rpartition(":")
    if sep:
        if not _PORT.fullmatch(port) or not 0 < int(port) <= MAX_PORT:
            raise MalformedHost(
                f"the Host header has an invalid port {port!r}",
                detail="The host is malformed.",
            )
        host = name
    # A single trailing dot is the fully-qualified spelling of the same name (RFC 1034 3.1).
    if host.endswith("."):
        host = host[:-1]
    if len(host) > MAX_HOST_LENGTH:
        raise MalformedHost(
            f"the host is {len(host)} characters long; at most {MAX_HOST_LENGTH} are allowed",
            detail="The host is too long.",
        )
    labels = host.split(".")
    if not all(_LABEL.fullmatch(label) for label in labels):
        raise MalformedHost(
            "the host is not a sequence of DNS labels (letters, digits, inner dashes)",
            detail="The host is malformed.",
        )
    if _is_ip_address(host):
        raise MalformedHost(
            "the host is an IP address", detail="Tenants are served by name."
        )
    return host


def tenant_from_host(
    raw: str | None, base_domain: str | None, host_map: Mapping[str, str] | None = None
) -> str:
    """Return the tenant id named by a Host header: a fixed mapping, else ``<tenant>.<base>``."""
    host = normalise_host(raw)
    if host_map and host in host_map:
        return host_map[host]
    suffix = "." + base_domain.lower().rstrip(".") if base_domain else None
    if suffix and host.endswith(suffix):
        label = host[: -len(suffix)]
        if label and "." not in label:
            return label
    raise TenantNotFound(
        f"host {host!r} is not a tenant host: expected '<tenant>{suffix or ''}'"
        f"{' or one of the mapped hosts' if host_map else ''}",
        detail=f"No tenant is served at {host}.",
    )


def _is_ip_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return True
