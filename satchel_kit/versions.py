"""Semantic versions of the kit and its release tags (``vX.Y.Z``)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import NamedTuple

_SEMVER = re.compile(r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$")


class Version(NamedTuple):
    """A release version X.Y.Z; tuples compare in release order."""

    major: int
    minor: int
    patch: int

    @classmethod
    def parse(cls, text: str) -> Version | None:
        """Return the version ``X.Y.Z`` (or tag ``vX.Y.Z``) names, None if it is not one."""
        found = _SEMVER.match(text.strip())
        return cls(*map(int, found.groups())) if found else None

    @property
    def tag(self) -> str:
        return f"v{self}"

    def __str__(self) -> str:
        return f"{self.major}.{self.minor}.{self.patch}"


def last_release(tags: Iterable[str]) -> Version | None:
    """Return the highest release among git tags; tags that are not ``vX.Y.Z`` are ignored."""
    versions = [v for v in (Version.parse(t) for t in tags if t.startswith("v")) if v]
    return max(versions, default=None)
