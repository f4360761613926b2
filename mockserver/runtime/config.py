"""Read ``mocks.yaml``: the neighbours a service talks to, each served by the mock server.

Example::

    port: 4010              # the shared port for neighbours routed by Host (default 4010)
    neighbours:
      students:
        spec: mocks/students/openapi.yaml      # vendored copy of the neighbour's spec
        digest: sha256:5f0c...                 # written by `satchel-mock pin`
        overlay: mocks/students/overlay.yaml   # optional: examples, rules, scenarios
        port: 4011                             # its own port ...
      billing:
        spec: mocks/billing/openapi.yaml
        digest: sha256:9a1e...
        host: billing.localhost                # ... or routed by Host on the shared port
        security: off                          # optional: enforce (default) or off
        strict: true                           # optional: refuse a flawed spec (see below)
        errors: true                           # optional: 500 for an answer breaking the spec

A list of entries with ``name:`` is read the same way.

``security: enforce`` (the default) answers 401 to a request that carries none of the
credentials its operation's security requirement names (presence only: any token will do);
``off`` answers it anyway, for a neighbour whose callers really send no credentials.

``strict: false`` (the default) serves a vendored spec despite flaws its authors left in it
(examples that contradict their schemas, duplicate operationIds, 3.1 types in a 3.0 file):
each becomes a warning with file, line and pointer, and a bad example gives way to generated
data. ``strict: true``, for specs the team owns, refuses to start on them, as
``satchel-mock check`` always does.

``errors: true`` (like ``satchel-mock serve --errors``) never papers over the spec: an answer
that would break it (a bad example, or data that cannot be made valid) is a 500
``mock-spec-violation`` listing the violations, instead of generated data or an answer
flagged in ``Satchel-Mock-Violations`` (the default).

Paths are relative to the file. The digest pins the vendored spec: when the file changes
without a re-pin, loading fails, so nobody mocks a neighbour from a spec they did not mean to.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from mockserver.core.errors import ConfigError
from mockserver.core.recordings import recordings_path
from mockserver.core.yamlsource import YamlSource, check_keys, read_yaml

__all__ = [
    "DEFAULT_CONFIG",
    "MockConfig",
    "Neighbour",
    "file_digest",
    "load_config",
    "verify_digest",
]

DEFAULT_CONFIG = "mocks.yaml"
DEFAULT_PORT = 4010
DEFAULT_BIND = "127.0.0.1"
_NAME = re.compile(r"[a-z][a-z0-9-]*")
_DIGEST = re.compile(r"sha256:[0-9a-f]{64}")
_TOP_KEYS = ("bind", "port", "seed", "neighbours")
_NEIGHBOUR_KEYS = (
    "name",
    "spec",
    "digest",
    "overlay",
    "port",
    "host",
    "security",
    "strict",
    "errors",
    "record",
)
_SECURITY = ("enforce", "off")
_RECORD_KEYS = ("allow", "redact_headers", "redact_fields")


@dataclass(frozen=True)
class Neighbour:
    """One neighbour service: its vendored spec, the pin, its overlay and where it listens."""

    name: str
    spec: Path
    digest: str | None = None
    overlay: Path | None = None
    port: int | None = None
    host: str | None = None
    security: str = "enforce"  # or "off": answer requests that lack their credentials
    strict: bool = False  # True: refuse a spec with flaws instead of warning about them
    errors: bool = False  # True: 500 for an answer that would break the spec
    line: int | None = None
    pointer: str = ""  # where its entry is in mocks.yaml (JSON pointer)
    # `satchel-mock record`: the hosts it may forward to, and what it must not store.
    record_allow: tuple[str, ...] = ()
    redact_headers: tuple[str, ...] = ()
    redact_fields: tuple[str, ...] = ()


@dataclass(frozen=True)
class MockConfig:
    """The whole ``mocks.yaml``: listeners' bind address, shared port, seed and neighbours."""

    path: Path
    neighbours: tuple[Neighbour, ...]
    bind: str = DEFAULT_BIND
    port: int = DEFAULT_PORT
    seed: int = 0

    def files(self) -> tuple[Path, ...]:
        """Return every file the config depends on (itself, specs, overlays) for watching."""
        found = [self.path]
        for neighbour in self.neighbours:
            found.append(neighbour.spec)
            found.append(recordings_path(neighbour.spec))  # watched if it appears
            if neighbour.overlay is not None:
                found.append(neighbour.overlay)
        return tuple(found)


def file_digest(path: str | Path) -> str:
    """Return ``sha256:<hex>`` of the file's bytes."""
    return "sha256:" + hashlib.sha256(Path(path).read_bytes()).hexdigest()


def verify_digest(neighbour: Neighbour, config_path: Path) -> None:
    """Raise :class:`ConfigError` when the vendored spec no longer matches its pin."""
    actual = file_digest(neighbour.spec)
    if neighbour.digest is None:
        raise ConfigError(
            f"neighbour '{neighbour.name}' has no digest pin for {neighbour.spec.name}.",
            file=config_path,
            line=neighbour.line,
            hint=f"Run `satchel-mock pin` to pin it (digest: {actual}).",
        )
    if actual != neighbour.digest:
        raise ConfigError(
            f"neighbour '{neighbour.name}': the spec {neighbour.spec.name} has digest {actual}, "
            f"but the pin is {neighbour.digest}.",
            file=config_path,
            line=neighbour.line,
            hint="If you re-vendored the spec on purpose, run `satchel-mock pin`.",
        )


def load_config(
    path: str | Path = DEFAULT_CONFIG, *, pinning: bool = False
) -> MockConfig:
    """Read and check ``mocks.yaml``; raise :class:`ConfigError` naming file and line.

    ``pinning`` accepts any digest value (a placeholder such as ``TODO``), since
    ``satchel-mock pin`` is about to overwrite it.
    """
    source = read_yaml(path, ConfigError)
    top = check_keys(source, "", source.data, _TOP_KEYS, ConfigError, "mocks.yaml")
    bind = top.get("bind", DEFAULT_BIND)
    if not isinstance(bind, str) or not bind:
        _fail(
            source, "/bind", f"bind must be an address such as 127.0.0.1, not {bind!r}."
        )
    port = _port(source, "/port", top.get("port", DEFAULT_PORT))
    seed = top.get("seed", 0)
    if not isinstance(seed, int) or isinstance(seed, bool):
        _fail(source, "/seed", f"seed must be an integer, not {seed!r}.")
    neighbours = tuple(
        _neighbour(source, pointer, name, item, pinning)
        for pointer, name, item in _entries(source, top.get("neighbours"))
    )
    _check_unique(source, neighbours, port)
    return MockConfig(
        path=source.path, neighbours=neighbours, bind=bind, port=port, seed=seed
    )


def _entries(source: YamlSource, items: object) -> list[tuple[str, object, object]]:
    """Return (pointer, name, entry) per neighbour, from a mapping by name or a list."""
    if items is None or items == {} or items == []:
        return []
    if isinstance(items, dict):
        return [(f"/neighbours/{name}", name, entry) for name, entry in items.items()]
    if isinstance(items, list):
        return [
            (
                f"/neighbours/{i}",
                entry.get("name") if isinstance(entry, dict) else None,
                entry,
            )
            for i, entry in enumerate(items)
        ]
    _fail(
        source,
        "/neighbours",
        "neighbours must map each neighbour's name to its entry (or list entries with name).",
        "Give each neighbour: spec, digest, and port or host.",
    )
    return []


def _neighbour(
    source: YamlSource, pointer: str, name: object, item: object, pinning: bool
) -> Neighbour:
    """Build one :class:`Neighbour` from its entry."""
    entry = check_keys(
        source, pointer, item, _NEIGHBOUR_KEYS, ConfigError, "a neighbour"
    )
    if not isinstance(name, str) or not _NAME.fullmatch(name):
        _fail(
            source,
            f"{pointer}/name" if "name" in entry else pointer,
            f"neighbour name must be lowercase letters, digits and dashes, not {name!r}.",
        )
    spec = _file(source, f"{pointer}/spec", entry.get("spec"), required=True)
    overlay = _file(source, f"{pointer}/overlay", entry.get("overlay"), required=False)
    digest = entry.get("digest")
    if pinning:
        digest = None
    elif digest is not None and (
        not isinstance(digest, str) or not _DIGEST.fullmatch(digest)
    ):
        _fail(
            source,
            f"{pointer}/digest",
            f"digest must look like sha256:<64 hex digits>, not {digest!r}.",
            "Run `satchel-mock pin` to write it.",
        )
    port = entry.get("port")
    host = entry.get("host")
    if (port is None) == (host is None):
        _fail(
            source,
            pointer,
            f"neighbour '{name}' needs exactly one of port (its own listener) "
            "or host (routed by Host header on the shared port).",
        )
    if port is not None:
        port = _port(source, f"{pointer}/port", port)
    if host is not None and (not isinstance(host, str) or not host or ":" in host):
        _fail(
            source,
            f"{pointer}/host",
            f"host must be a host name without port, not {host!r}.",
        )
    security = _security(source, f"{pointer}/security", entry.get("security"))
    strict = _switch(
        source,
        pointer,
        entry,
        "strict",
        "true refuses a spec with invalid examples or other flaws; false (the "
        "default) serves it and logs each flaw as a warning.",
    )
    errors = _switch(
        source,
        pointer,
        entry,
        "errors",
        "true answers 500 where an answer would break the spec; false (the default) "
        "serves the closest answer, its violations listed in a header.",
    )
    record = _record(source, f"{pointer}/record", entry.get("record"))
    return Neighbour(
        record_allow=record["allow"],
        redact_headers=tuple(h.lower() for h in record["redact_headers"]),
        redact_fields=record["redact_fields"],
        name=name,
        spec=spec,
        digest=digest,
        overlay=overlay,
        port=port,
        host=host.lower() if host else None,
        security=security,
        strict=strict,
        errors=errors,
        line=source.line(pointer),
        pointer=pointer,
    )


def _security(source: YamlSource, pointer: str, value: object) -> str:
    """Return ``enforce`` or ``off``; YAML 1.1 reads a bare ``off`` as false, so that too."""
    if value is None:
        return "enforce"
    if value is False:
        return "off"
    if value not in _SECURITY:
        _fail(
            source,
            pointer,
            f"security must be {' or '.join(_SECURITY)}, not {value!r}.",
            "enforce (the default) answers 401 to a request without the credentials "
            "its spec requires; off answers it anyway.",
        )
    return str(value)


def _record(source: YamlSource, pointer: str, value: object) -> dict[str, tuple]:
    """Read a neighbour's ``record:`` block: lists of strings under known keys."""
    if value is None:
        return {key: () for key in _RECORD_KEYS}
    entry = check_keys(source, pointer, value, _RECORD_KEYS, ConfigError, "record")
    found = {}
    for key in _RECORD_KEYS:
        items = entry.get(key, [])
        if not isinstance(items, list) or not all(
            isinstance(i, str) and i for i in items
        ):
            _fail(
                source,
                f"{pointer}/{key}",
                f"record.{key} must be a list of strings, not {items!r}.",
                "e.g. allow: [students.staging.example.org]",
            )
        found[key] = tuple(items)
    return found


def _file(
    source: YamlSource, pointer: str, value: object, *, required: bool
) -> Path | None:
    """Resolve a file path relative to the config file; it must exist."""
    if value is None and not required:
        return None
    if not isinstance(value, str) or not value:
        _fail(
            source,
            pointer,
            f"{pointer.rsplit('/', 1)[1]} must be a file path, not {value!r}.",
        )
    path = (source.path.parent / value).resolve()
    if not path.is_file():
        _fail(source, pointer, f"file not found: {value} (looked in {path.parent}).")
    return path


def _port(source: YamlSource, pointer: str, value: object) -> int:
    """Return ``value`` as a TCP port number."""
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 65535:
        _fail(
            source, pointer, f"port must be an integer from 1 to 65535, not {value!r}."
        )
    return value


def _check_unique(
    source: YamlSource, neighbours: tuple[Neighbour, ...], shared: int
) -> None:
    """Reject two neighbours with one name, port or host, or a port equal to the shared one."""
    seen: dict[tuple[str, object], str] = {}
    hosts = any(n.host for n in neighbours)
    for neighbour in neighbours:
        keys = [("name", neighbour.name)]
        keys.append(
            ("port", neighbour.port) if neighbour.port else ("host", neighbour.host)
        )
        for kind, value in keys:
            if (kind, value) in seen:
                _fail(
                    source,
                    f"{neighbour.pointer}/{kind}",
                    f"{kind} {value} is already used by neighbour '{seen[kind, value]}'.",
                )
            seen[kind, value] = neighbour.name
        if hosts and neighbour.port == shared:
            _fail(
                source,
                f"{neighbour.pointer}/port",
                f"port {shared} is the shared port of the host-routed neighbours.",
                "Pick another port, or set the top-level port.",
            )


def _switch(
    source: YamlSource, pointer: str, entry: dict, key: str, meaning: str
) -> bool:
    """Return the neighbour's boolean setting ``key`` (false when left out)."""
    value = entry.get(key, False)
    if not isinstance(value, bool):
        _fail(
            source,
            f"{pointer}/{key}",
            f"{key} must be true or false, not {value!r}.",
            meaning,
        )
    return value


def _fail(source: YamlSource, pointer: str, message: str, hint: str = "") -> None:
    """Raise a :class:`ConfigError` at the line of ``pointer``."""
    raise ConfigError(message, file=source.path, line=source.line(pointer), hint=hint)
