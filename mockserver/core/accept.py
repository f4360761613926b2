"""Content negotiation: which of the media types an answer offers does ``Accept`` prefer?

Werkzeug's ``MIMEAccept`` does the reading (RFC 9110 section 12.5.1): q-values, ``q=0`` as a
refusal, and the most specific range deciding a type's quality (``application/xml;q=0.5``
beats ``application/*``). Ties go to the order the answer offers its types in, so the mock's
usual media type wins unless the client prefers another.

Media-type parameters match as RFC 9110 reads them for a server that names its own:
``application/vnd.api+json; version=1`` accepts a declared ``application/vnd.api+json``
(the declared type does not name ``version``, so it cannot contradict it), while a declared
``...; version=2`` is refused. Werkzeug alone demands the same parameters on both sides.
"""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from werkzeug.datastructures import MIMEAccept
from werkzeug.http import parse_accept_header

__all__ = ["best_match"]


class _ParameterTolerantAccept(MIMEAccept):
    """``MIMEAccept`` whose ranges match any declared type that contradicts none of their
    parameters; a declared type that is not ``type/subtype`` matches nothing (no 500).
    """

    def _value_matches(self, value: str, item: str) -> bool:
        offered, wanted = _split(value), _split(item)
        if offered is None or wanted is None:
            return False
        (o_type, o_sub, o_params), (w_type, w_sub, w_params) = offered, wanted
        if w_type == "*" and w_sub != "*":  # "*/json" from a client: invalid
            return False
        if w_type == "*" or (o_type == w_type and w_sub == "*"):
            return True
        if (o_type, o_sub) != (w_type, w_sub):
            return False
        return all(
            o_params.get(name, value) == value for name, value in w_params.items()
        )


def _split(media_type: str) -> tuple[str, str, dict[str, str]] | None:
    """Return (type, subtype, parameters) lower-cased and unquoted, None when malformed."""
    head, *params = media_type.lower().split(";")
    kind, slash, sub = head.strip().partition("/")
    if not slash or not kind or not sub:
        return None
    found = {}
    for param in params:
        name, _, value = param.partition("=")
        if name.strip() and name.strip() != "q":
            found[name.strip()] = value.strip().strip('"')
    return kind, sub.strip(), found


@lru_cache(maxsize=256)
def _parsed(header: str) -> MIMEAccept:
    """Parse an ``Accept`` header once (clients send the same few over and over)."""
    return parse_accept_header(header, _ParameterTolerantAccept)


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
