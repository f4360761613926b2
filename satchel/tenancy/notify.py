"""The change feed: registry writes announced over Redis pub/sub and applied by every process.

``flask tenants create|suspend|resume|drop`` publish the tenant's id on
``<prefix>:tenancy:changes`` after writing the registry; each serving process holds one
subscription (a daemon thread, started on its first request, so every forked worker gets its
own) and re-reads that tenant's entry when told, within milliseconds. Announcements are a
shortcut, never the only path: the registry stays the truth and the cache's TTL the bound
when Redis is down, and each (re)subscription reads the whole registry again for what was
missed in between.
"""

from __future__ import annotations

import os
import threading
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis
import structlog

from satchel.tenancy.cache import CachedRegistry
from satchel.tenancy.errors import TenancyError
from satchel.tenancy.records import validate_tenant_id

EVERYONE = "*"  # the message that asks every process to re-read the whole registry
TIMEOUT_SECONDS = 1.0
log = structlog.get_logger("satchel.tenancy")


class ChangeFeed:
    """Publish and receive registry changes on one Redis channel."""

    def __init__(
        self, url: str, cache: CachedRegistry, *, reconnect_interval: float = 1.0
    ) -> None:
        parts = urlsplit(url)
        if parts.scheme not in ("redis", "rediss", "unix"):
            raise ValueError(
                f"tenant change feed URL must be redis://HOST:PORT/DB?prefix=SERVICE, got"
                f" scheme {parts.scheme!r}; pass the flags' Redis URL or None"
            )
        query = dict(parse_qsl(parts.query))
        prefix = query.pop("prefix", "") or "satchel"
        self.channel = f"{prefix}:tenancy:changes"
        self._url = urlunsplit(parts._replace(query=urlencode(query)))
        host = f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname or ""
        self.public_url = urlunsplit(parts._replace(netloc=host, query=""))
        self.cache = cache
        self.reconnect_interval = reconnect_interval
        self.connected = False
        # The last attempt to reach Redis failed; cleared once subscribed again.
        self.failing = False
        self._pid = 0
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._publishing: tuple[int, redis.Redis] | None = None

    def publish(self, tenant_id: str = EVERYONE) -> bool:
        """Announce a change to one tenant (or all); return False, logged, if Redis is down."""
        try:
            self._publisher().publish(self.channel, tenant_id)
        except redis.RedisError as exc:
            log.warning(
                "tenancy.feed.publish_failed",
                channel=self.channel,
                redis=self.public_url,
                error=str(exc),
                applies_within_seconds=self.cache.ttl,
            )
            return False
        return True

    def ensure_listening(self) -> None:
        """Start this process's listener if it has none (a forked worker starts its own)."""
        if self._pid == os.getpid():
            return
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()
            # A forked child has its parent's flags but no subscription of its own yet.
            self.connected = False
            self.cache.feed_connected(False)
            self._stop = threading.Event()
            self._thread = threading.Thread(
                target=self._listen,
                args=(self._stop,),
                name="satchel-tenancy-feed",
                daemon=True,
            )
            self._thread.start()

    def stop(self) -> None:
        """Stop the listener and wait for it (tests and shutdown)."""
        with self._lock:
            self._stop.set()
            thread, self._thread = self._thread, None
            self._pid = 0
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)
        if self._publishing is not None:
            self._publishing[1].close()
            self._publishing = None

    def _publisher(self) -> redis.Redis:
        # One client per process (a forked one makes its own), kept between announcements.
        if self._publishing is None or self._publishing[0] != os.getpid():
            self._publishing = (
                os.getpid(),
                self._client(socket_timeout=TIMEOUT_SECONDS),
            )
        return self._publishing[1]

    def _client(self, **options: float | None) -> redis.Redis:
        return redis.Redis.from_url(
            self._url,
            decode_responses=True,
            socket_connect_timeout=TIMEOUT_SECONDS,
            **options,
        )

    def _listen(self, stop: threading.Event) -> None:
        while not stop.is_set():
            try:
                self._follow(stop)
            except redis.RedisError as exc:
                if self.connected or not self.failing:  # once per outage
                    log.warning(
                        "tenancy.feed.disconnected",
                        redis=self.public_url,
                        error=str(exc),
                        applies_within_seconds=self.cache.ttl,
                    )
                self.failing = True
            # The listener must outlive any one bad read (a registry row it cannot parse).
            except Exception:  # noqa: BLE001
                log.exception("tenancy.feed.failed", channel=self.channel)
            finally:
                self.connected = False
                self.cache.feed_connected(False)
            stop.wait(self.reconnect_interval)

    def _follow(self, stop: threading.Event) -> None:
        # health_check_interval pings an idle connection, so a dead Redis is noticed.
        with self._client(health_check_interval=5) as client:
            pubsub = client.pubsub()
            try:
                pubsub.subscribe(self.channel)
                # Wait until the server confirms the subscription: then nothing is missed.
                while not stop.is_set():
                    message = pubsub.get_message(timeout=TIMEOUT_SECONDS)
                    if message is not None and message["type"] == "subscribe":
                        break
                if stop.is_set():
                    return
                self.connected, self.failing = True, False
                self.cache.feed_connected(True)
                self.cache.reload_all()  # whatever changed while nobody listened
                log.info("tenancy.feed.subscribed", channel=self.channel)
                while not stop.is_set():
                    message = pubsub.get_message(timeout=TIMEOUT_SECONDS)
                    if message is not None and message["type"] == "message":
                        self._apply(message["data"])
            finally:
                pubsub.close()

    def _apply(self, data: str) -> None:
        if data == EVERYONE:
            self.cache.reload_all()
            return
        try:
            tenant_id = validate_tenant_id(data)
        except TenancyError:
            log.warning(
                "tenancy.feed.bad_message", channel=self.channel, data=data[:80]
            )
            return
        self.cache.reload(tenant_id)
