"""Turn the database errors a client's request can cause into problems instead of 500s.

The spec is checked before any query, but some rules live only in the database: a unique
name two requests race for (both check, both insert: one wins), a row another still refers
to, a number or text beyond its column. These become 409 or 422 problems naming the field,
never quoting the value (PostgreSQL's ``DETAIL`` carries the row's data) and never the SQL.
Anything else stays an unexpected error: a 500 logged with its stack trace by
:mod:`satchel.errors`.
"""

from __future__ import annotations

import re
from typing import Any

from satchel.problems import Problem

__all__ = ["problem_for"]

_KEY_COLUMNS = re.compile(r"Key \((?P<columns>.+?)\)=")
_SQLITE_UNIQUE = re.compile(r"UNIQUE constraint failed: (?P<columns>.+)")
# PostgreSQL SQLSTATE codes (Appendix A): what each means for the client, in its words.
_DATA_EXCEPTIONS = {
    "22001": "a text value is longer than its field allows",
    "22003": "a number is outside the range its field accepts",
    "22007": "a date or time value is not valid",
    "22008": "a date or time value is out of range",
    "22021": "a text value has a character the database cannot store",
    "22P05": "a text value has a character the database cannot store",
}


def problem_for(error: BaseException) -> Problem | None:
    """Return the problem a database error means for the client, or None if unexpected."""
    original = getattr(error, "orig", None)
    if original is None:
        return None
    code = getattr(original, "sqlstate", None)
    if code is not None:
        return _postgres_problem(code, getattr(original, "diag", None))
    return _sqlite_problem(original)


def _postgres_problem(code: str, diag: Any) -> Problem | None:
    table = getattr(diag, "table_name", None) or "row"
    detail = getattr(diag, "message_detail", None) or ""
    match = _KEY_COLUMNS.search(detail)
    columns = _split(match["columns"]) if match else []
    if code == "23505":
        return _unique(table, columns)
    if code == "23503":
        if "still referenced" in detail:
            return _conflict(
                f"This {table} is still referred to by other records; remove or move"
                " them first.",
                columns,
                "still referred to",
            )
        return _invalid(
            f"A field refers to a record that does not exist ({table} refers to it).",
            columns,
            "refers to a record that does not exist",
        )
    if code == "23514":
        column = getattr(diag, "column_name", None)
        return _invalid(
            f"A value breaks a rule of {table}; check the fields against the API"
            " description.",
            [column] if column else [],
            "breaks a rule of the database",
        )
    reason = _DATA_EXCEPTIONS.get(code)
    if reason is not None:
        return _invalid(f"The request cannot be stored: {reason}.", [], reason)
    return None


def _sqlite_problem(original: BaseException) -> Problem | None:
    name = getattr(original, "sqlite_errorname", "")
    message = str(original)
    if name == "SQLITE_CONSTRAINT_UNIQUE":
        match = _SQLITE_UNIQUE.search(message)
        qualified = _split(match["columns"]) if match else []
        table = qualified[0].split(".")[0] if qualified else "row"
        return _unique(table, [column.split(".")[-1] for column in qualified])
    if name == "SQLITE_CONSTRAINT_FOREIGNKEY":
        return _conflict(
            "The change breaks a reference between records: a field refers to a record"
            " that does not exist, or others still refer to this one.",
            [],
            "breaks a reference",
        )
    if name == "SQLITE_TOOBIG":
        return _invalid(
            "The request cannot be stored: a value is too large.", [], "too large"
        )
    return None


def _unique(table: str, columns: list[str]) -> Problem:
    fields = " and ".join(columns) or "key"
    return _conflict(
        f"Another {table} record already has this {fields}; {fields} must be unique:"
        " choose another.",
        columns,
        "already taken: must be unique",
        type="unique-violation",
    )


def _conflict(
    detail: str, columns: list[str], message: str, type: str = "conflict"
) -> Problem:
    return Problem(
        status=409, detail=detail, type=type, extensions=_errors(columns, message)
    )


def _invalid(detail: str, columns: list[str], message: str) -> Problem:
    return Problem(
        status=422,
        detail=detail,
        type="request-invalid",
        extensions=_errors(columns, message),
    )


def _errors(columns: list[str], message: str) -> dict[str, Any]:
    """Name each field as a body pointer: columns are named like the API's fields."""
    return {
        "errors": [
            {"in": "body", "pointer": f"/{column}", "message": message}
            for column in columns
        ]
    }


_EXPRESSION = re.compile(r"\w+\((?P<column>[^()]+)\)")


def _split(columns: str) -> list[str]:
    """Return the column names of a key, ``lower(name)`` (an expression index) as ``name``."""
    names = []
    for column in columns.split(","):
        column = column.strip().strip('"')
        expression = _EXPRESSION.fullmatch(column)
        if column:
            names.append(expression["column"] if expression else column)
    return names
