"""The package's public names are exactly what __all__ promises, and nothing is missing."""

from __future__ import annotations

import satchel.openapi

REQUIRED = {
    "load_spec", "Spec", "Operation", "Parameter", "RequestBody", "Response", "MediaType",
    "Match", "Miss", "Candidate", "ValidRequest", "RequestInvalid", "Issue", "SpecError",
    "MISSING",
}  # fmt: skip


def test_all_lists_the_contract():
    """Every name of the shared interface is exported, and __all__ names only real objects."""
    assert REQUIRED <= set(satchel.openapi.__all__)
    for name in satchel.openapi.__all__:
        assert getattr(satchel.openapi, name) is not None


def test_errors_share_one_base():
    """SpecError and RequestInvalid both derive from OpenAPIError."""
    assert issubclass(satchel.openapi.SpecError, satchel.openapi.OpenAPIError)
    assert issubclass(satchel.openapi.RequestInvalid, satchel.openapi.OpenAPIError)


def test_missing_is_a_falsy_singleton():
    """MISSING is distinct from None, falsy, and prints as MISSING."""
    missing = satchel.openapi.MISSING
    assert missing is not None and not missing and repr(missing) == "MISSING"
    assert type(missing)() is missing
