"""Turn spec parameter names into the keywords Connexion passes (``pythonic_params`` or not)."""

from __future__ import annotations

import builtins
import keyword
import re

__all__ = ["pythonic", "sanitized", "underscore"]

_ACRONYM = re.compile(r"([A-Z]+)([A-Z][a-z])")
_WORD = re.compile(r"([a-z\d])([A-Z])")


def underscore(word: str) -> str:
    """Return ``word`` in snake_case as inflection's ``underscore`` does (Connexion's choice)."""
    word = _WORD.sub(r"\1_\2", _ACRONYM.sub(r"\1_\2", word))
    return word.replace("-", "_").lower()


def sanitized(name: str) -> str:
    """Return ``name`` with what is not legal in a Python identifier removed."""
    name = re.sub(r"\[(?!])", "_", name)
    return name and re.sub("^[^a-zA-Z_]+", "", re.sub("[^0-9a-zA-Z_]", "", name))


def pythonic(name: str) -> str:
    """Return the snake_case keyword, with ``_`` after names that shadow a builtin or keyword."""
    if name:
        name = underscore(name)
        if name in builtins.__dict__ or keyword.iskeyword(name):
            name += "_"
    return sanitized(name)
