"""Parse Prism-compatible ``Prefer`` headers: ``Prefer: code=404, example=not-found, dynamic=true``.

Preferences this mock does not know are ignored, as RFC 7240 asks; a known one with a value
it cannot use is an error the client should hear about.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Preference", "PreferInvalid", "parse_prefer", "prefer_in_query"]


class PreferInvalid(ValueError):
    """A ``Prefer`` header names a known preference with an unusable value."""


@dataclass(frozen=True)
class Preference:
    """What the client asked for; ``None`` means no preference."""

    code: int | None = None
    example: str | None = None
    dynamic: bool | None = None

    def __bool__(self) -> bool:
        return (
            self.code is not None
            or self.example is not None
            or self.dynamic is not None
        )


def parse_prefer(header: str | None) -> Preference:
    """Return the preferences in a ``Prefer`` header value (comma- or semicolon-separated)."""
    if not header:
        return Preference()
    code = example = dynamic = None
    for token in header.replace(";", ",").split(","):
        name, _, value = token.strip().partition("=")
        name = name.strip().lower()
        value = value.strip().strip('"')
        if name == "code":
            if not value.isdigit() or not 100 <= int(value) <= 599:
                raise PreferInvalid(
                    f"Prefer code={value!r} is not an HTTP status; send e.g. Prefer: code=404."
                )
            code = int(value)
        elif name == "example":
            if not value:
                raise PreferInvalid("Prefer example= needs an example name.")
            example = value
        elif name == "dynamic":
            if value.lower() not in ("true", "false"):
                raise PreferInvalid(f"Prefer dynamic={value!r} must be true or false.")
            dynamic = value.lower() == "true"
    return Preference(code=code, example=example, dynamic=dynamic)


#: Prism's query-string form of Prefer (``?__code=404&__example=gone``), for clients that
#: cannot set headers: the same three preferences.
_QUERY_PREFER = (("__code", "code"), ("__example", "example"), ("__dynamic", "dynamic"))


def prefer_in_query(query: dict[str, list[str]]) -> str | None:
    """Return a Prefer header value built from ``__code``/``__example``/``__dynamic``."""
    if not query:
        return None
    parts = [f"{name}={query[key][0]}" for key, name in _QUERY_PREFER if key in query]
    return ", ".join(parts) or None
