"""Content negotiation: does a request's ``Accept`` header admit a media type?"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["accepts", "first_accepted"]


@lru_cache(maxsize=256)
def _ranges(header: str) -> tuple[tuple[str, str], ...]:
    """Return the (type, subtype) ranges with q > 0, in the order the client sent them."""
    ranges = []
    for item in header.split(","):
        kind, *params = item.strip().split(";")
        quality = 1.0
        for param in params:
            name, _, value = param.strip().partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        main, _, sub = kind.strip().lower().partition("/")
        if main and quality > 0:
            ranges.append((main, sub or "*"))
    return tuple(ranges)


def accepts(header: str | None, media_type: str) -> bool:
    """Return whether ``header`` (absent = anything) admits ``media_type``."""
    if not header:
        return True
    main, _, sub = media_type.split(";")[0].strip().lower().partition("/")
    return any(
        (want_main in ("*", main)) and (want_sub in ("*", sub))
        for want_main, want_sub in _ranges(header)
    )


def first_accepted(header: str | None, media_types: list[str]) -> str | None:
    """Return the first of ``media_types`` that ``header`` admits, if any."""
    return next((m for m in media_types if accepts(header, m)), None)
