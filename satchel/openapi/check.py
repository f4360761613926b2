"""Check a spec against the OpenAPI meta-schemas (development tooling, not the load path)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from satchel.openapi.errors import OpenAPIError, SpecError
from satchel.openapi.source import escape_token, read_document

if TYPE_CHECKING:
    from satchel.openapi.spec import Spec

_VALIDATORS = {
    "2.0": "OpenAPIV2SpecValidator",
    "3.0": "OpenAPIV30SpecValidator",
    "3.1": "OpenAPIV31SpecValidator",
}


def validate_document(spec: Spec) -> list[SpecError]:
    """Return every meta-schema violation of ``spec``'s root document (empty when it conforms).

    Needs openapi-spec-validator (the ``mock`` extra); loading a spec never calls this.
    """
    try:
        import openapi_spec_validator
    except ImportError:  # pragma: no cover - the test extra always installs it
        raise OpenAPIError(
            "validate_document needs openapi-spec-validator; install it with "
            "pip install 'satchel[mock]'"
        ) from None
    docs = spec.compiler.docs
    cls = getattr(openapi_spec_validator, _VALIDATORS[spec.version])
    # As written: a lenient load rewrote 3.1 types in spec.document (see lenient.py).
    written = read_document(docs.root_path, docs.shown(docs.root_uri))
    validator = cls(written, base_uri=docs.root_uri)
    problems = []
    for error in validator.iter_errors():
        error = _most_telling(error)
        pointer = "".join("/" + escape_token(str(part)) for part in error.absolute_path)
        problems.append(
            docs.error(
                (docs.root_uri, pointer),
                error.message,
                "See the OpenAPI specification.",
            )
        )
    return problems


def _most_telling(error: Any) -> Any:
    """Replace "not valid under any of the given schemas" with the branch that almost fit.

    Every spec object may also be a Reference, so the "'$ref' is required" branch is never the
    useful one; the deepest remaining error is.
    """
    while error.context:
        branches = sorted(
            error.context,
            key=lambda sub: ("'$ref'" in sub.message, -len(sub.absolute_path)),
        )
        error = branches[0]
    return error
