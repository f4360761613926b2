"""The standard OpenFeature client, served by SatchelProvider with the tenant as targeting key."""

from __future__ import annotations

import pytest
import yaml
from openfeature import api
from openfeature.evaluation_context import EvaluationContext
from openfeature.exception import ErrorCode

from satchel.flags import SatchelProvider

RULES = {
    "notes-search": {"tenants_on": ["school-a"]},
    "page-size": {"value": 50},
    "ratio": {"value": 2},
}


@pytest.fixture
def app(make_app, flag_file):
    flag_file.parent.mkdir(parents=True)
    flag_file.write_text(yaml.safe_dump(RULES))
    app = make_app()

    @app.get("/of")
    def read_with_openfeature():
        client = api.get_client()
        details = client.get_boolean_details("notes-search", False)
        return {
            "search": details.value,
            "reason": details.reason,
            "page_size": client.get_integer_value("page-size", 0),
            "banner": client.get_string_value("banner", "x"),
            "ratio": client.get_float_value("ratio", 0.0),
        }

    return app


@pytest.mark.parametrize(
    ("tenant", "search", "reason"),
    [
        pytest.param("school-a", True, "TARGETING_MATCH", id="targeted"),
        pytest.param("school-b", False, "DEFAULT", id="not-targeted"),
    ],
)
def test_client_gets_the_tenant_as_targeting_key(app, tenant, search, reason) -> None:
    """Handlers use the standard client with no context: the request's tenant is applied."""
    body = app.test_client().get("/of", headers={"X-Tenant": tenant}).json
    assert body == {
        "search": search,
        "reason": reason,
        "page_size": 50,
        "banner": "",
        "ratio": 2.0,
    }


def test_invocation_context_overrides_the_tenant(app) -> None:
    """An explicit targeting key (a job acting for another tenant) wins."""
    with app.app_context():
        ctx = EvaluationContext(targeting_key="school-a")
        assert api.get_client().get_boolean_value("notes-search", False, ctx) is True


@pytest.mark.parametrize(
    ("call", "error_code", "message"),
    [
        pytest.param(
            lambda c: c.get_boolean_details("no-such-flag", True),
            ErrorCode.FLAG_NOT_FOUND,
            "Flag 'no-such-flag' is not declared; declared flags: notes-search, "
            "page-size, banner, ratio, reports. Declare it in the service's flags.py "
            "or fix the key.",
            id="undeclared",
        ),
        pytest.param(
            lambda c: c.get_string_details("notes-search", "x"),
            ErrorCode.TYPE_MISMATCH,
            "Flag 'notes-search' is declared as bool, read as str.",
            id="type-mismatch",
        ),
        pytest.param(
            lambda c: c.get_object_details("notes-search", {}),
            ErrorCode.TYPE_MISMATCH,
            "Flag 'notes-search': Satchel has no object flags.",
            id="object",
        ),
    ],
)
def test_errors_return_the_callers_default_with_a_code(app, call, error_code, message):
    """OpenFeature semantics: on error the call-site default comes back with the reason."""
    with app.app_context():
        details = call(api.get_client())
    assert (details.error_code, details.error_message) == (error_code, message)
    assert details.reason == "ERROR"


def test_provider_is_named_satchel() -> None:
    """The provider identifies itself in OpenFeature metadata."""
    assert SatchelProvider().get_metadata().name == "satchel"
