"""Find the schema ``pattern``s of a spec that are not valid ECMA-262, for load-time warnings.

Loading does not refuse such a spec (a pattern is one keyword of one schema, and the rest of
the spec is usable); validation reports a value checked against such a pattern as a 422
naming the pattern. This tells the spec's author beforehand, with file, line and pointer.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote, urlsplit

from satchel.openapi.ecma import PatternInvalid, compile_pattern
from satchel.openapi.errors import SpecError
from satchel.openapi.refs import Documents, Loc, child

if TYPE_CHECKING:
    from satchel.openapi.spec import Spec

__all__ = ["document_pattern_problems", "pattern_problems"]

# Values under these keys are data, not schemas: a "pattern" key there is not a keyword.
_DATA_KEYS = frozenset({"example", "examples", "default", "enum", "const", "value"})
_HINT = (
    "Write the pattern in ECMA-262 syntax (JSON Schema's dialect): for example "
    "\\p{Script=Greek} rather than \\p{Greek}, (?<name>...) rather than (?P<name>...)."
)


def pattern_problems(spec: Spec) -> list[SpecError]:
    """Return one error per ``pattern`` in any file of ``spec`` that does not compile."""
    return document_pattern_problems(spec.compiler.docs)


def document_pattern_problems(docs: Documents) -> list[SpecError]:
    """Return the pattern problems of loaded documents (for the loader, before a Spec exists)."""
    problems: list[SpecError] = []
    for uri, document in docs.files.items():
        if not _mentions_pattern(uri):
            continue  # most files have none; reading the text is ~20x faster than walking
        stack: list[tuple[Any, Loc]] = [(document, (uri, ""))]
        while stack:
            value, loc = stack.pop()
            if isinstance(value, list):
                stack.extend((item, child(loc, i)) for i, item in enumerate(value))
                continue
            if not isinstance(value, dict):
                continue
            pattern = value.get("pattern")
            if isinstance(pattern, str):
                try:
                    compile_pattern(pattern)
                except PatternInvalid as exc:
                    problems.append(docs.error(child(loc, "pattern"), str(exc), _HINT))
            keyed = value.get("patternProperties")
            for key in keyed if isinstance(keyed, dict) else ():
                try:
                    compile_pattern(str(key))
                except PatternInvalid as exc:
                    where = child(child(loc, "patternProperties"), str(key))
                    problems.append(docs.error(where, str(exc), _HINT))
            stack.extend(
                (item, child(loc, key))
                for key, item in value.items()
                if key not in _DATA_KEYS and isinstance(item, (dict, list))
            )
    return sorted(problems, key=lambda error: (error.file, error.line or 0))


def _mentions_pattern(uri: str) -> bool:
    """Tell whether the file at ``uri`` has the word ``pattern`` at all (unreadable: maybe)."""
    try:
        return b"pattern" in Path(unquote(urlsplit(uri).path)).read_bytes()
    except OSError:
        return True
