"""The mock server's one base exception, carrying where the problem is and how to fix it."""

from __future__ import annotations

from pathlib import Path

__all__ = [
    "AnswerError",
    "AnswerViolates",
    "AnswersInvalid",
    "CannotSerialise",
    "ConfigError",
    "MockError",
    "OverlayError",
]


class MockError(Exception):
    """Something in the mock server's inputs is wrong; ``str()`` reads ``file:line: message``."""

    def __init__(
        self,
        message: str,
        *,
        file: str | Path | None = None,
        line: int | None = None,
        hint: str = "",
    ) -> None:
        self.message = message
        self.file = str(file) if file is not None else None
        self.line = line
        self.hint = hint
        super().__init__(self.__str__())

    def location(self) -> str:
        """Return ``file:line`` (or just ``file``), empty when the error has no file."""
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line is not None else self.file

    def __str__(self) -> str:
        where = self.location()
        text = f"{where}: {self.message}" if where else self.message
        return f"{text} {self.hint}".rstrip() if self.hint else text


class ConfigError(MockError):
    """The neighbours file (``mocks.yaml``) is missing, malformed or out of date."""


class OverlayError(MockError):
    """An overlay file is malformed or refers to something its spec does not declare."""


class AnswerError(MockError):
    """A response the mock would emit does not validate against the neighbour's spec."""


class AnswerViolates(AnswerError):
    """The only body at hand breaks the spec: ``issues`` says how, ``answer`` is that body.

    ``answer`` (None when even it cannot be written) is what a lenient mock may still serve,
    flagged by its violations; ``--errors`` answers 500 instead.
    """

    def __init__(
        self,
        message: str,
        *,
        issues: tuple = (),
        answer: object = None,
        file: str | Path | None = None,
        hint: str = "",
    ) -> None:
        self.issues = tuple(issues)
        self.answer = answer
        super().__init__(message, file=file, hint=hint)


class CannotSerialise(AnswerError):
    """A structured value (object, array) under a text media type that cannot carry it."""


class AnswersInvalid(MockError):
    """Several answers failed at load; ``errors`` lists each, one ``file:line: ...`` per line."""

    def __init__(self, errors: list[MockError]) -> None:
        self.errors = tuple(errors)
        super().__init__("\n".join(str(error) for error in errors))

    def __str__(self) -> str:
        return self.message
