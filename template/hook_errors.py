"""Keep cookiecutter's traceback off the screen when a generation hook refuses the answers.

``hooks/pre_gen_project.py`` prints each bad answer as an ``ERROR:`` line saying what to type
instead and exits 1. Cookiecutter has no quiet way to stop: any non-zero exit raises
``FailedHookException``, which it logs with ``logger.exception`` (a traceback through its own
internals, which buries those lines) before its command line prints the one-line reason and
exits 1. This extension, loaded in cookiecutter's process like every ``_extensions`` entry,
drops that traceback and keeps the line "Stopping generation because ... hook script didn't
exit successfully". A hook that crashes still shows its own traceback: the hook's process
prints it.
"""

from __future__ import annotations

import logging

from jinja2.ext import Extension

FAILED_HOOK = "FailedHookException"


class _DropHookTraceback(logging.Filter):
    """Let a failed hook's log record through without its traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        error = record.exc_info[1] if record.exc_info else None
        if type(error).__name__ == FAILED_HOOK:
            record.exc_info = None
            record.exc_text = None
        return True


class HookErrorsWithoutTraceback(Extension):
    """Install the filter on cookiecutter's hook logger (once per process)."""

    def __init__(self, environment):
        super().__init__(environment)
        logger = logging.getLogger("cookiecutter.hooks")
        if not any(isinstance(f, _DropHookTraceback) for f in logger.filters):
            logger.addFilter(_DropHookTraceback())
