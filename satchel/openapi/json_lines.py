"""Find the line of a JSON pointer in JSON text, for messages about vendored JSON specs.

PyYAML refuses much real-world JSON (tabs, some escapes) and composes large files slowly, so
JSON gets its own scan: one pass of a tokenising regex, building {pointer: line} for every
key and array item. It runs only when a message needs a line, once per file.
"""

from __future__ import annotations

import json
import re

_TOKEN = re.compile(r'"(?:[^"\\]|\\.)*"|[{}\[\],:]|\n')


def json_lines(text: str) -> dict[str, int]:
    """Return the 1-based line of every member and item of the JSON ``text``, by pointer."""
    lines: dict[str, int] = {"": 1}
    # Each open container: [pointer, is_object, next item index, pending key].
    stack: list[list] = []
    line = 1
    expect_key = False
    for match in _TOKEN.finditer(text):
        token = match.group()
        if token == "\n":
            line += 1
            continue
        if token[0] == '"':
            if token.count("\n"):
                line += token.count("\n")
            if stack and stack[-1][1] and expect_key:
                top = stack[-1]
                top[3] = escape_token(_unquote(token))
                lines[f"{top[0]}/{top[3]}"] = line
                expect_key = False
            continue
        if token in "{[":
            pointer = _current(stack)
            if stack and not stack[-1][1]:
                lines[pointer] = line
            stack.append([pointer, token == "{", 0, None])
            if token == "[":
                lines[f"{pointer}/0"] = line
            expect_key = token == "{"
        elif token in "}]":
            if stack:
                stack.pop()
            expect_key = False
        elif token == ",":
            if stack:
                top = stack[-1]
                if top[1]:
                    expect_key = True
                else:
                    top[2] += 1
                    lines.setdefault(f"{top[0]}/{top[2]}", line)
    return lines


def _current(stack: list[list]) -> str:
    """Return the pointer of the value about to start (a member's or an item's)."""
    if not stack:
        return ""
    pointer, is_object, index, key = stack[-1]
    return f"{pointer}/{key}" if is_object else f"{pointer}/{index}"


def escape_token(token: str) -> str:
    """Escape one JSON pointer token (as source.escape_token, which imports this module)."""
    return token.replace("~", "~0").replace("/", "~1")


def _unquote(token: str) -> str:
    """Decode a JSON string token (keys rarely hold escapes; decode them when they do)."""
    body = token[1:-1]
    if "\\" not in body:
        return body
    try:
        return json.loads(token)
    except ValueError:
        return body
