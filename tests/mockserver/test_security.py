"""Security: a request without the credential its operation requires gets 401 (presence only)."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import requests
import yaml

from mockserver.cli.check import check_config
from mockserver.cli.main import EXIT_USAGE, main
from mockserver.cli.pin import pin_digests
from mockserver.core.engine import Engine
from mockserver.core.errors import AnswersInvalid, ConfigError
from mockserver.core.messages import MockRequest, MockResponse
from mockserver.harness.inprocess import InProcessMocks
from mockserver.runtime.config import load_config
from satchel.openapi import load_spec
from tests.mockserver.conftest import RunningMock, free_port, start_mock

PATH = "/v1/classes/1/pupils"
ROUTE = "GET /v1/classes/{class_id}/pupils"
FIX = (
    "Send the credential the real service expects, "
    'or set "security: off" for students in mocks.yaml.'
)
HINT = (
    "Fix the neighbour's spec and re-vendor it, "
    'or set "security: off" for this neighbour in mocks.yaml.'
)
BEARER = {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
BASIC = {"type": "http", "scheme": "basic"}
SCHEMES = {
    "bearerAuth": BEARER,
    "basicAuth": BASIC,
    "digestAuth": {"type": "http", "scheme": "Digest"},
    "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key"},
    "queryKey": {"type": "apiKey", "in": "query", "name": "api_key"},
    "sessionCookie": {"type": "apiKey", "in": "cookie", "name": "session"},
    "oauth": {
        "type": "oauth2",
        "flows": {"clientCredentials": {"tokenUrl": "/token", "scopes": {}}},
    },
    "oidc": {"type": "openIdConnect", "openIdConnectUrl": "/.well-known/oidc"},
}
OK = {
    "description": "the pupils",
    "content": {
        "application/json": {
            "schema": {"type": "array", "items": {"type": "string"}},
            "example": ["Ada"],
        }
    },
}


def openapi(
    tmp_path: Path,
    security: list | None = None,
    *,
    operation: list | None = None,
    responses: dict | None = None,
    schemes: dict | None = None,
) -> Path:
    """Write an OpenAPI 3 spec with one operation; document- and operation-level security."""
    get: dict = {
        "operationId": "list_class_pupils",
        "parameters": [
            {
                "name": "class_id",
                "in": "path",
                "required": True,
                "schema": {"type": "integer"},
            }
        ],
        "responses": {"200": OK, **(responses or {})},
    }
    if operation is not None:
        get["security"] = operation
    document: dict = {
        "openapi": "3.0.3",
        "info": {"title": "students", "version": "1"},
        "servers": [{"url": "/v1"}],
        "paths": {"/classes/{class_id}/pupils": {"get": get}},
        "components": {"securitySchemes": SCHEMES if schemes is None else schemes},
    }
    if security is not None:
        document["security"] = security
    path = tmp_path / "openapi.yaml"
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path


def call(
    engine: Engine, headers: dict | None = None, query: str = "", path: str = PATH
) -> MockResponse:
    """Send GET ``path`` to the engine with lower-cased headers, as both transports do."""
    lowered = {k.lower(): v for k, v in (headers or {}).items()}
    return engine.handle(MockRequest("GET", path, query, lowered))


def detail(response: MockResponse) -> str:
    """Return the problem's detail."""
    return json.loads(response.body)["detail"]


def test_bearer_present_passes_and_absent_is_a_401_saying_what_to_send(tmp_path):
    """No token: 401 problem+json naming the scheme, the missing header and the fix."""
    engine = Engine("students", load_spec(openapi(tmp_path, [{"bearerAuth": []}])))
    assert call(engine, {"Authorization": "Bearer abc.def"}).status == 200
    assert (
        call(engine, {"Authorization": "bearer abc"}).status == 200
    )  # case-insensitive
    refused = call(engine)
    assert refused.status == 401
    assert refused.header("content-type") == "application/problem+json"
    assert refused.header("www-authenticate") == 'Bearer realm="students"'
    assert refused.header("satchel-mock-source") == "mock: missing credentials"
    # The access log and the journal name the operation, as for any other answer.
    assert (refused.route, refused.operation_id) == (
        "/v1/classes/{class_id}/pupils",
        "list_class_pupils",
    )
    body = json.loads(refused.body)
    assert body == {
        "type": "https://satchel.dev/problems/mock-unauthorized",
        "title": "Unauthorized",
        "status": 401,
        "detail": f"students mock: {ROUTE} requires bearerAuth (Authorization: Bearer "
        f"<token>); the request has no Authorization header. {FIX}",
    }


# id, security, headers, query, status, "requires ...; the request has ..." (401), challenge
CASES = [
    ("bearer-wrong-scheme", [{"bearerAuth": []}], {"Authorization": "Basic dTpw"}, "",
     401, "bearerAuth (Authorization: Bearer <token>); the request has Authorization: "
     "Basic, not Bearer", 'Bearer realm="students"'),
    ("bearer-empty-token", [{"bearerAuth": []}], {"Authorization": "Bearer  "}, "",
     401, "bearerAuth (Authorization: Bearer <token>); the request has Authorization: "
     "Bearer with no token", 'Bearer realm="students"'),
    ("bearer-bare-token", [{"bearerAuth": []}], {"Authorization": "s3cret"}, "",
     401, "bearerAuth (Authorization: Bearer <token>); the request has an Authorization "
     "header without a scheme, not Bearer", 'Bearer realm="students"'),
    ("basic", [{"basicAuth": []}], {"Authorization": "Basic dTpw"}, "", 200, None, None),
    ("basic-absent", [{"basicAuth": []}], {}, "", 401, "basicAuth (Authorization: Basic "
     "<credentials>); the request has no Authorization header", 'Basic realm="students"'),
    ("basic-got-bearer", [{"basicAuth": []}], {"Authorization": "Bearer t"}, "", 401,
     "basicAuth (Authorization: Basic <credentials>); the request has Authorization: "
     "Bearer, not Basic", 'Basic realm="students"'),
    ("other-http-scheme", [{"digestAuth": []}], {"Authorization": 'digest nonce="1"'}, "",
     200, None, None),
    ("other-http-scheme-absent", [{"digestAuth": []}], {"Authorization": "Bearer t"}, "",
     401, "digestAuth (Authorization: Digest ...); the request has Authorization: Bearer, "
     "not Digest", 'Digest realm="students", qop="auth", algorithm=SHA-256, '
     'nonce="satchel-mock"'),
    ("api-key-header", [{"apiKey": []}], {"X-API-Key": "k"}, "", 200, None, None),
    ("api-key-header-absent", [{"apiKey": []}], {}, "", 401,
     "apiKey (X-API-Key header); the request has no X-API-Key header", None),
    ("api-key-header-empty", [{"apiKey": []}], {"X-API-Key": ""}, "", 401,
     "apiKey (X-API-Key header); the request has an empty X-API-Key header", None),
    ("api-key-query", [{"queryKey": []}], {}, "api_key=k", 200, None, None),
    ("api-key-query-absent", [{"queryKey": []}], {}, "other=k", 401,
     "queryKey (api_key query parameter); the request has no api_key query parameter",
     None),
    ("api-key-cookie", [{"sessionCookie": []}], {"Cookie": "theme=dark; session=abc"},
     "", 200, None, None),
    ("api-key-cookie-absent", [{"sessionCookie": []}], {"Cookie": "theme=dark"}, "", 401,
     "sessionCookie (session cookie); the request has no session cookie", None),
    ("oauth2", [{"oauth": ["read"]}], {"Authorization": "Bearer t"}, "", 200, None, None),
    ("oauth2-absent", [{"oauth": ["read"]}], {"X-API-Key": "k"}, "", 401,
     "oauth (Authorization: Bearer <token>); the request has no Authorization header",
     'Bearer realm="students"'),
    ("open-id-connect", [{"oidc": []}], {"Authorization": "Bearer t"}, "", 200, None,
     None),
    ("open-id-connect-basic", [{"oidc": []}], {"Authorization": "Basic dTpw"}, "", 401,
     "oidc (Authorization: Bearer <token>); the request has Authorization: Basic, not "
     "Bearer", 'Bearer realm="students"'),
    ("or-second", [{"bearerAuth": []}, {"apiKey": []}], {"X-API-Key": "k"}, "", 200,
     None, None),
    ("or-neither", [{"bearerAuth": []}, {"basicAuth": []}, {"apiKey": []}], {}, "", 401,
     "bearerAuth (Authorization: Bearer <token>) or basicAuth (Authorization: Basic "
     "<credentials>) or apiKey (X-API-Key header); the request has no Authorization "
     "header and no X-API-Key header", 'Bearer realm="students", Basic realm="students"'),
    ("or-wrong-scheme", [{"bearerAuth": []}, {"basicAuth": []}], {"Authorization": "Hoba x"},
     "", 401, "bearerAuth (Authorization: Bearer <token>) or basicAuth (Authorization: "
     "Basic <credentials>); the request has Authorization: Hoba, not Bearer or Basic",
     'Bearer realm="students", Basic realm="students"'),
    ("and-both", [{"bearerAuth": [], "apiKey": []}],
     {"Authorization": "Bearer t", "X-API-Key": "k"}, "", 200, None, None),
    ("and-one-missing", [{"bearerAuth": [], "apiKey": []}], {"Authorization": "Bearer t"},
     "", 401, "bearerAuth (Authorization: Bearer <token>) and apiKey (X-API-Key header); "
     "the request has no X-API-Key header", 'Bearer realm="students"'),
    ("or-of-ands", [{"bearerAuth": []}, {"apiKey": [], "sessionCookie": []}],
     {"X-API-Key": "k"}, "", 401, "bearerAuth (Authorization: Bearer <token>) or both "
     "apiKey (X-API-Key header) and sessionCookie (session cookie); the request has no "
     "Authorization header and no session cookie", 'Bearer realm="students"'),
    ("optional", [{"bearerAuth": []}, {}], {}, "", 200, None, None),
    ("optional-first", [{}, {"bearerAuth": []}], {}, "", 200, None, None),
    ("no-security", None, {}, "", 200, None, None),
]  # fmt: skip


@pytest.mark.parametrize(
    "security, headers, query, status, explained, challenge",
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_presence_of_each_kind_of_credential(
    tmp_path, security, headers, query, status, explained, challenge
):
    """Any requirement object will do; within one, every scheme must be present."""
    engine = Engine("students", load_spec(openapi(tmp_path, security)))
    response = call(engine, headers, query)
    assert response.status == status
    if status == 401:
        assert detail(response) == (
            f"students mock: {ROUTE} requires {explained}. {FIX}"
        )
        assert response.header("www-authenticate") == challenge
    else:
        assert json.loads(response.body) == ["Ada"]


def test_operation_level_security_overrides_the_document(tmp_path):
    """`security: []` on an operation switches the global requirement off; another replaces it."""
    off = Engine(
        "students", load_spec(openapi(tmp_path, [{"bearerAuth": []}], operation=[]))
    )
    assert call(off).status == 200
    other = Engine(
        "students",
        load_spec(openapi(tmp_path, [{"bearerAuth": []}], operation=[{"apiKey": []}])),
    )
    refused = call(other, {"Authorization": "Bearer t"})
    assert refused.status == 401
    assert detail(refused) == (
        f"students mock: {ROUTE} requires apiKey (X-API-Key header); the request has no "
        f"X-API-Key header. {FIX}"
    )
    assert refused.header("www-authenticate") is None
    assert call(other, {"X-API-Key": "k"}).status == 200


def test_the_specs_own_401_answers_when_it_declares_one(tmp_path):
    """The declared 401 example is the body; the challenge is added, the source says why."""
    declared = {
        "401": {
            "description": "no token",
            "content": {
                "application/problem+json": {
                    "schema": {"type": "object"},
                    "example": {"title": "Unauthorized", "detail": "log in first"},
                }
            },
        }
    }
    spec = openapi(tmp_path, [{"bearerAuth": []}], responses=declared)
    refused = call(Engine("students", load_spec(spec)))
    assert refused.status == 401
    assert json.loads(refused.body) == {
        "title": "Unauthorized",
        "detail": "log in first",
    }
    assert refused.header("content-type") == "application/problem+json"
    assert refused.header("www-authenticate") == 'Bearer realm="students"'
    assert refused.header("satchel-mock-source") == (
        f"spec 401 response: students mock: {ROUTE} requires bearerAuth (Authorization: "
        "Bearer <token>); the request has no Authorization header. Send the credential "
        'the real service expects, or set "security: off" for students in mocks.yaml.'
    )
    assert refused.operation_id == "list_class_pupils"


def test_a_declared_www_authenticate_header_is_kept(tmp_path):
    """When the spec's 401 declares WWW-Authenticate, its value is sent, not the mock's."""
    declared = {
        "401": {
            "description": "no token",
            "headers": {
                "WWW-Authenticate": {
                    "schema": {"type": "string", "enum": ['Bearer realm="api"']}
                }
            },
        }
    }
    spec = openapi(tmp_path, [{"bearerAuth": []}], responses=declared)
    refused = call(Engine("students", load_spec(spec)))
    assert (refused.status, refused.body) == (401, b"")
    assert [v for k, v in refused.headers if k == "www-authenticate"] == [
        'Bearer realm="api"'
    ]


def test_credentials_are_checked_before_the_request_is_validated(tmp_path):
    """Like Prism: no token is 401 even for an invalid request; with one, it is 422."""
    engine = Engine("students", load_spec(openapi(tmp_path, [{"bearerAuth": []}])))
    path = "/v1/classes/abc/pupils"
    assert call(engine, path=path).status == 401
    invalid = call(engine, {"Authorization": "Bearer t"}, path=path)
    assert invalid.status == 422
    assert json.loads(invalid.body)["errors"][0]["name"] == "class_id"


SWAGGER = """\
swagger: "2.0"
info: {title: students, version: "1"}
basePath: /v1
produces: [application/json]
securityDefinitions:
  basicAuth: {type: basic}
  apiKey: {type: apiKey, in: header, name: X-API-Key}
  queryKey: {type: apiKey, in: query, name: api_key}
  oauth: {type: oauth2, flow: application, tokenUrl: /token, scopes: {}}
security:
  - basicAuth: []
paths:
  /pupils:
    get:
      operationId: list_pupils
      responses:
        "200": {description: ok, schema: {type: string, enum: [ok]}}
  /pupils/{id}:
    get:
      operationId: get_pupil
      security: [{oauth: []}, {apiKey: [], queryKey: []}]
      parameters: [{name: id, in: path, required: true, type: integer}]
      responses:
        "200": {description: ok, schema: {type: string, enum: [ok]}}
"""


@pytest.mark.parametrize(
    "path, headers, query, status, explained, challenge",
    [
        ("/v1/pupils", {"Authorization": "Basic dTpw"}, "", 200, None, None),
        ("/v1/pupils", {}, "", 401, "basicAuth (Authorization: Basic <credentials>); the "
         "request has no Authorization header", 'Basic realm="students"'),
        ("/v1/pupils/1", {"Authorization": "Bearer t"}, "", 200, None, None),
        ("/v1/pupils/1", {"X-API-Key": "k"}, "api_key=q", 200, None, None),
        ("/v1/pupils/1", {"X-API-Key": "k"}, "", 401, "oauth (Authorization: Bearer "
         "<token>) or both apiKey (X-API-Key header) and queryKey (api_key query "
         "parameter); the request has no Authorization header and no api_key query "
         "parameter", 'Bearer realm="students"'),
    ],
    ids=["basic", "basic-absent", "oauth2", "api-keys", "api-key-half"],
)  # fmt: skip
def test_swagger_2_security_definitions(
    tmp_path, path, headers, query, status, explained, challenge
):
    """Swagger 2: basic is Basic, oauth2 is Bearer, apiKey is its header or query parameter."""
    spec = tmp_path / "swagger.yaml"
    spec.write_text(SWAGGER)
    response = call(Engine("students", load_spec(spec)), headers, query, path=path)
    assert response.status == status
    if status == 401:
        route = path.replace("/1", "/{id}")
        assert detail(response) == (
            f"students mock: GET {route} requires {explained}. {FIX}"
        )
        assert response.header("www-authenticate") == challenge
    else:
        assert response.body == b'"ok"'


BROKEN = """\
openapi: 3.0.3
info: {title: students, version: "1"}
security:
  - bearAuth: []
paths:
  /a:
    get:
      operationId: getA
      responses: {"200": {description: ok}}
  /b:
    get:
      operationId: getB
      security:
        - bearerAuth: []
          tenantKey: []
      responses: {"200": {description: ok}}
components:
  securitySchemes:
    bearerAuth: {type: http, scheme: bearer}
"""


def test_an_undefined_scheme_is_a_load_error_with_file_and_line(tmp_path):
    """Each undefined name is reported once, where it is referenced, with the fix."""
    spec = tmp_path / "openapi.yaml"
    spec.write_text(BROKEN)
    with pytest.raises(AnswersInvalid) as caught:
        Engine("students", load_spec(spec))
    assert [str(e) for e in caught.value.errors] == [
        f"{spec}:4: security requirement 'bearAuth' is not defined in "
        f"components.securitySchemes (defined: bearerAuth). {HINT}",
        f"{spec}:15: getB: security requirement 'tenantKey' is not defined in "
        f"components.securitySchemes (defined: bearerAuth). {HINT}",
    ]


def test_an_unusable_scheme_definition_is_a_load_error(tmp_path):
    """An apiKey without a name cannot be checked: the spec is broken, said at its line."""
    spec = tmp_path / "openapi.yaml"
    text = BROKEN.replace("bearAuth", "keyless").replace("tenantKey", "keyless")
    spec.write_text(text + "    keyless: {type: apiKey, in: header}\n")
    with pytest.raises(AnswersInvalid) as caught:
        Engine("students", load_spec(spec))
    assert [str(e) for e in caught.value.errors] == [
        f"{spec}:20: security scheme 'keyless' needs 'in' (header, query or cookie) and "
        f"'name', so the mock cannot check it. {HINT}"
    ]


def test_a_big_spec_answers_a_broken_requirement_with_500(tmp_path):
    """Lazily planned operations report the broken spec per request, never a KeyError."""
    spec = tmp_path / "openapi.yaml"
    spec.write_text(BROKEN)
    engine = Engine("students", load_spec(spec), eager_limit=0)
    broken = engine.handle(MockRequest("GET", "/a"))
    assert broken.status == 500
    assert (
        "security requirement 'bearAuth' is not defined"
        in json.loads(broken.body)["detail"]
    )


def write_config(
    folder: Path, spec: Path, security: str, ports: tuple[int, int]
) -> Path:
    """Write and pin a mocks.yaml: students enforcing, open (same spec) with ``security``."""
    path = folder / "mocks.yaml"
    path.write_text(
        "neighbours:\n"
        f"  students:\n    spec: {spec}\n    port: {ports[0]}\n"
        f"  open:\n    spec: {spec}\n    port: {ports[1]}\n    security: {security}\n"
    )
    pin_digests(path)
    return path


def test_security_off_in_mocks_yaml_and_check(tmp_path):
    """`security: off` answers without credentials and skips the spec's broken requirements."""
    spec = openapi(tmp_path, [{"bearerAuth": []}])
    config = load_config(write_config(tmp_path, spec, "off", (4201, 4202)))
    assert [(n.name, n.security) for n in config.neighbours] == [
        ("students", "enforce"),
        ("open", "off"),
    ]
    quoted = write_config(tmp_path, spec, '"off"', (4201, 4202))
    assert load_config(quoted).neighbours[1].security == "off"
    broken = tmp_path / "broken.yaml"
    broken.write_text(BROKEN)
    path = tmp_path / "mocks.yaml"
    path.write_text(
        f"neighbours:\n  open:\n    spec: {broken}\n    port: 4203\n    security: off\n"
        f"  strict:\n    spec: {broken}\n    port: 4204\n    security: enforce\n"
    )
    pin_digests(path)
    problems = check_config(path)
    assert [p.split(": ", 1)[0] for p in problems] == [f"{broken}:4", f"{broken}:15"]


@pytest.mark.parametrize(
    "value, shown",
    [("maybe", "'maybe'"), ("on", "True"), ("[off]", "[False]")],
    ids=["word", "yaml-true", "list"],
)
def test_a_bad_security_value_names_file_line_field_and_choices(tmp_path, value, shown):
    """Anything but enforce or off is refused where it is written."""
    spec = openapi(tmp_path, [{"bearerAuth": []}])
    path = tmp_path / "mocks.yaml"
    path.write_text(
        f"neighbours:\n  students:\n    spec: {spec}\n    port: 4201\n"
        f"    security: {value}\n"
    )
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert str(caught.value) == (
        f"{path}:5: security must be enforce or off, not {shown}. enforce (the default) "
        "answers 401 to a request without the credentials its spec requires; off answers "
        "it anyway."
    )


def _logged(mock: RunningMock, service: str) -> list[dict]:
    """Return the access-log lines of one neighbour so far."""
    return [
        line
        for line in mock.log()
        if line.get("event") == "request" and line.get("service") == service
    ]


def _kept(response: requests.Response) -> dict[str, str]:
    """Return the headers the engine sets (not the HTTP layer's own)."""
    transport = {"date", "server", "content-length", "transfer-encoding"}
    return {
        k.lower(): v for k, v in response.headers.items() if k.lower() not in transport
    }


def test_both_transports_refuse_alike_and_journal_and_log_the_401(tmp_path):
    """`satchel-mock up` and the in-process transport send the same 401; off answers 200."""
    ports = (free_port(), free_port())
    spec = openapi(tmp_path, [{"bearerAuth": []}])
    config = write_config(tmp_path, spec, "off", ports)
    students, open_ = (f"http://127.0.0.1:{port}{PATH}" for port in ports)
    mock = start_mock(["up", "--no-reload"], ports, tmp_path / "up.log", tmp_path)
    try:
        over_http = requests.get(students, timeout=5)
        journal = requests.get(
            f"http://127.0.0.1:{ports[0]}/__satchel/journal", timeout=5
        ).json()["entries"]
        open_over_http = requests.get(open_, timeout=5)
        deadline = time.monotonic() + 10  # access lines are flushed every 0.2 s
        while not (logged := _logged(mock, "mock:students")):
            assert time.monotonic() < deadline, mock.log()
            time.sleep(0.05)
    finally:
        mock.stop()
    inprocess = InProcessMocks.from_config(config)
    with inprocess:
        in_process = requests.get(students, timeout=5)
        open_in_process = requests.get(open_, timeout=5)
        with_token = requests.get(
            students, headers={"Authorization": "Bearer t"}, timeout=5
        )
    assert over_http.status_code == in_process.status_code == 401
    assert over_http.content == in_process.content
    assert _kept(over_http) == _kept(in_process)
    assert over_http.headers["WWW-Authenticate"] == 'Bearer realm="students"'
    assert over_http.json()["detail"] == (
        f"students mock: {ROUTE} requires bearerAuth (Authorization: Bearer <token>); "
        f"the request has no Authorization header. {FIX}"
    )
    assert (open_over_http.status_code, open_in_process.status_code) == (200, 200)
    assert open_over_http.content == open_in_process.content == b'["Ada"]'
    assert with_token.status_code == 200
    assert [(e["operation_id"], e["status"], e["source"]) for e in journal] == [
        ("list_class_pupils", 401, "mock: missing credentials")
    ]
    assert [
        (e.operation_id, e.status) for e in inprocess.calls(neighbour="students")
    ] == [
        ("list_class_pupils", 401),
        ("list_class_pupils", 200),
    ]
    assert [(e["route"], e["operation_id"], e["status"]) for e in logged] == [
        ("/v1/classes/{class_id}/pupils", "list_class_pupils", 401)
    ]


def test_serve_takes_security_off_on_the_command_line(tmp_path, serve_mock):
    """`satchel-mock serve SPEC` enforces by default; `--security off` answers anyway."""
    spec = openapi(tmp_path, [{"bearerAuth": []}])
    enforcing = serve_mock(spec, "--no-reload")
    lenient = serve_mock(spec, "--no-reload", "--security", "off")
    assert requests.get(enforcing.url + PATH, timeout=5).status_code == 401
    assert requests.get(lenient.url + PATH, timeout=5).status_code == 200
    assert (
        main(["serve", str(spec), "--port", "1", "--security", "maybe"]) == EXIT_USAGE
    )


def _jwt(**claims) -> str:
    """Return an unsigned-looking JWT carrying ``claims`` (the mock reads, never verifies)."""
    import base64

    def part(value: dict) -> str:
        raw = json.dumps(value).encode()
        return base64.urlsafe_b64encode(raw).decode().rstrip("=")

    return f"{part({'alg': 'HS256'})}.{part(claims)}.signature"


# id, claims, host, status
TENANT_CASES = [
    ("user-own-tenant", {"tenant": "school-a"}, "school-a.students.localhost", 200),
    ("user-other-tenant", {"tenant": "school-a"}, "school-b.students.localhost", 403),
    ("service-listed", {"tenants": ["school-a", "school-b"]}, "school-b.students.test",
     200),
    ("service-not-listed", {"tenants": ["school-a"]}, "school-c.students.test:8101", 403),
    ("service-every-tenant", {"tenants": "*"}, "school-z.students.test", 200),
    ("service-no-tenants", {"tenants": []}, "school-a.students.test", 403),
    ("no-tenant-claims", {"sub": "x"}, "school-a.students.test", 200),
    ("host-is-an-address", {"tenant": "school-a"}, "127.0.0.1:8101", 200),
    ("host-names-no-tenant", {"tenant": "school-a"}, "localhost:8101", 200),
]  # fmt: skip


@pytest.mark.parametrize(
    ("claims", "host", "status"),
    [case[1:] for case in TENANT_CASES],
    ids=[case[0] for case in TENANT_CASES],
)
def test_token_for_another_tenant_is_403(tmp_path, claims, host, status):
    """A token naming other tenants than the host's gets 403, as from a satchel service."""
    engine = Engine("students", load_spec(openapi(tmp_path, [{"bearerAuth": []}])))
    headers = {"Authorization": f"Bearer {_jwt(**claims)}", "Host": host}
    response = call(engine, headers)
    assert response.status == status
    if status == 403:
        body = json.loads(response.body)
        assert body["type"] == "https://satchel.dev/problems/tenant-forbidden"
        assert body["detail"].startswith(
            f"students mock: {ROUTE}: the bearer token acts"
        )
        assert (
            response.header("satchel-mock-source") == "mock: token for another tenant"
        )


def test_tenant_check_is_off_with_security_off(tmp_path):
    """`security: off` also lets a token for another tenant through."""
    engine = Engine(
        "students", load_spec(openapi(tmp_path, [{"bearerAuth": []}])), security=False
    )
    headers = {
        "Authorization": f"Bearer {_jwt(tenant='school-a')}",
        "Host": "school-b.students.localhost",
    }
    assert call(engine, headers).status == 200
