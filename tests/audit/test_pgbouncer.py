"""Stamping through a real PgBouncer in transaction mode: it works, and it never leaks.

PgBouncer gets one server connection per database, so the app's transactions and a plain
client's share one backend: a stamp that outlived its transaction would show up there.
"""

from __future__ import annotations

import dataclasses

import psycopg
import pytest

from satchel.tenancy import EngineOptions, FileRegistry
from tests.audit.support import make_audit_app, token_for
from tests.audit.test_postgres import newest_id, post, since
from tests.tenancy.pgbouncer import running_pgbouncer


@pytest.fixture(scope="module")
def bouncer():
    with running_pgbouncer(pool_size=1, max_server=10) as running:
        yield running


@pytest.fixture(scope="module")
def bounced(registry, bouncer, tmp_path_factory) -> FileRegistry:
    """Return a registry of school-a whose URL goes through PgBouncer."""
    bounced = FileRegistry(tmp_path_factory.mktemp("bounced") / "tenants.yaml")
    record = registry.get("school-a")
    url = record.database_url.replace(":5432/", f":{bouncer.port}/")
    assert url != record.database_url
    bounced.add(dataclasses.replace(record, database_url=url))
    return bounced


def test_stamp_reaches_the_trigger_and_ends_with_the_transaction(
    registry, bounced, bouncer
):
    """Writes via PgBouncer record the actor; a plain client on the same backend sees none."""
    app = make_audit_app(bounced, engine_options=EngineOptions.for_pooler("pgbouncer"))
    client = app.test_client()
    mark = newest_id(registry, "school-a")
    responses = [
        post(client, "school-a", f"via bouncer {i}", token_for("henry"))
        for i in range(3)
    ]
    database = registry.get("school-a").database_url.rsplit("/", 1)[1]
    with psycopg.connect(
        f"host=127.0.0.1 port={bouncer.port} user=postgres dbname={database}",
        autocommit=True,
        prepare_threshold=None,
    ) as plain:
        leaked = plain.execute(
            "SELECT current_setting('satchel.actor_id', true)"
        ).fetchone()[0]
        plain.execute("INSERT INTO notes (body) VALUES ('plain client')")
    app.extensions["satchel.tenancy"].close()
    records = since(registry, "school-a", mark)
    assert [r.status_code for r in responses] == [201, 201, 201]
    assert [(r.new["body"], r.actor_id, r.request_id) for r in records] == [
        *[
            (f"via bouncer {i}", "henry", response.headers["X-Request-ID"])
            for i, response in enumerate(responses)
        ],
        ("plain client", None, None),
    ]
    assert leaked in (None, "")
