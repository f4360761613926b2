"""The one place the recorder may forward to, and what each request may ask of it.

The target comes from the command line and must be a host that ``mocks.yaml`` allows. Every
request is then sent there, to a path the recorder builds itself: the request line only ever
contributes a path and query. A request line naming another place (an absolute URI for
another host, a user-info part, anything that is not a path) is refused, and so is
``CONNECT``: the recorder is no general proxy and never tunnels.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from mockserver.core.errors import MockError

__all__ = ["Refused", "RecordError", "Target", "parse_target"]

_DEFAULT_PORTS = {"http": 80, "https": 443}


class RecordError(MockError):
    """Recording cannot start or continue (a target host not allowed, a bad file)."""


class Refused(Exception):
    """A request the recorder will not forward; ``status`` is the answer to give."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


@dataclass(frozen=True)
class Target:
    """The allowed neighbour: scheme, host, port and an optional base path."""

    scheme: str
    host: str
    port: int
    base_path: str = ""

    @property
    def url(self) -> str:
        """Return the target as a URL (for messages)."""
        default = _DEFAULT_PORTS[self.scheme] == self.port
        netloc = self.host if default else f"{self.host}:{self.port}"
        return f"{self.scheme}://{netloc}{self.base_path}"

    def path_for(self, method: str, request_target: str) -> str:
        """Return the path and query to request on the target; raise :class:`Refused`."""
        if method == "CONNECT":
            raise Refused(
                405, f"CONNECT {request_target} is refused: the recorder never tunnels"
            )
        if request_target.startswith("/"):
            return self.base_path + request_target
        url = urlsplit(request_target)
        if url.scheme in ("http", "https") and url.netloc:
            if url.username is not None or url.password is not None:
                raise Refused(403, f"{request_target} carries user information")
            port = url.port or _DEFAULT_PORTS[url.scheme]
            if (url.scheme, (url.hostname or "").lower(), port) != (
                self.scheme,
                self.host,
                self.port,
            ):
                raise Refused(
                    403, f"{request_target} names another host than the target"
                )
            rest = url.path or "/"
            return self.base_path + rest + (f"?{url.query}" if url.query else "")
        raise Refused(400, f"the request target {request_target!r} is not a path")


def parse_target(neighbour: str, target: str, allowed: tuple[str, ...]) -> Target:
    """Return the target if mocks.yaml allows its host; raise :class:`RecordError` otherwise."""
    url = urlsplit(target)
    if url.scheme not in ("http", "https") or not url.hostname:
        raise RecordError(f"--target must be an http(s) URL, not {target!r}.")
    if (
        url.username is not None
        or url.password is not None
        or url.query
        or url.fragment
    ):
        raise RecordError(
            f"--target must be scheme://host[:port][/base], not {target!r} "
            "(no user information, query or fragment)."
        )
    try:
        port = url.port or _DEFAULT_PORTS[url.scheme]
    except ValueError:
        raise RecordError(f"--target has an invalid port: {target!r}.") from None
    host = url.hostname.lower()
    hosts = {h.lower() for h in allowed}
    if host not in hosts and url.netloc.lower() not in hosts:
        shown = ", ".join(sorted(hosts)) or "none"
        raise RecordError(
            f"refusing to record {neighbour} from {url.netloc}: not an allowed host "
            f"(allowed: {shown}).",
            hint=f"Add it under neighbours.{neighbour}.record.allow in mocks.yaml.",
        )
    return Target(url.scheme, host, port, url.path.rstrip("/"))
