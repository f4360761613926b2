"""Registry backends and the cache in front of them."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from satchel.tenancy import (
    FileRegistry,
    ProvisioningError,
    RegistryUnavailable,
    TenantNotFound,
    TenantRecord,
    registry_from_url,
)
from satchel.tenancy.cache import CachedRegistry
from satchel.tenancy.pgregistry import PostgresRegistry
from satchel.tenancy.provision import create_database
from tests.tenancy.support import PG

A = TenantRecord("a", "sqlite:///a.db")
B = TenantRecord("b", "sqlite:///b.db", "suspended", "0001")


@pytest.fixture(params=["file", "postgresql"])
def registry(request, tmp_path, new_db):
    """Yield each registry backend, empty."""
    if request.param == "file":
        yield FileRegistry(tmp_path / "instance" / "tenants.yaml")
        return
    url = f"{PG}/{new_db('control')}"
    create_database(url)
    backend = PostgresRegistry(url)
    yield backend
    backend.dispose()


def test_registry_round_trip(registry):
    """Records come back as they were stored, ordered by id; updates and removals stick."""
    assert registry.all() == [] and registry.get("a") is None
    registry.add(B)
    registry.add(A)
    assert registry.all() == [A, B]
    registry.put(A.with_status("suspended"))
    registry.record_revisions({"a": "0002", "b": "0002", "ghost": "0002"})
    assert registry.get("a") == TenantRecord("a", "sqlite:///a.db", "suspended", "0002")
    registry.remove("b")
    registry.remove("b")
    assert [r.id for r in registry.all()] == ["a"]
    registry.ping()


def test_registry_refuses_a_duplicate_tenant(registry):
    """Adding an id twice is a provisioning error, not a silent overwrite."""
    registry.add(A)
    with pytest.raises(ProvisioningError, match=r"^tenant 'a' already exists in "):
        registry.add(A)


def test_corrupt_registry_file_is_unavailable(tmp_path):
    """An unreadable registry file is a 503-class error naming the file, never 'no tenants'."""
    path = tmp_path / "tenants.yaml"
    path.write_text("tenants: [unclosed")
    with pytest.raises(RegistryUnavailable) as caught:
        FileRegistry(path).get("a")
    assert str(caught.value).startswith(f"tenant registry file {path} cannot be read (")
    assert caught.value.problem().status == 503


def test_unreachable_control_plane_is_unavailable_and_hides_the_password():
    """A control plane that refuses connections is reported without leaking secrets."""
    registry = PostgresRegistry(
        "postgresql://app:hunter2@127.0.0.1:1/control", timeout_seconds=1
    )
    with pytest.raises(RegistryUnavailable) as caught:
        registry.ping()
    assert str(caught.value) == (
        "control-plane registry at postgresql://app:***@127.0.0.1:1/control cannot be reached"
        " (OperationalError); check the database is up and the URL is right"
    )
    registry.dispose()


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("file://instance/tenants.yaml", FileRegistry),
        ("postgresql://127.0.0.1/control", PostgresRegistry),
        ("postgresql+psycopg://127.0.0.1/control", PostgresRegistry),
    ],
    ids=["file", "postgresql", "postgresql+psycopg"],
)
def test_registry_from_url(url, kind):
    """The URL scheme picks the backend."""
    assert isinstance(registry_from_url(url), kind)


def test_registry_from_url_rejects_other_schemes():
    """An unknown scheme lists the ones that work, without echoing credentials."""
    with pytest.raises(ValueError) as caught:
        registry_from_url("redis://:secret@host/0")
    assert str(caught.value) == (
        "unsupported tenant registry URL 'redis':...; expected"
        " 'file://instance/tenants.yaml' or 'postgresql://host/control-db'"
    )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        (
            {"status": "paused"},
            "tenant 'a' has status 'paused'; expected one of ('active', 'suspended', 'moving')",
        ),
        (
            {"database_url": ""},
            "tenant 'a' has no database_url; set one in the registry",
        ),
    ],
    ids=["bad status", "no url"],
)
def test_tenant_record_validates(kwargs, message):
    """Records are checked when built, so a bad registry row fails where it is read."""
    with pytest.raises(ValueError) as caught:
        TenantRecord(**{"id": "a", "database_url": "sqlite:///a.db", **kwargs})
    assert str(caught.value) == message


def test_tenant_record_repr_hides_the_password():
    """repr() is what ends up in logs and tracebacks."""
    record = TenantRecord("a", "postgresql://app:hunter2@db/a")
    assert "hunter2" not in repr(record) and "app:***@db/a" in repr(record)


class CountingRegistry:
    """A registry backend that counts reads and can be made slow or broken."""

    def __init__(self, records=(A,), delay: float = 0.0) -> None:
        self.records = {r.id: r for r in records}
        self.delay = delay
        self.broken = False
        self.get_delay = 0.0
        self.calls = {"all": 0, "get": 0}
        self._lock = threading.Lock()

    def all(self):
        with self._lock:
            self.calls["all"] += 1
        time.sleep(self.delay)
        if self.broken:
            raise RegistryUnavailable("down for the test")
        return list(self.records.values())

    def get(self, tenant_id):
        with self._lock:
            self.calls["get"] += 1
        time.sleep(self.get_delay)
        if self.broken:
            raise RegistryUnavailable("down for the test")
        return self.records.get(tenant_id)


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_cache_serves_from_memory_within_its_ttl():
    """One read per TTL, however many lookups."""
    backend, clock = CountingRegistry(), Clock()
    cache = CachedRegistry(backend, ttl=60, clock=clock)
    for _ in range(5):
        assert cache.lookup("a") == A
    clock.now += 60
    cache.lookup("a")
    assert backend.calls == {"all": 2, "get": 0}


def test_unknown_tenants_are_remembered_briefly():
    """A miss is looked up once, then answered from the negative cache until it expires."""
    backend, clock = CountingRegistry(), Clock()
    cache = CachedRegistry(backend, ttl=60, negative_ttl=5, clock=clock)
    for _ in range(3):
        with pytest.raises(TenantNotFound):
            cache.lookup("ghost")
    assert backend.calls["get"] == 1
    clock.now += 5
    backend.records["ghost"] = TenantRecord("ghost", "sqlite:///g.db")
    assert cache.lookup("ghost").id == "ghost"
    assert backend.calls == {"all": 1, "get": 2}


def test_a_tenant_created_after_the_snapshot_is_found_at_once():
    """New tenants do not wait for the TTL: a miss asks the registry directly."""
    backend = CountingRegistry()
    cache = CachedRegistry(backend, ttl=3600)
    cache.lookup("a")
    backend.records["b"] = B
    assert cache.lookup("b") == B


def test_only_one_thread_refreshes_a_cold_cache():
    """Eight concurrent lookups on a cold cache cause a single registry read."""
    backend = CountingRegistry(delay=0.2)
    cache = CachedRegistry(backend, ttl=60)
    with ThreadPoolExecutor(max_workers=8) as pool:
        results = list(pool.map(lambda _: cache.lookup("a"), range(8)))
    assert results == [A] * 8
    assert backend.calls["all"] == 1


def test_a_failed_refresh_caches_nothing():
    """A cold cache with the registry down raises; after the retry interval it reads again."""
    backend, clock = CountingRegistry(), Clock()
    cache = CachedRegistry(
        backend, ttl=60, negative_ttl=60, retry_interval=5, clock=clock
    )
    backend.broken = True
    for tenant in ("a", "ghost"):
        with pytest.raises(RegistryUnavailable):
            cache.lookup(tenant)
    assert backend.calls == {"all": 1, "get": 0}  # retried sparingly, not per request
    backend.broken = False
    clock.now += 5
    assert cache.lookup("a") == A
    with pytest.raises(TenantNotFound):
        cache.lookup("ghost")


def test_a_stale_snapshot_serves_known_tenants_while_the_registry_is_down():
    """Past its TTL with the registry down, known tenants are served from the last snapshot."""
    backend, clock = CountingRegistry(), Clock()
    cache = CachedRegistry(backend, ttl=60, retry_interval=5, clock=clock)
    assert cache.lookup("a") == A
    backend.broken = True
    clock.now += 61
    for _ in range(3):
        assert cache.lookup("a") == A
    with pytest.raises(RegistryUnavailable):
        cache.lookup("ghost")
    assert backend.calls == {"all": 2, "get": 0}
    assert cache.failure == "down for the test" and cache.snapshot_age() == 61
    backend.broken = False
    clock.now += 5
    assert cache.lookup("a") == A and cache.failure is None
    assert backend.calls["all"] == 3


def test_concurrent_misses_for_one_name_share_a_single_lookup():
    """Eight threads asking for the same unknown name cause one registry read of it."""
    backend = CountingRegistry()
    backend.get_delay = 0.2
    cache = CachedRegistry(backend, ttl=60)
    cache.lookup("a")

    def ask(_):
        with pytest.raises(TenantNotFound):
            cache.lookup("ghost")

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(ask, range(8)))
    assert backend.calls["get"] == 1


def test_a_lookup_that_fails_unexpectedly_is_not_remembered_as_missing():
    """An error other than an outage reaches the caller and caches nothing for the name."""
    backend = CountingRegistry()
    cache = CachedRegistry(backend, ttl=60)
    cache.lookup("a")
    backend.get = lambda tenant_id: TenantRecord(tenant_id, "sqlite:///g.db", "frozen")
    for _ in range(2):
        with pytest.raises(ValueError, match="frozen"):
            cache.lookup("ghost")
    backend.get = lambda tenant_id: None
    with pytest.raises(TenantNotFound):
        cache.lookup("ghost")
