"""Content negotiation: which of the media types an answer offers does ``Accept`` prefer?

Werkzeug's ``MIMEAccept`` does the reading (RFC 9110 section 12.5.1): q-values, ``q=0`` as a
refusal, and the most specific range deciding a type's quality (``application/xml;q=0.5``
beats ``application/*``). Ties go to the order the answer offers its types in, so the mock's
usual media type wins unless the client prefers another.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

__all__ = ["best_match"]


@lru_cache(maxsize=256)
def _parsed(header: str) -> MIMEAccept:
    """Parse an ``Accept`` header once (clients send the same few over and over)."""
    return parse_accept_header(header, MIMEAccept)


def best_match(header: str | None, offered: Sequence[str]) -> str | None:
    """Return the type of ``offered`` that ``header`` prefers, ``None`` if it takes none.

    An absent or empty header accepts anything: the first offered type.
    """
    if not offered:
        return None
    if not header or not header.strip():
        return offered[0]
    return _best(header, tuple(offered))


@lru_cache(maxsize=1024)
def _best(header: str, offered: tuple[str, ...]) -> str | None:
    """Decide once per (header, offer): the answer is on every request's path."""
    return _parsed(header).best_match(offered)
