"""satchel.api.connexion_compat: Connexion's resolution, arguments, security and returns."""

from __future__ import annotations

import base64
import io
import sys
import textwrap
from pathlib import Path

import pytest
from flask import Flask, request

from satchel import auth, context, errors
from satchel.api import ApiError, HandlerMismatch
from satchel.api.connexion_compat import (
    FlaskApp,
    MethodResolver,
    RelativeResolver,
    add_api,
)
from satchel.openapi import SpecError
from satchel.testing import bearer, make_token

RESOURCES = Path(__file__).parent.parent / "resources" / "connexion"
SPEC = RESOURCES / "openapi.yaml"
KEY = "k" * 32


@pytest.fixture(autouse=True)
def handlers_importable(monkeypatch):
    """Put the resources' handler module on the import path for one test."""
    monkeypatch.syspath_prepend(str(RESOURCES))
    yield
    sys.modules.pop("compat_handlers", None)


@pytest.fixture
def client():
    """A compat app serving the resources' spec with pythonic parameters."""
    app = FlaskApp(__name__)
    app.add_api(SPEC, pythonic_params=True, strict_validation=True)
    return app.test_client()


def test_pythonic_parameters_and_query_defaults(client):
    """camelCase arrives snake_case, builtins get a trailing _, absent queries their default."""
    answer = client.get("/api/items/7?filter=red")
    assert answer.get_json() == {"item_id": 7, "filter": "red", "page_size": 10}


def test_router_controller_prefixes_the_operation_id(client):
    """x-openapi-router-controller names the module the operationId lives in."""
    answer = client.get("/api/controlled")
    assert (answer.status_code, answer.get_data(as_text=True)) == (200, "controlled")
    assert answer.mimetype == "text/plain"


def test_body_name_and_three_tuple(client):
    """x-body-name names the body keyword; (body, status, headers) is honoured."""
    answer = client.post("/api/things", json={"name": "a", "count": 2})
    assert (answer.status_code, answer.get_json()) == (201, {"name": "a", "count": 2})
    assert answer.headers["Location"] == "/things/1"


def test_var_keywords_receive_everything(client):
    """A handler with **kwargs gets path, query and body (headers are never passed)."""
    answer = client.post("/api/everything/x?q=1", json={"a": 1})
    assert answer.get_json() == {"keywords": ["body", "part", "q"], "body": {"a": 1}}


def test_absent_body_arrives_as_schema_default(client):
    """No body sent: the handler gets {} (the schema's default), as in Connexion."""
    assert client.post("/api/everything/x").get_json()["body"] == {}


@pytest.mark.parametrize(
    "kind, status, mimetype, body",
    [
        ("no-content", 202, None, b""),
        ("none", 204, None, b""),
        ("flask", 203, "text/csv", b"raw"),
        ("text-headers", 200, "text/plain", b"hi"),
        ("list", 200, "application/json", b"[1, 2]\n"),
    ],
    ids=["NoContent", "None", "flask-response", "body-and-headers", "json"],
)
def test_return_values(client, kind, status, mimetype, body):
    """Each return shape Connexion accepts renders as Connexion renders it."""
    answer = client.get(f"/api/returns/{kind}")
    assert (answer.status_code, answer.mimetype, answer.get_data()) == (
        status,
        mimetype,
        body,
    )


def test_problem_helper_and_problem_exception(client):
    """problem() keeps Connexion's body; a raised ProblemException becomes problem+json."""
    answer = client.get("/api/returns/problem")
    assert (answer.status_code, answer.mimetype) == (418, "application/problem+json")
    assert answer.get_json() == {
        "type": "about:blank",
        "title": "Teapot",
        "detail": "short and stout",
        "status": 418,
        "spout": 1,
    }
    raised = client.get("/api/returns/raise")
    assert (raised.status_code, raised.get_json()["detail"]) == (409, "taken")


def test_strict_validation_refuses_unknown_query(client):
    """strict_validation: a query parameter the spec does not declare is a 400 naming it."""
    answer = client.get("/api/items/1?colour=red")
    assert answer.status_code == 400
    assert answer.get_json()["detail"] == "Extra query parameter(s) colour not in spec"


def test_api_key_info_function_gives_user_and_token_info(client):
    """x-apikeyInfoFunc's result is token_info, its sub the user, both in context_."""
    answer = client.get("/api/secret", headers={"X-Key": "good"})
    assert answer.get_json() == {
        "user": "key-user",
        "token_info": {"sub": "key-user", "scopes": []},
        "context": ["token_info", "user"],
    }
    refused = client.get("/api/secret", headers={"X-Key": "bad"})
    assert (refused.status_code, refused.get_json()["detail"]) == (
        401,
        "Provided apikey is not valid",
    )
    missing = client.get("/api/secret")
    assert missing.get_json()["detail"] == "No authorization token provided"


def test_oauth_scopes_are_checked(client):
    """x-tokenInfoFunc plus the default scope check: a missing scope is a 403."""
    assert client.get("/api/scoped", headers=bearer("read,write")).status_code == 200
    answer = client.get("/api/scoped", headers=bearer("write"))
    assert answer.status_code == 403
    assert "Required: ['read']" in answer.get_json()["detail"]
    assert client.get("/api/scoped", headers=bearer("bad")).status_code == 401


def test_alternatives_use_whichever_credential_is_sent(client):
    """security: [api_key] or [basic]; the basic user comes from uid when there is no sub."""
    basic = "Basic " + base64.b64encode(b"ann:pw").decode()
    answer = client.get("/api/either", headers={"Authorization": basic})
    assert answer.get_json() == {"user": "ann"}
    assert client.get("/api/either", headers={"X-Key": "good"}).get_json() == {
        "user": "key-user"
    }


@pytest.mark.parametrize(
    "body, pointer",
    [
        ('{"name": "a\\u0000b"}', "/name"),
        ('{"count": 99999999999999999999}', "/count"),
    ],
    ids=["nul", "int-range"],
)
def test_storable_checks_apply_in_compat_mode(client, body, pointer):
    """NUL characters and out-of-range integers are 422 before the handler runs."""
    answer = client.post(
        "/api/things", data=body, headers={"Content-Type": "application/json"}
    )
    assert answer.status_code == 422
    assert answer.get_json()["errors"][0]["pointer"] == pointer


def test_body_limit_applies_in_compat_mode():
    """A body over max_body_bytes is refused with 413."""
    app = FlaskApp(__name__)
    app.add_api(SPEC, max_body_bytes=64, pythonic_params=True)
    answer = app.test_client().post("/api/things", json={"name": "x" * 100})
    assert answer.status_code == 413


def test_jinja_arguments_and_base_path():
    """arguments render the spec's Jinja; base_path replaces the servers URL; docs follow."""
    app = FlaskApp(__name__)
    app.add_api(
        SPEC, arguments={"title": "Rendered"}, base_path="/v2", pythonic_params=True
    )
    client = app.test_client()
    assert client.get("/v2/controlled").status_code == 200
    assert client.get("/api/controlled").status_code == 404
    assert client.get("/v2/openapi.json").get_json()["info"]["title"] == "Rendered"
    assert "/v2/controlled" in client.get("/v2/ui/").get_data(as_text=True)


def _spec(tmp_path: Path, operations: str, schemes: str = "{}") -> Path:
    path = tmp_path / "openapi.yaml"
    path.write_text(
        textwrap.dedent("""\
            openapi: 3.0.3
            info: {title: t, version: "1"}
            paths:
            """)
        + textwrap.indent(textwrap.dedent(operations), "  ")
        + f"components: {{securitySchemes: {schemes}}}\n"
    )
    return path


def test_unresolvable_handlers_are_named_at_start_up(tmp_path):
    """Each operation is named with the handler looked for and what was missing."""
    spec = _spec(
        tmp_path,
        """\
        /a: {get: {operationId: no_such_module.handler, responses: {"200": {description: ok}}}}
        /b: {get: {operationId: compat_handlers.missing, responses: {"200": {description: ok}}}}
        /c: {get: {operationId: bare, responses: {"200": {description: ok}}}}
        /d/{x}: {get: {operationId: compat_handlers.controlled, parameters: [{name: x, in: path,
          required: true, schema: {type: string}}], responses: {"200": {description: ok}}}}
        """,
    )
    with pytest.raises(HandlerMismatch) as raised:
        add_api(Flask(__name__), spec)
    assert [p.split(": ", 1)[1] for p in raised.value.problems] == [
        "GET /a no_such_module.handler: looked for no_such_module.handler: "
        "module no_such_module does not exist",
        "GET /b compat_handlers.missing: looked for compat_handlers.missing: "
        "compat_handlers has no attribute missing",
        "GET /c bare: 'bare' is not a dotted path; name the handler as module.function "
        "(or set x-openapi-router-controller)",
        "GET /d/{x} compat_handlers.controlled: handler does not accept the path "
        "parameter(s) x; add them to its parameters",
    ]


def test_scheme_without_info_function_refuses_to_start(tmp_path):
    """An API key scheme no function checks stops start-up (Connexion would leave it open)."""
    spec = _spec(
        tmp_path,
        """\
        /a: {get: {operationId: compat_handlers.controlled, security: [{k: []}],
          responses: {"200": {description: ok}}}}
        """,
        "{k: {type: apiKey, in: header, name: X-K}}",
    )
    with pytest.raises(
        HandlerMismatch,
        match="security scheme 'k' .* or name the function checking it with x-apikeyInfoFunc",
    ):
        add_api(Flask(__name__), spec)


def test_bearer_without_info_function_uses_satchel_jwt(tmp_path):
    """A bearer scheme with no x-bearerInfoFunc is satchel.auth's: needed, tenant-bound."""
    spec = _spec(
        tmp_path,
        """\
        /a: {get: {operationId: compat_handlers.scoped, security: [{jwt: []}],
          responses: {"200": {description: ok}}}}
        """,
        "{jwt: {type: http, scheme: bearer}}",
    )
    with pytest.raises(HandlerMismatch, match="neither an x-bearerInfoFunc nor"):
        add_api(Flask(__name__), spec)
    app = Flask(__name__)
    errors.init_app(app)

    @app.before_request
    def tenant_from_host() -> None:
        """Stand in for satchel.tenancy, as the runtime tests do: the host's first label."""
        context.tenant_id.set(request.host.split(".")[0])

    app.teardown_request(lambda _: context.tenant_id.set(None))

    auth.init_app(app, issuer="iss", audience="aud", key=KEY)
    add_api(app, spec)
    client = app.test_client()
    school_a = {"base_url": "http://school-a.example.test"}
    assert client.get("/a", **school_a).status_code == 401
    forged = make_token("x" * 32, issuer="iss", audience="aud", tenant="school-a")
    assert client.get("/a", headers=bearer(forged), **school_a).status_code == 401
    token = make_token(
        KEY, issuer="iss", audience="aud", subject="u-9", tenant="school-a"
    )
    answer = client.get("/a", headers=bearer(token), **school_a)
    assert (answer.status_code, answer.get_json()) == (200, {"user": "u-9"})
    other = client.get(
        "/a", headers=bearer(token), base_url="http://school-b.example.test"
    )
    assert other.status_code == 403


def test_unsupported_options_are_refused():
    """A Connexion option satchel does not implement is named, not silently ignored."""
    app = FlaskApp(__name__)
    with pytest.raises(ApiError, match="options swagger_url are not supported"):
        app.add_api(SPEC, options={"swagger_url": "/docs"})
    with pytest.raises(
        ApiError, match=r"option\(s\) jsonifier, uri_parser_class are not"
    ):
        app.add_api(SPEC, jsonifier=object(), uri_parser_class=object())


def test_swagger2_form_fields_arrive_as_keywords(tmp_path):
    """Swagger 2 formData fields are keywords of their own, coerced to their types."""
    spec = tmp_path / "swagger.yaml"
    spec.write_text(textwrap.dedent("""\
            swagger: "2.0"
            info: {title: t, version: "1"}
            consumes: [application/x-www-form-urlencoded]
            paths:
              /form:
                post:
                  operationId: compat_handlers.form_fields
                  parameters:
                    - {name: name, in: formData, type: string, required: true}
                    - {name: count, in: formData, type: integer}
                  responses: {"200": {description: ok}}
            """))
    app = FlaskApp(__name__)
    app.add_api(spec)
    answer = app.test_client().post("/form", data={"name": "a", "count": "3"})
    assert answer.get_json() == {"name": "a", "count": 3}


def test_async_handlers_and_remote_introspection_are_refused(tmp_path):
    """async def handlers and x-tokenInfoUrl-only schemes are named at start-up."""
    spec = _spec(
        tmp_path,
        """\
        /a: {get: {operationId: compat_handlers.asynchronous,
          responses: {"200": {description: ok}}}}
        /b: {get: {operationId: compat_handlers.scoped, security: [{o: []}],
          responses: {"200": {description: ok}}}}
        """,
        "{o: {type: oauth2, x-tokenInfoUrl: 'https://auth.test/info', flows: {implicit: "
        "{authorizationUrl: 'https://auth.test', scopes: {}}}}}",
    )
    with pytest.raises(HandlerMismatch) as raised:
        add_api(Flask(__name__), spec)
    assert [p.split(": ", 2)[2] for p in raised.value.problems] == [
        "handler is a coroutine (async def); satchel serves WSGI, so make it a plain def",
        "security scheme 'o' checks tokens at an x-tokenInfoUrl, which satchel does not call; "
        "name a local x-tokenInfoFunc, or verify JWTs with satchel.auth",
    ]


def _two_op_spec(tmp_path: Path) -> Path:
    return _spec(
        tmp_path,
        """\
        /counters: {post: {responses: {"200": {description: ok}}}}
        /both: {get: {operationId: both, x-openapi-router-controller: compat_handlers,
          security: [{k: [], b: []}], responses: {"200": {description: ok}}}}
        """,
        "{k: {type: apiKey, in: header, name: X-Key}, "
        "b: {type: http, scheme: basic, x-basicInfoFunc: compat_handlers.basic_info}}",
    )


def test_method_resolver_and_schemes_combined(tmp_path, monkeypatch):
    """MethodResolver keeps one instance; an AND of schemes needs both, token_info by scheme."""
    monkeypatch.setenv("APIKEYINFO_FUNC", "compat_handlers.key_info")
    app = FlaskApp(__name__)
    resolver = MethodResolver(
        "compat_handlers", class_arguments={"CountersView": {"kwargs": {"start": 5}}}
    )
    app.add_api(_two_op_spec(tmp_path), resolver=resolver)
    client = app.test_client()
    assert client.post("/counters").get_json() == {"count": 6}
    assert client.post("/counters").get_json() == {"count": 7}
    basic = {"Authorization": "Basic " + base64.b64encode(b"ann:pw").decode()}
    answer = client.get("/both", headers={"X-Key": "good", **basic})
    assert answer.get_json()["token_info"] == {
        "k": {"sub": "key-user", "scopes": []},
        "b": {"uid": "ann"},
    }
    assert client.get("/both", headers={"X-Key": "good"}).status_code == 401


def test_relative_resolver_and_resolver_error(tmp_path, monkeypatch):
    """RelativeResolver yields to a router controller; the unresolved answer resolver_error."""
    monkeypatch.setenv("APIKEYINFO_FUNC", "compat_handlers.key_info")
    app = FlaskApp(__name__)
    app.add_api(
        _two_op_spec(tmp_path),
        resolver=RelativeResolver("elsewhere"),
        resolver_error=501,
    )
    client = app.test_client()
    unresolved = client.post("/counters")
    assert unresolved.status_code == 501
    assert "operation has no operationId" in unresolved.get_json()["detail"]
    basic = {"Authorization": "Basic " + base64.b64encode(b"ann:pw").decode()}
    assert client.get("/both", headers={"X-Key": "good", **basic}).status_code == 200


def test_broken_template_names_the_spec_file(tmp_path):
    """A spec whose Jinja breaks, or which breaks once rendered, is named as the user wrote it."""
    spec = _spec(tmp_path, "/a: {get: {operationId: '{{ handler', responses: {}}}\n")
    with pytest.raises(
        Exception, match=f"^{spec}:4: the spec's Jinja template does not render"
    ):
        add_api(Flask(__name__), spec)
    spec.write_text(spec.read_text().replace("{{ handler", "{{ handler }}"))
    with pytest.raises(SpecError) as raised:
        add_api(Flask(__name__), spec, arguments={"handler": "it's"})
    assert raised.value.file == str(spec)


@pytest.mark.filterwarnings(
    "ignore:Using .httpx. with .starlette.testclient.",  # Connexion's side only
    "ignore::DeprecationWarning",  # Connexion's use of jsonschema.RefResolver
    # Connexion's side (Starlette) leaves its upload spool files for the garbage collector.
    "ignore::pytest.PytestUnraisableExceptionWarning",
)
def test_uploads_arrive_as_connexion_passes_them():
    """Uploads are keywords of their own, other fields the body: the same as on Connexion 3."""
    import connexion

    theirs = connexion.FlaskApp(__name__)
    theirs.add_api(RESOURCES / "uploads.yaml")
    ours = FlaskApp(__name__)
    ours.add_api(RESOURCES / "uploads.yaml")
    fields = {"note": "hi", "count": "2"}
    uploads = [
        ("file", ("a.txt", b"alpha", "text/plain")),
        ("files", ("b.txt", b"b", "text/plain")),
        ("files", ("c.txt", b"c", "text/plain")),
    ]
    with theirs.test_client() as client:
        expected = client.post("/upload", data=fields, files=uploads)
    data = {
        **fields,
        "file": (io.BytesIO(b"alpha"), "a.txt"),
        "files": [(io.BytesIO(b"b"), "b.txt"), (io.BytesIO(b"c"), "c.txt")],
    }
    answer = ours.test_client().post("/upload", data=data)
    assert expected.status_code == 200, expected.text
    assert (answer.status_code, answer.get_json()) == (200, expected.json())
