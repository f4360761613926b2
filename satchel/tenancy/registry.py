"""The tenant registry: tenant -> database URL, status and schema revision.

Two backends share one small interface: :class:`FileRegistry` (a YAML file, the embedded
default for local work) and :class:`~satchel.tenancy.pgregistry.PostgresRegistry` (a table
in a control-plane database, for production). Any failure to read raises
:class:`RegistryUnavailable` so the request path can answer 503 instead of guessing.
"""

from __future__ import annotations

import fcntl
import json
import os
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import yaml

from satchel.tenancy.errors import ProvisioningError, RegistryUnavailable, ServerError
from satchel.tenancy.journal import ControlEvent
from satchel.tenancy.records import TenantRecord
from satchel.tenancy.servers import ServerRecord

_Loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_Dumper = getattr(yaml, "CSafeDumper", yaml.SafeDumper)


class Registry(Protocol):
    """What tenancy needs from a registry backend."""

    def get(self, tenant_id: str) -> TenantRecord | None:
        """Return the tenant's record, or None if there is no such tenant."""

    def all(self) -> list[TenantRecord]:
        """Return every tenant's record, ordered by id."""

    def add(self, record: TenantRecord) -> None:
        """Add a new tenant; raise ProvisioningError if the id is taken."""

    def put(self, record: TenantRecord) -> None:
        """Replace an existing tenant's record."""

    def remove(self, tenant_id: str) -> None:
        """Forget a tenant (no error if it is already gone)."""

    def record_revisions(self, revisions: Mapping[str, str | None]) -> None:
        """Store the schema revision of several tenants at once."""

    def ping(self) -> None:
        """Raise RegistryUnavailable unless the registry can be read."""

    def servers(self) -> list[ServerRecord]:
        """Return every database server of the estate, ordered by name."""

    def put_server(self, server: ServerRecord) -> None:
        """Add a database server, or replace the entry of the same name."""

    def record_event(self, event: ControlEvent) -> None:
        """Append one entry to the control plane's audit."""

    def events(self, subject: str | None = None) -> list[ControlEvent]:
        """Return the control plane's audit, oldest first (only ``subject``'s if given)."""


def registry_from_url(url: str) -> Registry:
    """Return the registry a URL names: ``file://path.yaml`` or ``postgresql://.../control``."""
    if url.startswith("file://"):
        return FileRegistry(url[len("file://") :])
    if url.startswith(("postgresql:", "postgresql+", "postgres:")):
        from satchel.tenancy.pgregistry import PostgresRegistry

        return PostgresRegistry(url)
    raise ValueError(
        f"unsupported tenant registry URL {url.split(':', 1)[0]!r}:...; expected"
        " 'file://instance/tenants.yaml' or 'postgresql://host/control-db'"
    )


@dataclass
class _Document:
    """The registry file's contents while it is being edited under its lock."""

    tenants: dict[str, TenantRecord]
    servers: dict[str, ServerRecord]


class FileRegistry:
    """A registry kept in one YAML file; for local work and the embedded demo.

    Every read parses the file (put a :class:`CachedRegistry` in front, as the app does).
    Writes take an exclusive ``flock`` on a sibling lock file and replace the file
    atomically, so CLI commands and a running app can share it.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def get(self, tenant_id: str) -> TenantRecord | None:
        """Return the tenant's record, or None if there is no such tenant."""
        return self._load().get(tenant_id)

    def all(self) -> list[TenantRecord]:
        """Return every tenant's record, ordered by id."""
        return [record for _, record in sorted(self._load().items())]

    def add(self, record: TenantRecord) -> None:
        """Add a new tenant; raise ProvisioningError if the id is taken."""
        with self._editing() as document:
            records = document.tenants
            if record.id in records:
                raise ProvisioningError(
                    f"tenant {record.id!r} already exists in {self.path}; pick another id"
                    " or drop the existing tenant first"
                )
            records[record.id] = record

    def put(self, record: TenantRecord) -> None:
        """Replace an existing tenant's record."""
        with self._editing() as document:
            document.tenants[record.id] = record

    def remove(self, tenant_id: str) -> None:
        """Forget a tenant (no error if it is already gone)."""
        with self._editing() as document:
            document.tenants.pop(tenant_id, None)

    def record_revisions(self, revisions: Mapping[str, str | None]) -> None:
        """Store the schema revision of several tenants at once."""
        with self._editing() as document:
            records = document.tenants
            for tenant_id, revision in revisions.items():
                if tenant_id in records:
                    records[tenant_id] = records[tenant_id].with_revision(revision)

    def ping(self) -> None:
        """Raise RegistryUnavailable unless the registry file can be read."""
        self._load()

    def servers(self) -> list[ServerRecord]:
        """Return every database server of the estate, ordered by name."""
        return [server for _, server in sorted(self._load_servers().items())]

    def put_server(self, server: ServerRecord) -> None:
        """Add a database server, or replace the entry of the same name."""
        with self._editing() as document:
            document.servers[server.name] = server

    def record_event(self, event: ControlEvent) -> None:
        """Append one line to ``<registry>.audit.jsonl`` (never rewritten)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self._journal, "a", encoding="utf-8") as handle:
            handle.write(json.dumps(event.as_dict(), sort_keys=True) + "\n")

    def events(self, subject: str | None = None) -> list[ControlEvent]:
        """Return the control plane's audit, oldest first (only ``subject``'s if given)."""
        try:
            lines = self._journal.read_text(encoding="utf-8").splitlines()
        except FileNotFoundError:
            return []
        except OSError as exc:
            raise self._unavailable(exc) from exc
        found = [ControlEvent(**json.loads(line)) for line in lines if line.strip()]
        return [e for e in found if subject is None or e.subject == subject]

    @property
    def _journal(self) -> Path:
        return self.path.with_name(self.path.stem + ".audit.jsonl")

    def _load(self) -> dict[str, TenantRecord]:
        # Read the file every time: the CachedRegistry in front of it is the cache, and
        # mtime/inode stamps proved too coarse to notice two writes within one clock tick.
        try:
            self.path.stat()
        except FileNotFoundError:
            return {}  # an embedded registry starts empty: no file yet means no tenants
        except OSError as exc:
            raise self._unavailable(exc) from exc
        return self._parse()

    def _parse(self) -> dict[str, TenantRecord]:
        try:
            entries = self._document().get("tenants") or {}
            return {
                tenant_id: TenantRecord(id=tenant_id, **fields)
                for tenant_id, fields in entries.items()
            }
        except (OSError, yaml.YAMLError, AttributeError, TypeError, ValueError) as exc:
            raise self._unavailable(exc) from exc

    def _load_servers(self) -> dict[str, ServerRecord]:
        if not self.path.exists():
            return {}
        try:
            entries = self._document().get("servers") or {}
            return {
                name: ServerRecord(name=name, **fields)
                for name, fields in entries.items()
            }
        except ServerError as exc:
            raise self._unavailable(exc) from exc
        except (OSError, yaml.YAMLError, AttributeError, TypeError, ValueError) as exc:
            raise self._unavailable(exc) from exc

    def _document(self) -> dict:
        return yaml.load(self.path.read_text(encoding="utf-8"), Loader=_Loader) or {}

    @contextmanager
    def _editing(self) -> Iterator[_Document]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(self.path.name + ".lock"), "a") as lock_file:
            fcntl.flock(lock_file, fcntl.LOCK_EX)
            document = _Document(dict(self._load()), self._load_servers())
            yield document
            self._write(document.tenants, document.servers)

    def _write(
        self, records: dict[str, TenantRecord], servers: dict[str, ServerRecord]
    ) -> None:
        data: dict = {
            "tenants": {
                tenant_id: {
                    "database_url": record.database_url,
                    "status": record.status,
                    "revision": record.revision,
                    **({"server": record.server} if record.server else {}),
                }
                for tenant_id, record in sorted(records.items())
            }
        }
        if servers:
            data["servers"] = {
                name: server.as_dict() for name, server in sorted(servers.items())
            }
        fd, tmp = tempfile.mkstemp(
            dir=self.path.parent, prefix=self.path.name, suffix=".tmp"
        )
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            yaml.dump(data, handle, Dumper=_Dumper, sort_keys=False)
        os.replace(tmp, self.path)

    def _unavailable(self, exc: BaseException) -> RegistryUnavailable:
        return RegistryUnavailable(
            f"tenant registry file {self.path} cannot be read ({exc}); fix or restore the file",
            detail="The tenant registry is unavailable; try again shortly.",
        )
