"""Moving a tenant between two real PostgreSQL servers, under load, with rollback and recovery.

Server db-1 is the machine's PostgreSQL, db-2 a private cluster (``second_server``). Tenants
are created by the owner (postgres) with a runtime role and audited notes; the service
serves as the runtime role, as in production; moves run from a separate tenancy, as the
CLI task does.
"""

from __future__ import annotations

import json
import secrets
import subprocess
import sys
import threading
import time
from datetime import datetime

import psycopg
import pytest

from satchel.tenancy import create_tenant
from satchel.tenancy.errors import MoveError
from satchel.tenancy.move import move_tenant, pending_move
from satchel.tenancy.registry import FileRegistry
from satchel.tenancy.servers import ServerRecord
from tests.audit.support import make_audit_app
from tests.tenancy.support import Server, host

RUNTIME = f"sat_mv_runtime_{secrets.token_hex(3)}"
CACHE_TTL = 0.2


def _dsn(port: int, db: str = "postgres", user: str = "postgres") -> str:
    return f"host=127.0.0.1 port={port} user={user} dbname={db}"


@pytest.fixture(scope="module")
def estate(tmp_path_factory, prefix, second_server, monkeypatch_module):
    """Return (registry path, owner app, service app) over servers db-1 and db-2."""
    monkeypatch_module.setenv("SATCHEL_ACTOR", "ops@example")
    path = tmp_path_factory.mktemp("move") / "tenants.yaml"
    registry = FileRegistry(path)
    registry.put_server(ServerRecord("db-1", "postgresql://127.0.0.1:5432"))
    registry.put_server(
        ServerRecord("db-2", f"postgresql://127.0.0.1:{second_server.port}")
    )
    template = f"postgresql://{{user}}@placeholder/{prefix}_mv_{{{{tenant}}}}"
    owner = make_audit_app(
        registry,
        database_url_template=template.format(user="postgres"),
        runtime_role=RUNTIME,
        cache_ttl=CACHE_TTL,
    )
    service = make_audit_app(
        registry,
        database_url_template=template.format(user=RUNTIME),
        runtime_role=RUNTIME,
        cache_ttl=CACHE_TTL,
    )
    yield path, owner, service
    for app in (owner, service):
        app.extensions["satchel.tenancy"].close()
    with psycopg.connect(_dsn(5432), autocommit=True) as conn:
        names = conn.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s", (f"{prefix}_mv_%",)
        ).fetchall()
        for (name,) in names:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'DROP ROLE IF EXISTS "{RUNTIME}"')


@pytest.fixture(scope="module")
def monkeypatch_module():
    """A monkeypatch for the module's fixtures."""
    patch = pytest.MonkeyPatch()
    yield patch
    patch.undo()


def _tenancy(app):
    return app.extensions["satchel.tenancy"]


def _create(owner, tenant: str, server: str, rows: int = 0) -> None:
    create_tenant(_tenancy(owner), tenant, server=server)
    if rows:
        record = _tenancy(owner).registry.get(tenant)
        port = int(record.database_url.rsplit(":", 1)[1].split("/")[0])
        db = record.database_url.rsplit("/", 1)[1]
        with psycopg.connect(_dsn(port, db), autocommit=True) as conn:
            conn.execute(
                "INSERT INTO notes (body) SELECT 'seed-' || i FROM generate_series(1, %s) i",
                (rows,),
            )


def _where(owner, tenant: str) -> tuple[int, str]:
    url = _tenancy(owner).registry.get(tenant).database_url
    port = int(url.rsplit(":", 1)[1].split("/")[0])
    return port, url.rsplit("/", 1)[1]


def _rows(port: int, db: str, sql: str) -> list[tuple]:
    with psycopg.connect(_dsn(port, db)) as conn:
        return conn.execute(sql).fetchall()


class Load:
    """Threads posting notes to tenants as fast as the server answers, each body unique."""

    def __init__(self, server: Server, tenants: dict[str, int]) -> None:
        self.server, self.results, self._stop = server, [], threading.Event()
        self._threads = [
            threading.Thread(target=self._run, args=(tenant, n), daemon=True)
            for tenant, count in tenants.items()
            for n in range(count)
        ]

    def __enter__(self) -> Load:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()

    def _run(self, tenant: str, worker: int) -> None:
        import requests

        session, i = requests.Session(), 0
        while not self._stop.is_set():
            body = f"{tenant}-{worker}-{i}"
            answer = session.post(
                self.server.url + "/notes",
                json={"body": body},
                headers={"Host": host(tenant)},
                timeout=30,
            )
            kind = answer.json().get("type", "") if answer.status_code >= 400 else ""
            retry = answer.headers.get("Retry-After")
            self.results.append(
                (time.time(), tenant, body, answer.status_code, kind, retry)
            )
            i += 1


def _journal(owner, tenant: str) -> list:
    return [
        e
        for e in _tenancy(owner).registry.events(tenant)
        if e.action.startswith("move-")
    ]


def _at(event) -> float:
    return datetime.fromisoformat(event.at).timestamp()


def test_move_under_load_loses_nothing_and_fails_only_the_tenant_in_its_window(estate):
    """A steady stream of writes: the moved tenant answers 503 only while suspended."""
    _, owner, service = estate
    _create(owner, "mv-a", "db-1", rows=2000)
    _create(owner, "mv-b", "db-2")
    with Server(service) as server, Load(server, {"mv-a": 2, "mv-b": 1}) as load:
        time.sleep(0.5)
        result = owner.test_cli_runner().invoke(
            args=["tenants", "move", "mv-a", "--to", "db-2", "--settle", "0.4"]
        )
        time.sleep(1.0)
    assert result.exit_code == 0, result.output
    assert "moved tenant mv-a from db-1 to db-2 by dump" in result.output
    steps = _journal(owner, "mv-a")
    assert [e.action for e in steps] == [
        "move-started",
        "move-suspended",
        "move-fenced",
        "move-copied",
        "move-verified",
        "move-switched",
        "move-completed",
    ]
    assert {e.actor for e in steps} == {"ops@example"}
    window = (_at(steps[1]), _at(steps[-1]) + CACHE_TTL + 0.3)
    unavailable_ms = steps[-1].details["unavailable_ms"]
    print(f"\nmove of mv-a (2000+ rows, under load): unavailable {unavailable_ms} ms")

    others = [r for r in load.results if r[1] == "mv-b"]
    assert others and {r[3] for r in others} == {201}
    moved = [r for r in load.results if r[1] == "mv-a"]
    failures = [r for r in moved if r[3] != 201]
    assert failures, "the load never reached the suspension: the test proves nothing"
    assert any(r[0] > window[1] and r[3] == 201 for r in moved)
    for when, _, _, status, kind, retry in failures:
        assert window[0] <= when <= window[1], (when, window, status, kind)
        assert status == 503 and retry, (status, kind, retry)
        assert kind.rsplit("/", 1)[-1] in (
            "tenant-moving",
            "tenant-database-unavailable",
        )

    port, db = _where(owner, "mv-a")
    assert port != 5432
    bodies = [
        b for (b,) in _rows(port, db, "SELECT body FROM notes WHERE body LIKE 'mv-a-%'")
    ]
    acknowledged = {r[2] for r in moved if r[3] == 201}
    assert len(bodies) == len(set(bodies)), "a row was duplicated"
    assert acknowledged <= set(bodies), "an acknowledged row was lost"
    assert set(bodies) <= {r[2] for r in moved}
    notes = _rows(port, db, "SELECT count(*) FROM notes")[0][0]
    audited = _rows(
        port, db, "SELECT count(*) FROM satchel_audit WHERE action = 'INSERT'"
    )[0][0]
    assert audited == notes == 2000 + len(bodies)
    old = _rows(5432, db, "SELECT count(*) FROM notes")[0][0]
    assert 2000 <= old <= notes  # the old copy is kept, frozen at the fence
    with psycopg.connect(_dsn(port, db, user=RUNTIME), autocommit=True) as conn:
        for statement in (
            "UPDATE satchel_audit SET actor_id = 'x'",
            "DELETE FROM satchel_audit",
            "TRUNCATE satchel_audit",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                conn.execute(statement)


def test_a_move_whose_target_dies_rolls_back_and_serves_from_the_source(
    estate, second_server
):
    """The target server stops mid-move: the tenant is active on its old server again."""
    _, owner, service = estate
    _create(owner, "mv-c", "db-1", rows=10)
    tenancy = _tenancy(owner)

    def stop_when_suspended():
        while not any(e.action == "move-suspended" for e in _journal(owner, "mv-c")):
            time.sleep(0.02)
        second_server.stop()

    killer = threading.Thread(target=stop_when_suspended)
    killer.start()
    try:
        with pytest.raises(MoveError) as caught:
            move_tenant(tenancy, "mv-c", "db-2", settle=1.5)
    finally:
        killer.join()
        second_server.start()
    assert "failed and was rolled back (the tenant is served from db-1 again)" in str(
        caught.value
    )
    assert _journal(owner, "mv-c")[-1].action == "move-rolled-back"
    assert _where(owner, "mv-c")[0] == 5432
    assert tenancy.registry.get("mv-c").status == "active"
    time.sleep(CACHE_TTL)
    answer = service.test_client().get(
        "/notes", environ_overrides={"HTTP_HOST": host("mv-c")}
    )
    assert (answer.status_code, len(answer.json["notes"])) == (200, 10)


MOVER = """
import sys
from tests.audit.support import make_audit_app
from satchel.tenancy.move import move_tenant
from satchel.tenancy.registry import FileRegistry
path, template, role = sys.argv[1:4]
app = make_audit_app(FileRegistry(path), database_url_template=template, runtime_role=role)
move_tenant(app.extensions["satchel.tenancy"], "mv-d", "db-2", settle=0)
"""


def test_a_killed_move_is_recovered_to_one_served_copy(estate, prefix):
    """A mover killed mid-copy: `move --recover` rolls back or finishes; nothing is lost."""
    path, owner, service = estate
    _create(owner, "mv-d", "db-1", rows=50_000)
    template = f"postgresql://postgres@placeholder/{prefix}_mv_{{tenant}}"
    mover = subprocess.Popen(
        [sys.executable, "-c", MOVER, str(path), template, RUNTIME]
    )
    deadline = time.monotonic() + 60
    while not any(e.action == "move-fenced" for e in _journal(owner, "mv-d")):
        assert time.monotonic() < deadline and mover.poll() is None
        time.sleep(0.01)
    mover.kill()
    mover.wait()
    assert pending_move(
        _tenancy(owner), "mv-d"
    ), "the mover finished before it was killed"
    result = owner.test_cli_runner().invoke(
        args=["tenants", "move", "mv-d", "--recover"]
    )
    assert result.exit_code == 0, result.output
    assert result.output.startswith(("rolled back the move", "finished the move"))
    assert not pending_move(_tenancy(owner), "mv-d")
    assert _tenancy(owner).registry.get("mv-d").status == "active"
    time.sleep(CACHE_TTL)
    answer = service.test_client().get(
        "/notes", environ_overrides={"HTTP_HOST": host("mv-d")}
    )
    assert (answer.status_code, len(answer.json["notes"])) == (200, 50_000)
    audit = owner.test_cli_runner().invoke(args=["tenants", "audit", "mv-d", "--json"])
    actions = [json.loads(line)["action"] for line in audit.output.splitlines()]
    assert actions[:2] == ["tenant-placed", "move-started"] and actions[-1] in (
        "move-rolled-back",
        "move-completed",
    )


@pytest.mark.parametrize(
    ("tenant", "to", "message"),
    [
        ("mv-e", "db-9", "no database server named 'db-9'; known: db-1, db-2"),
        ("nobody", "db-2", "tenant 'nobody' does not exist"),
        ("mv-e", "db-3", "server 'db-3' is draining; a move needs an open server"),
        ("mv-e", "db-1", "tenant 'mv-e' is on 'db-1' already"),
    ],
    ids=["unknown-server", "unknown-tenant", "draining", "same-server"],
)
def test_move_refuses_bad_requests_with_the_reason(estate, tenant, to, message):
    """Unknown servers and tenants are refused before anything is touched."""
    _, owner, _ = estate
    registry = _tenancy(owner).registry
    registry.put_server(
        ServerRecord("db-3", "postgresql://10.9.9.9:5432", state="draining")
    )
    if tenant != "nobody" and registry.get(tenant) is None:
        _create(owner, tenant, "db-1")
    result = owner.test_cli_runner().invoke(
        args=["tenants", "move", tenant, "--to", to]
    )
    assert result.exit_code == 1 and message in result.output


def test_drop_source_asks_then_drops_the_old_copy(estate, second_server):
    """`--drop-source` removes the old database once the move is done and confirmed."""
    _, owner, _ = estate
    _create(owner, "mv-f", "db-2", rows=5)
    _, db = _where(owner, "mv-f")
    result = owner.test_cli_runner().invoke(
        args=[
            "tenants",
            "move",
            "mv-f",
            "--to",
            "db-1",
            "--settle",
            "0",
            "--drop-source",
        ],
        input="y\n",
    )
    assert result.exit_code == 0, result.output
    assert result.output.endswith("dropped the old copy of mv-f on db-2\n")
    assert _where(owner, "mv-f") == (5432, db)
    assert _rows(5432, db, "SELECT count(*) FROM notes") == [(5,)]
    gone = _rows(
        second_server.port,
        "postgres",
        f"SELECT 1 FROM pg_database WHERE datname = '{db}'",
    )
    assert gone == []
    assert _journal(owner, "mv-f")[-1].action == "move-source-dropped"
