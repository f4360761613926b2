"""Choose a flag store by its URL: ``file://`` for the embedded default, ``redis://`` shared.

A module of its own so that the stores depend on :mod:`satchel.flags.store` and this
depends on them, never the other way round.
"""

from __future__ import annotations

from pathlib import Path

from satchel.flags.errors import FlagStoreError
from satchel.flags.file_store import FileStore
from satchel.flags.redis_store import RedisStore
from satchel.flags.store import FlagStore


def store_from_url(url: str, base_dir: Path) -> FlagStore:
    """Return the store named by ``url``; relative file paths are resolved from ``base_dir``."""
    if url.startswith("file://"):
        path = Path(url.removeprefix("file://"))
        return FileStore(path if path.is_absolute() else base_dir / path)
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisStore(url)
    raise FlagStoreError(
        f"Flag store URL {url.split('://')[0]!r}://... is not supported; "
        "use file://instance/flags.yaml or redis://HOST:PORT/DB?prefix=SERVICE."
    )
