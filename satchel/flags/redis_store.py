"""The shared store: rules in a Redis hash, a version token, and an append-only history list.

Each write sets a fresh random version token, so a poller needs one GET per interval to know
whether anything changed, and a restarted (emptied) Redis never repeats an old version.
"""

from __future__ import annotations

import json
import os
import uuid
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import redis

from satchel.flags.errors import FlagStoreError, StoreDataError, StoreUnavailableError
from satchel.flags.file_store import _now
from satchel.flags.store import EMPTY, ChangeRecord, RuleChange

TIMEOUT_SECONDS = 1.0


class RedisStore:
    """Rules under ``<prefix>:flags:*`` keys; ``?prefix=`` in the URL names the service."""

    def __init__(self, url: str) -> None:
        parts = urlsplit(url)
        query = dict(parse_qsl(parts.query))
        prefix = query.pop("prefix", "")
        if not prefix:
            raise FlagStoreError(
                "Redis flag store URL has no prefix; add ?prefix=<service>, "
                "e.g. redis://127.0.0.1:6379/0?prefix=students."
            )
        self._url = urlunsplit(parts._replace(query=urlencode(query)))
        host = f"{parts.hostname}:{parts.port}" if parts.port else parts.hostname or ""
        self._public = urlunsplit(parts._replace(netloc=host, query=""))  # no password
        self.rules_key = f"{prefix}:flags:rules"
        self.version_key = f"{prefix}:flags:version"
        self.history_key = f"{prefix}:flags:history"
        self._client: redis.Redis | None = None
        self._pid = 0

    def describe(self) -> str:
        """Return the URL without credentials, and the keys used."""
        return f"{self._public} ({self.rules_key})"

    @property
    def client(self) -> redis.Redis:
        """Return this process's client; a forked worker gets its own connection."""
        if self._client is None or self._pid != os.getpid():
            self._client = redis.Redis.from_url(
                self._url,
                decode_responses=True,
                socket_timeout=TIMEOUT_SECONDS,
                socket_connect_timeout=TIMEOUT_SECONDS,
            )
            self._pid = os.getpid()
        return self._client

    def fetch_if_changed(self, known_version: str | None) -> tuple[str, Any] | None:
        """GET the version; only when it moved, read version and rules in one transaction."""
        try:
            if (self.client.get(self.version_key) or EMPTY) == known_version:
                return None
            with self.client.pipeline(transaction=True) as pipe:
                version, fields = (
                    pipe.get(self.version_key).hgetall(self.rules_key).execute()
                )
        except redis.RedisError as error:
            raise StoreUnavailableError(f"{self.describe()}: {error}") from None
        if version is None:
            if fields:
                raise StoreDataError(
                    f"{self.describe()}: rules exist but {self.version_key} is missing; "
                    "change flags with `flask flags set`, which sets the version."
                )
            return EMPTY, {}
        return version, {key: self._decode(key, text) for key, text in fields.items()}

    def _decode(self, key: str, text: str) -> Any:
        try:
            return json.loads(text)
        except ValueError as error:
            raise StoreDataError(
                f"{self.describe()}: field {key!r} is not JSON ({error}): {text[:80]!r}"
            ) from None

    def update(self, key: str, change: RuleChange, who: str, why: str) -> ChangeRecord:
        """Change one rule with optimistic locking (WATCH), new version and history entry."""
        try:
            with self.client.pipeline(transaction=True) as pipe:
                while True:
                    try:
                        pipe.watch(self.rules_key)
                        stored = pipe.hget(self.rules_key, key)
                        old = None if stored is None else self._decode(key, stored)
                        new = change(old)
                        record = ChangeRecord(key, who, _now(), why, old, new)
                        pipe.multi()
                        if new is None:
                            pipe.hdel(self.rules_key, key)
                        else:
                            pipe.hset(
                                self.rules_key, key, json.dumps(new, sort_keys=True)
                            )
                        pipe.set(self.version_key, uuid.uuid4().hex)
                        pipe.rpush(self.history_key, record.to_json())
                        pipe.execute()
                        return record
                    except redis.WatchError:
                        continue  # another writer won the race; re-read and retry
        except redis.RedisError as error:
            raise StoreUnavailableError(f"{self.describe()}: {error}") from None

    def history(self, key: str | None = None, limit: int = 50) -> list[ChangeRecord]:
        """Return the latest changes from the history list, oldest first."""
        try:
            lines = self.client.lrange(self.history_key, 0, -1)
        except redis.RedisError as error:
            raise StoreUnavailableError(f"{self.describe()}: {error}") from None
        records = [ChangeRecord.from_json(line) for line in lines]
        return [r for r in records if key is None or r.flag == key][-limit:]
