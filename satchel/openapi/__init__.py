"""The spec core: load an OpenAPI document, match requests to operations, validate them.

Pure library (reads spec files, nothing else) shared by the service runtime and the mock server.
"""

from satchel.openapi.check import validate_document
from satchel.openapi.errors import Issue, OpenAPIError, RequestInvalid, SpecError
from satchel.openapi.loader import load_spec
from satchel.openapi.patterns import pattern_problems
from satchel.openapi.model import (
    MISSING,
    Encoding,
    MediaType,
    Operation,
    Parameter,
    RequestBody,
    Response,
)
from satchel.openapi.request import RequestValidator
from satchel.openapi.router import Candidate, Match, Miss
from satchel.openapi.spec import Spec
from satchel.openapi.validation import ValidRequest

__all__ = [
    "MISSING",
    "Candidate",
    "Encoding",
    "Issue",
    "Match",
    "MediaType",
    "Miss",
    "OpenAPIError",
    "Operation",
    "Parameter",
    "RequestBody",
    "RequestInvalid",
    "RequestValidator",
    "Response",
    "Spec",
    "SpecError",
    "ValidRequest",
    "load_spec",
    "pattern_problems",
    "validate_document",
]
