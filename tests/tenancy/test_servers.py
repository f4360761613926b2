"""Database servers in the registry, placement of new tenants, and status by server."""

from __future__ import annotations

import json
from collections import Counter

import psycopg
import pytest
import yaml

from satchel.tenancy import FileRegistry
from satchel.tenancy.errors import ProvisioningError, RegistryUnavailable, ServerError
from satchel.tenancy.journal import ControlEvent
from satchel.tenancy.pgregistry import PostgresRegistry
from satchel.tenancy.servers import ServerRecord, place
from tests.tenancy.support import make_app

A = ServerRecord("db-a", "postgresql://10.0.0.1:5432", capacity=3)
B = ServerRecord("db-b", "postgresql://10.0.0.2:5432", capacity=10)
C = ServerRecord("db-c", "postgresql://10.0.0.3:5432", state="draining")


@pytest.mark.parametrize(
    ("counts", "policy", "named", "chosen"),
    [
        ({}, "fewest-tenants", None, "db-a"),
        ({"db-a": 1}, "fewest-tenants", None, "db-b"),
        ({"db-a": 0, "db-b": 1}, "most-free", None, "db-b"),
        ({"db-a": 3}, "fewest-tenants", None, "db-b"),
        ({}, "fewest-tenants", "db-b", "db-b"),
    ],
    ids=["tie-by-name", "fewest", "most-free", "full-skipped", "named"],
)
def test_place_picks_an_open_server_with_room(counts, policy, named, chosen):
    """The policy picks among open servers below capacity; a named server is taken as is."""
    assert place([A, B, C], Counter(counts), policy=policy, named=named).name == chosen


@pytest.mark.parametrize(
    ("servers", "counts", "named", "message"),
    [
        (
            [C],
            {},
            None,
            "no database server can take a new tenant: db-c draining, 0/500. Open a server"
            " or raise its capacity: flask tenants servers edit NAME",
        ),
        (
            [A, C],
            {},
            "db-c",
            "server 'db-c' is draining and takes no new tenants; open it with"
            " 'flask tenants servers edit db-c --state open' or pick another",
        ),
        (
            [A],
            {"db-a": 3},
            "db-a",
            "server 'db-a' is full (3/3 tenants); raise its capacity or pick another",
        ),
        (
            [A],
            {},
            "db-x",
            "no database server named 'db-x'; known: db-a ('flask tenants servers list')",
        ),
    ],
    ids=["none-open", "named-draining", "named-full", "named-unknown"],
)
def test_place_refuses_with_the_reason(servers, counts, named, message):
    """When no server fits, the error says which and why, and how to fix it."""
    with pytest.raises(ProvisioningError) as caught:
        place(servers, Counter(counts), named=named)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        (
            {"url": "postgresql://app:secret@db:5432"},
            "server 'db-a': url holds a password: the registry stores none; give host and"
            " port only (each process logs in with its own credentials)",
        ),
        (
            {"url": "sqlite:///x.db"},
            "server 'db-a': url 'sqlite:///x.db' is not a PostgreSQL URL; expected"
            " postgresql://host:port",
        ),
        (
            {"capacity": 0},
            "server 'db-a': capacity 0 is not a whole number of tenants >= 1",
        ),
        (
            {"state": "busy"},
            "server 'db-a': state 'busy' is not one of open, draining, closed",
        ),
        (
            {"name": "DB A"},
            "server name 'DB A' is not valid: expected lower-case letters, digits and inner"
            " dashes (e.g. 'db-2')",
        ),
    ],
    ids=["password", "not-postgres", "capacity", "state", "name"],
)
def test_server_record_refuses_bad_fields(fields, message):
    """A bad server entry fails where it is made, naming the field and the fix."""
    with pytest.raises(ServerError) as caught:
        ServerRecord(**{"name": "db-a", "url": "postgresql://db:5432", **fields})
    assert str(caught.value) == message


def test_a_pgbouncer_url_serves_and_the_direct_url_provisions():
    """A tenant URL on a pooled server names PgBouncer; the direct one names the server."""
    server = ServerRecord("db-a", "postgresql://10.0.0.1:5432", "postgresql://pgb:6432")
    template = "postgresql://owner@db/svc_school-a"
    assert server.tenant_url(template) == "postgresql://owner@pgb:6432/svc_school-a"
    direct = server.tenant_url(template, direct=True)
    assert direct == "postgresql://owner@10.0.0.1:5432/svc_school-a"


@pytest.fixture(params=["file", "postgres"])
def registry(request, tmp_path, control_url):
    """Yield each registry backend, empty (the control-plane one in its own database)."""
    if request.param == "file":
        yield FileRegistry(tmp_path / "tenants.yaml")
        return
    backend = PostgresRegistry(control_url)
    yield backend
    with backend._engine.begin() as conn:  # leave the session's control plane empty
        conn.exec_driver_sql("DELETE FROM satchel_servers")
        conn.exec_driver_sql("DELETE FROM satchel_control_audit")
    backend.dispose()


def test_registries_keep_servers_and_an_append_only_control_audit(registry):
    """Both backends store servers (replace by name) and return audit entries in order."""
    registry.put_server(B)
    registry.put_server(A)
    registry.put_server(A.with_changes(state="closed"))
    assert registry.servers() == [A.with_changes(state="closed"), B]
    first = ControlEvent("server-added", "server:db-a", "ops", {"capacity": 3})
    registry.record_event(first)
    registry.record_event(ControlEvent("move-started", "school-a", "ops"))
    assert [e.action for e in registry.events()] == ["server-added", "move-started"]
    assert registry.events("server:db-a") == [first]


def test_servers_cli_adds_lists_edits_and_audits(tmp_path, monkeypatch):
    """`servers add|list|edit` change the registry file and append who did it."""
    monkeypatch.setenv("SATCHEL_ACTOR", "ops@example")
    app = make_app(f"file://{tmp_path}/tenants.yaml", cache_ttl=0)
    run = app.test_cli_runner().invoke
    added = run(
        args=["tenants", "servers", "add", "db-1", "--url", "postgresql://h1:5432"]
    )
    assert (added.exit_code, added.output) == (
        0,
        "added server db-1 (open, capacity 500)\n",
    )
    again = run(
        args=["tenants", "servers", "add", "db-1", "--url", "postgresql://h1:5432"]
    )
    assert again.exit_code == 1 and "exists already" in again.output
    bad = run(
        args=["tenants", "servers", "add", "db-2", "--url", "postgresql://u:pw@h2"]
    )
    assert bad.exit_code == 1 and "holds a password" in bad.output
    edited = run(args=["tenants", "servers", "edit", "db-1", "--state", "draining"])
    assert edited.output == "server db-1: state=draining\n"
    listed = json.loads(run(args=["tenants", "servers", "list", "--json"]).output)
    assert listed == [
        {
            "server": "db-1",
            "state": "draining",
            "tenants": 0,
            "capacity": 500,
            "url": "postgresql://h1:5432",
            "pool_url": None,
        }
    ]
    saved = yaml.safe_load((tmp_path / "tenants.yaml").read_text())
    assert saved["servers"]["db-1"]["state"] == "draining"
    lines = (tmp_path / "tenants.audit.jsonl").read_text().splitlines()
    audit = [json.loads(line) for line in lines]
    assert [(e["action"], e["actor"]) for e in audit] == [
        ("server-added", "ops@example"),
        ("server-edited", "ops@example"),
    ]


def _databases(url_port: int) -> set[str]:
    with psycopg.connect(
        f"host=127.0.0.1 port={url_port} user=postgres dbname=postgres"
    ) as conn:
        return {name for (name,) in conn.execute("SELECT datname FROM pg_database")}


def test_create_places_tenants_across_two_servers(tmp_path, prefix, second_server):
    """New tenants go to the server with fewest tenants, or the one named; status groups them."""
    app = make_app(
        f"file://{tmp_path}/tenants.yaml",
        database_url_template=f"postgresql://postgres@placeholder/{prefix}_pl_{{tenant}}",
        cache_ttl=0,
    )
    run = app.test_cli_runner().invoke
    for name, port in (("db-1", 5432), ("db-2", second_server.port)):
        url = f"postgresql://127.0.0.1:{port}"
        assert (
            run(args=["tenants", "servers", "add", name, "--url", url]).exit_code == 0
        )
    outputs = [
        run(args=["tenants", "create", t]).output for t in ("p1", "p2", "p3")
    ] + [run(args=["tenants", "create", "p4", "--server", "db-2"]).output]
    assert outputs == [
        "created tenant p1 on server db-1 at revision 0002\n",
        "created tenant p2 on server db-2 at revision 0002\n",
        "created tenant p3 on server db-1 at revision 0002\n",
        "created tenant p4 on server db-2 at revision 0002\n",
    ]
    placed = {
        e.subject: e.details
        for e in app.extensions["satchel.tenancy"].registry.events()
        if e.action == "tenant-placed"
    }
    assert placed["p1"] == {"server": "db-1", "policy": "fewest-tenants"}
    assert placed["p4"] == {"server": "db-2", "policy": "--server"}
    assert {f"{prefix}_pl_p2", f"{prefix}_pl_p4"} <= _databases(second_server.port)
    assert f"{prefix}_pl_p2" not in _databases(5432)
    run(args=["tenants", "servers", "edit", "db-1", "--state", "draining"])
    assert "on server db-2" in run(args=["tenants", "create", "p5"]).output
    status = json.loads(run(args=["tenants", "status", "--json"]).output)
    assert status["servers"] == {
        "db-1": {"current": 2, "behind": 0, "unreachable": 0},
        "db-2": {"current": 3, "behind": 0, "unreachable": 0},
    }
    client = app.test_client()
    for tenant in ("p1", "p2"):
        answer = client.get(
            "/notes", environ_overrides={"HTTP_HOST": f"{tenant}.students.test"}
        )
        assert (answer.status_code, answer.json["tenant"]) == (200, tenant)
    app.extensions["satchel.tenancy"].close()


def test_a_bad_server_entry_in_the_registry_file_names_the_file_and_the_fix(tmp_path):
    """A hand-edited server entry with a password is refused where the file is read."""
    path = tmp_path / "tenants.yaml"
    path.write_text(
        "tenants: {}\nservers:\n  db-a: {url: 'postgresql://u:pw@h:5432', capacity: 5,"
        " state: open}\n"
    )
    with pytest.raises(RegistryUnavailable) as caught:
        FileRegistry(path).servers()
    assert str(caught.value) == (
        f"tenant registry file {path} cannot be read (server 'db-a': url holds a password:"
        " the registry stores none; give host and port only (each process logs in with its"
        " own credentials)); fix or restore the file"
    )


def test_servers_edit_refuses_unknown_servers_and_empty_changes(tmp_path):
    """`servers edit` says which server exists, and that it needs something to change."""
    app = make_app(f"file://{tmp_path}/tenants.yaml", cache_ttl=0)
    run = app.test_cli_runner().invoke
    unknown = run(args=["tenants", "servers", "edit", "db-9", "--state", "open"])
    assert (unknown.exit_code, unknown.output) == (
        1,
        "Error: no server named 'db-9'; known: none\n",
    )
    empty = run(args=["tenants", "servers", "edit", "db-9"])
    assert empty.exit_code == 2
    assert (
        "nothing to change: give --url, --pool-url, --capacity or --state"
        in empty.output
    )
