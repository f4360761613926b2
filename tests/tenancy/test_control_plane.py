"""The control plane degrades gracefully: outages, unknown hosts and suspensions, for real.

A PostgreSQL registry of its own per test (so its transactions can be counted in
``pg_stat_database``), the real Redis for the change feed, and cuttable TCP proxies in front
of either to take it away.
"""

from __future__ import annotations

import os
import secrets
import signal
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import psycopg
import pytest
import redis
import requests
import structlog

from satchel import health
from satchel.tenancy import create_tenant, drop_tenant, health_check, set_status
from satchel.tenancy.pgregistry import PostgresRegistry
from satchel.tenancy.provision import create_database
from satchel.tenancy.records import ACTIVE, SUSPENDED
from satchel.tenancy.runtime import Tenancy, TenancySettings
from tests.tenancy.support import MIGRATIONS, PG, Server, TcpProxy, host, make_app

P = "https://satchel.dev/problems/"
REDIS = ("127.0.0.1", 6379)
ROOT = Path(__file__).parents[2]
TENANTS = ("school-00", "school-01", "school-02", "school-03")


def _admin() -> psycopg.Connection:
    return psycopg.connect(
        "host=127.0.0.1 user=postgres dbname=postgres", autocommit=True
    )


@pytest.fixture(scope="module")
def control(estate, prefix):
    """Return (database name, URL) of a registry of its own holding four estate tenants.

    Only this module's tests use it, one at a time; each leaves every tenant active.
    """
    name = f"{prefix}_cp_control"
    url = f"{PG}/{name}"
    create_database(url)
    registry = PostgresRegistry(url)
    for record in estate.registry.all():
        if record.id in TENANTS:
            registry.add(record)
    registry.dispose()
    return name, url


@pytest.fixture
def feed_url():
    """Return a Redis URL with a prefix (so a channel) no other test or helper uses."""
    return f"redis://{REDIS[0]}:{REDIS[1]}/0?prefix=cp-{secrets.token_hex(4)}"


@pytest.fixture
def apps():
    """Collect apps to close; afterwards no change-feed thread may be left running."""
    made = []
    yield made
    for app in made:
        app.extensions["satchel.tenancy"].close()
        app.extensions["satchel.tenancy"].registry.dispose()
    assert [t for t in threading.enumerate() if t.name == "satchel-tenancy-feed"] == []


def operator(url: str, feed: str | None) -> Tenancy:
    """Return the tenancy `flask tenants suspend|resume` would build in a one-off task."""
    settings = TenancySettings(script_location=MIGRATIONS, change_feed_url=feed)
    return Tenancy(url, settings)


def transactions(database: str, registry: PostgresRegistry) -> int:
    """Return the transactions the database has run, once its connections have closed.

    Each new session runs one transaction of its own at start-up (catalog access), which
    ``sessions`` counts: those are not the registry's reads, so they are left out. (An
    autovacuum worker's visit would count too; the kit's PostgreSQL runs with it off.)
    """
    registry.dispose()  # a backend flushes its statistics when it exits
    with _admin() as conn:
        deadline = time.monotonic() + 10
        query = "SELECT count(*) FROM pg_stat_activity WHERE datname = %s"
        while conn.execute(query, (database,)).fetchone()[0]:
            assert time.monotonic() < deadline, f"connections to {database} stay open"
            time.sleep(0.05)
        conn.execute("SELECT pg_stat_clear_snapshot()")
        row = conn.execute(
            "SELECT xact_commit + xact_rollback - sessions FROM pg_stat_database"
            " WHERE datname = %s",
            (database,),
        ).fetchone()
    return row[0]


def wait_until(predicate, timeout: float, what: str) -> None:
    """Poll ``predicate`` until it holds; fail naming ``what`` after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"not within {timeout} s: {what}"
        time.sleep(0.02)


def test_known_tenants_are_served_while_the_registry_is_down_and_readyz_warns(
    control, apps
):
    """Registry gone past the TTL: known tenants 200, unknown 503, /readyz 200 with a warning."""
    name, _ = control
    proxy = TcpProxy()
    registry = PostgresRegistry(proxy.url(name))
    app = make_app(registry, cache_ttl=0.2, registry_retry_interval=0.2)
    health.init_app(app, install_signal_handler=False)
    health.register_check(app, "tenant-registry", health_check)
    health.mark_ready(app)
    apps.append(app)
    client = app.test_client()

    def get(tenant: str, path: str = "/notes"):
        return client.get(path, environ_overrides={"HTTP_HOST": host(tenant)})

    try:
        assert get("school-01").status_code == 200
        proxy.cut()
        time.sleep(
            0.3
        )  # past the TTL and the retry interval: the old cache gave 503 here
        served = [get(t).status_code for t in TENANTS]
        unknown = get("nobody")
        ready = get("school-01", "/readyz")
    finally:
        proxy.cut()
    assert served == [200] * 4
    assert (unknown.status_code, unknown.json["type"]) == (
        503,
        P + "tenant-registry-unavailable",
    )
    check = ready.json["checks"]["tenant-registry"]
    assert ready.status_code == 200 and check["status"] == "warn", ready.json
    assert "cannot be reached" in check["output"]
    assert "serving 4 known tenants from the registry as read" in check["output"]


@pytest.mark.parametrize("with_feed", [False, True], ids=["no-feed", "feed"])
def test_unknown_hosts_cost_at_most_one_registry_transaction_each(
    control, feed_url, apps, with_feed
):
    """30 unknown hosts asked 6 times at once: <= 1 transaction each; none with the feed live."""
    name, url = control
    registry = PostgresRegistry(url)
    app = make_app(
        registry, negative_ttl=60, change_feed_url=feed_url if with_feed else None
    )
    apps.append(app)
    tenancy = app.extensions["satchel.tenancy"]
    ghosts = [f"ghost-{i}" for i in range(30)]
    with Server(app) as server:
        assert server.get(host("school-00")).status_code == 200
        if with_feed:
            wait_until(lambda: tenancy.cache.complete, 10, "the change feed subscribed")
        before = transactions(name, registry)
        with ThreadPoolExecutor(max_workers=6) as pool:
            statuses = list(
                pool.map(lambda g: server.get(host(g)).status_code, ghosts * 6)
            )
        after = transactions(name, registry)
    assert statuses == [404] * len(statuses)
    spent = after - before
    assert spent == 0 if with_feed else 0 < spent <= len(ghosts), spent


@pytest.fixture
def granian(control, feed_url, tmp_path):
    """Serve the test app under granian with two worker processes; yield its base URL."""
    _, url = control
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(
            [str(ROOT / "tests/resources/tenancy"), str(ROOT)]
        ),
        "FEED_TEST_REGISTRY": url,
        "FEED_TEST_REDIS": feed_url,
    }
    command = [str(Path(sys.executable).parent / "granian"), "--interface", "wsgi"]
    command += ["--workers", "2", "--host", "127.0.0.1", "--port", str(port)]
    log = open(tmp_path / "granian.log", "w")
    process = subprocess.Popen(
        [*command, "feed_app:app"], env=env, stdout=log, stderr=log, cwd=tmp_path
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until(lambda: _answers(base), 30, "granian serves")
        yield base
    finally:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _answers(base: str) -> bool:
    try:
        requests.get(base + "/livez", timeout=2)
    except requests.ConnectionError:
        return False
    return True


def test_suspension_reaches_every_worker_process_within_seconds(
    granian, control, feed_url
):
    """Suspend, then resume: both granian workers apply each within 5 s (cache TTL: 300 s)."""
    _, url = control
    channel = feed_url.rsplit("=", 1)[1] + ":tenancy:changes"
    subscriptions = redis.Redis(*REDIS)
    seen: set[str] = set()

    def ask(_: object = None) -> tuple[int, str]:
        # A new connection each time, so the kernel spreads requests over both workers;
        # /whoami is admitted (or refused) like any route but reads no tenant data.
        response = requests.get(
            granian + "/whoami", headers={"Host": host("school-02")}, timeout=10
        )
        seen.add(response.headers["X-Worker-Pid"])
        return response.status_code, response.headers["X-Worker-Pid"]

    def subscribed() -> bool:
        # Four at a time, so both workers answer (and subscribe on their first request); a
        # worker first reached by the fixture's /livez probe subscribes without being seen.
        with ThreadPoolExecutor(max_workers=4) as pool:
            list(pool.map(ask, range(4)))
        count = dict(subscriptions.pubsub_numsub(channel))[channel.encode()]
        return count == 2 and len(seen) == 2

    wait_until(subscribed, 60, "one subscription per worker process, both answering")
    tenancy = operator(url, feed_url)
    try:
        for status, expected in ((SUSPENDED, 403), (ACTIVE, 200)):
            set_status(tenancy, "school-02", status)

            latest: dict[str, int] = {}  # each worker's latest answer

            def applied() -> bool:
                # Four at a time: while one worker is busy the other accepts.
                with ThreadPoolExecutor(max_workers=4) as pool:
                    latest.update((pid, code) for code, pid in pool.map(ask, range(8)))
                return set(latest) == seen and set(latest.values()) == {expected}

            wait_until(applied, 5, f"every worker answers {expected} after {status}")
    finally:
        tenancy.close()
        tenancy.registry.dispose()


def test_with_redis_down_suspension_applies_within_the_cache_ttl(
    control, feed_url, apps
):
    """No Redis: the service serves, /readyz warns, suspending works and applies after the TTL."""
    _, url = control
    dead_redis = TcpProxy(REDIS)
    dead_redis.cut()
    dead = f"redis://127.0.0.1:{dead_redis.port}/0?prefix=cp-dead"
    app = make_app(PostgresRegistry(url), cache_ttl=1, change_feed_url=dead)
    apps.append(app)
    client = app.test_client()
    env = {"HTTP_HOST": host("school-03")}
    assert client.get("/notes", environ_overrides=env).status_code == 200
    tenancy = app.extensions["satchel.tenancy"]
    wait_until(lambda: tenancy.feed.failing, 5, "the listener found Redis down")
    with app.app_context():
        status, output = health_check()
    assert status == "warn" and "change feed" in output and "within 1 s" in output
    cli = operator(url, dead)
    try:
        # The registry is written; publishing fails, is logged, and raises nothing.
        set_status(cli, "school-03", SUSPENDED)
        wait_until(
            lambda: client.get("/notes", environ_overrides=env).status_code == 403,
            3,
            "the suspension applied after the 1 s cache TTL",
        )
    finally:
        set_status(cli, "school-03", ACTIVE)
        cli.close()
        cli.registry.dispose()


def test_a_feed_that_was_cut_catches_up_on_reconnecting(control, feed_url, apps):
    """Redis cut, a suspension missed meanwhile: applied as soon as the feed reconnects."""
    _, url = control
    proxy = TcpProxy(REDIS)
    through_proxy = feed_url.replace(f":{REDIS[1]}/", f":{proxy.port}/")
    app = make_app(PostgresRegistry(url), cache_ttl=300, change_feed_url=through_proxy)
    apps.append(app)
    tenancy = app.extensions["satchel.tenancy"]
    client = app.test_client()
    env = {"HTTP_HOST": host("school-01")}
    cli = operator(url, feed_url)
    try:
        assert client.get("/notes", environ_overrides=env).status_code == 200
        wait_until(lambda: tenancy.feed.connected, 10, "the feed subscribed")
        proxy.cut()
        wait_until(lambda: not tenancy.feed.connected, 10, "the feed noticed the cut")
        set_status(cli, "school-01", SUSPENDED)  # announced, but nobody hears it
        assert client.get("/notes", environ_overrides=env).status_code == 200
        proxy.resume()
        wait_until(
            lambda: client.get("/notes", environ_overrides=env).status_code == 403,
            5,
            "the missed suspension applied on reconnecting",
        )
    finally:
        proxy.cut()
        set_status(cli, "school-01", ACTIVE)
        cli.close()
        cli.registry.dispose()


def test_a_change_feed_url_that_is_not_redis_is_refused(control):
    """A feed URL of another scheme fails at start-up, saying what is expected."""
    _, url = control
    with pytest.raises(ValueError) as caught:
        operator(url, "http://127.0.0.1:6379/0")
    assert str(caught.value) == (
        "tenant change feed URL must be redis://HOST:PORT/DB?prefix=SERVICE, got scheme"
        " 'http'; pass the flags' Redis URL or None"
    )


def test_a_malformed_announcement_is_logged_and_the_feed_carries_on(
    control, feed_url, apps
):
    """A message that is no tenant id is logged and skipped; the next one still applies."""
    _, url = control
    app = make_app(PostgresRegistry(url), cache_ttl=300, change_feed_url=feed_url)
    apps.append(app)
    tenancy = app.extensions["satchel.tenancy"]
    client = app.test_client()
    env = {"HTTP_HOST": host("school-00")}
    cli = operator(url, feed_url)
    try:
        with structlog.testing.capture_logs() as logs:
            assert client.get("/notes", environ_overrides=env).status_code == 200
            wait_until(lambda: tenancy.cache.complete, 10, "the feed subscribed")
            redis.Redis(*REDIS).publish(tenancy.feed.channel, "Not A Tenant!")
            set_status(cli, "school-00", SUSPENDED)
            wait_until(
                lambda: client.get("/notes", environ_overrides=env).status_code == 403,
                5,
                "the suspension after the bad message applied",
            )
    finally:
        set_status(cli, "school-00", ACTIVE)
        cli.close()
        cli.registry.dispose()
    bad = [e for e in logs if e["event"] == "tenancy.feed.bad_message"]
    assert bad == [
        {
            "event": "tenancy.feed.bad_message",
            "log_level": "warning",
            "channel": tenancy.feed.channel,
            "data": "Not A Tenant!",
        }
    ]


def test_a_registry_read_after_its_connections_were_killed_succeeds(control):
    """The server closed every pooled connection: the next read retries once and succeeds."""
    name, url = control
    registry = PostgresRegistry(url)
    try:
        assert len(registry.all()) == 4
        with _admin() as conn:
            killed = conn.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = %s AND pid <> pg_backend_pid()",
                (name,),
            ).fetchone()[0]
        assert killed >= 1
        assert [r.id for r in registry.all()] == list(TENANTS)
    finally:
        registry.dispose()


def test_with_the_feed_live_a_new_tenant_is_served_at_once(
    control, feed_url, apps, prefix, template_db
):
    """A host refused from the complete snapshot is served as soon as it is created."""
    _, url = control
    app = make_app(PostgresRegistry(url), negative_ttl=300, change_feed_url=feed_url)
    apps.append(app)
    tenancy = app.extensions["satchel.tenancy"]
    client = app.test_client()
    env = {"HTTP_HOST": host("newcomer")}
    assert client.get("/notes", environ_overrides=env).status_code == 404
    wait_until(lambda: tenancy.cache.complete, 10, "the feed subscribed")
    assert client.get("/notes", environ_overrides=env).status_code == 404
    settings = TenancySettings(
        script_location=MIGRATIONS,
        database_url_template=f"{PG}/{prefix}_{{tenant}}",
        change_feed_url=feed_url,
    )
    cli = Tenancy(url, settings)
    create_tenant(cli, "newcomer", template=template_db)
    try:
        wait_until(
            lambda: client.get("/notes", environ_overrides=env).status_code == 200,
            5,
            "the new tenant served",
        )
    finally:
        drop_tenant(cli, "newcomer")
        cli.close()
        cli.registry.dispose()
    wait_until(
        lambda: client.get("/notes", environ_overrides=env).status_code == 404,
        5,
        "the dropped tenant refused",
    )
