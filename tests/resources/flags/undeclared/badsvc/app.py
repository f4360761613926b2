"""A handler reading a flag its service never declared (parsed at start-up, never imported)."""

from satchel.flags import is_enabled


def handler():
    return is_enabled("not-declared")
