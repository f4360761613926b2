"""The embedded default store: a YAML file of rules with a JSON-lines history beside it."""

from __future__ import annotations

import fcntl
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import yaml

from satchel.flags.errors import StoreDataError, StoreUnavailableError
from satchel.flags.store import ChangeRecord, RuleChange

HEADER = "# Flag rules. Change them with `flask flags set`, which records who, when and why.\n"


class FileStore:
    """Rules in ``flags.yaml`` (flag key -> rule); a missing file means 'all defaults'."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.history_path = path.with_name(f"{path.stem}-history.jsonl")

    def describe(self) -> str:
        """Return the file URL."""
        return f"file://{self.path}"

    def _version(self) -> str:
        try:
            stat = self.path.stat()
        except FileNotFoundError:
            return "absent"  # no file yet: every flag serves its declared default
        except OSError as error:
            raise StoreUnavailableError(f"{self.describe()}: {error}") from None
        return f"{stat.st_mtime_ns}-{stat.st_size}-{stat.st_ino}"

    def _read(self) -> Any:
        try:
            text = self.path.read_text()
        except FileNotFoundError:
            return {}
        except OSError as error:
            raise StoreUnavailableError(f"{self.describe()}: {error}") from None
        try:
            return yaml.safe_load(text) or {}
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = (
                f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
            )
            problem = getattr(error, "problem", None) or str(error)
            raise StoreDataError(
                f"{self.describe()}: malformed YAML{where}: {problem}"
            ) from None

    def fetch_if_changed(self, known_version: str | None) -> tuple[str, Any] | None:
        """Return (version, rules) when the file's stat changed since ``known_version``."""
        version = self._version()
        if version == known_version:
            return None
        return version, self._read()

    @contextmanager
    def _locked(self) -> Iterator[None]:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with open(self.path.with_name(f".{self.path.name}.lock"), "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield

    def update(self, key: str, change: RuleChange, who: str, why: str) -> ChangeRecord:
        """Rewrite the file with one rule changed (atomic replace) and append to the history."""
        with self._locked():
            rules = self._read()
            if not isinstance(rules, dict):
                raise StoreDataError(
                    f"{self.describe()}: expected a mapping of flag rules."
                )
            old = rules.get(key)
            new = change(old)
            if new is None:
                rules.pop(key, None)
            else:
                rules[key] = new
            self._write(rules)
            record = ChangeRecord(key, who, _now(), why, old, new)
            with open(self.history_path, "a") as history:
                history.write(record.to_json() + "\n")
        return record

    def _write(self, rules: dict[str, Any]) -> None:
        handle, temporary = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{self.path.name}."
        )
        with os.fdopen(handle, "w") as stream:
            stream.write(HEADER + yaml.safe_dump(rules, sort_keys=True))
        os.replace(temporary, self.path)

    def history(self, key: str | None = None, limit: int = 50) -> list[ChangeRecord]:
        """Return the latest changes from the JSON-lines history, oldest first."""
        try:
            lines = self.history_path.read_text().splitlines()
        except FileNotFoundError:
            return []
        records = [ChangeRecord.from_json(line) for line in lines if line.strip()]
        return [r for r in records if key is None or r.flag == key][-limit:]


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")
