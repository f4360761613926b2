"""The Redis store against a private redis-server: outage, restart, garbage, zero request cost."""

from __future__ import annotations

import time

import pytest
from structlog.testing import capture_logs

from satchel.flags.redis_store import RedisStore

SCHOOL_A = {"X-Tenant": "school-a"}


def search_is_on(app) -> bool:
    return app.test_client().get("/notes", headers=SCHOOL_A).json["search"]


def turn(engine, key: str, rule: dict | None, why: str = "test") -> None:
    engine.change(key, lambda old: rule, "tester", why)


def test_outage_keeps_last_good_values_then_picks_up_changes(
    redis_server, make_app
) -> None:
    """Stop Redis: flags hold (also on a cold start); restart it: a new change is served."""
    url = f"{redis_server.url}?prefix=students"
    app = make_app(url)
    engine = app.extensions["satchel.flags"]
    turn(engine, "notes-search", {"enabled": True})
    assert search_is_on(app) is True

    redis_server.stop()
    assert engine.refresh() is False
    assert search_is_on(app) is True
    status, detail = engine.health()
    assert status == "warn"
    assert detail.startswith(
        f"serving last known good snapshot from {engine.snapshot.loaded_at.isoformat()}: "
        f"redis://127.0.0.1:{redis_server.port}/0 (students:flags:rules): Error 111 connecting"
    )

    cold = make_app(url)  # a new container starting during the outage
    assert search_is_on(cold) is True
    assert cold.extensions["satchel.flags"].health()[0] == "warn"

    redis_server.start()  # comes back empty: --save "" --appendonly no
    assert engine.refresh() is False, "an emptied store must not flip flags to defaults"
    assert search_is_on(app) is True
    assert "holds no flag data" in engine.health()[1]
    restarted = make_app(url)  # a cold start against the emptied store
    assert search_is_on(restarted) is True
    assert "holds no flag data" in restarted.extensions["satchel.flags"].health()[1]

    turn(
        cold.extensions["satchel.flags"],
        "notes-search",
        {"enabled": False, "tenants_on": ["school-b"]},
        "after return",
    )
    assert engine.refresh() is True
    assert search_is_on(app) is False
    assert engine.health()[0] == "pass"


def test_change_reaches_another_process_by_polling(redis_server, make_app) -> None:
    """A change written by one service process reaches another one's poller."""
    url = f"{redis_server.url}?prefix=students"
    writer, reader = make_app(url), make_app(url, poll_interval=0.02)
    assert search_is_on(reader) is False  # first request starts the reader's poller
    turn(writer.extensions["satchel.flags"], "notes-search", {"enabled": True})
    deadline = time.monotonic() + 10
    while not search_is_on(reader):
        assert time.monotonic() < deadline, "the poller never picked up the change"
        time.sleep(0.02)


OBSERVER_COMMANDS = {
    "cmdstat_info",
    "cmdstat_config|resetstat",
}  # the test's own commands


def command_counts(observer) -> dict[str, int]:
    info = observer.info("commandstats")
    return {n: s["calls"] for n, s in info.items() if n not in OBSERVER_COMMANDS}


def test_requests_issue_no_redis_commands(redis_server, make_app) -> None:
    """1,000 requests evaluating flags cost zero Redis commands (INFO commandstats)."""
    app = make_app(f"{redis_server.url}?prefix=students")
    turn(app.extensions["satchel.flags"], "notes-search", {"percentage": 50})
    client = app.test_client()
    client.get("/notes", headers=SCHOOL_A)  # starts the poller (interval: one hour)
    observer = redis_server.client()
    observer.config_resetstat()
    for n in range(1000):
        client.get("/notes", headers={"X-Tenant": f"school-{n}"})
    assert command_counts(observer) == {}


@pytest.mark.parametrize(
    ("field", "text", "error"),
    [
        pytest.param("notes-search", "{not json", "field 'notes-search' is not JSON "
                     "(Expecting property name enclosed in double quotes: line 1 column 2 "
                     "(char 1)): '{not json'", id="not-json"),
        pytest.param("notes-search", '{"enabled": "yes"}', "flag 'notes-search' field "
                     "'enabled': expected true or false, got 'yes'.", id="wrong-type"),
    ],
)  # fmt: skip
def test_garbage_in_redis_keeps_last_good(
    redis_server, make_app, field, text, error
) -> None:
    """A hand-edited bad value in Redis is rejected with where and what; flags hold."""
    app = make_app(f"{redis_server.url}?prefix=students")
    engine = app.extensions["satchel.flags"]
    turn(engine, "notes-search", {"enabled": True})
    client = redis_server.client()
    client.hset("students:flags:rules", field, text)
    client.set("students:flags:version", "hand-edited")
    with capture_logs() as logs:
        assert engine.refresh() is False
    assert search_is_on(app) is True
    where = f"redis://127.0.0.1:{redis_server.port}/0 (students:flags:rules)"
    assert logs[0]["error"] == f"{where}: {error}"


def test_rules_without_version_are_refused(redis_server, make_app) -> None:
    """Rules written around the CLI (no version key) are reported, not half-applied."""
    redis_server.client().hset(
        "students:flags:rules", "notes-search", '{"enabled": true}'
    )
    app = make_app(f"{redis_server.url}?prefix=students")
    status, detail = app.extensions["satchel.flags"].health()
    assert status == "fail"
    assert detail.endswith(
        "rules exist but students:flags:version is missing; change flags with "
        "`flask flags set`, which sets the version."
    )


def test_prefixes_keep_services_apart(redis_server, make_app) -> None:
    """Two services on one Redis see only their own rules."""
    students = make_app(f"{redis_server.url}?prefix=students")
    teachers = make_app(f"{redis_server.url}?prefix=teachers")
    turn(students.extensions["satchel.flags"], "notes-search", {"enabled": True})
    teachers.extensions["satchel.flags"].refresh()
    assert (search_is_on(students), search_is_on(teachers)) == (True, False)


def test_describe_never_shows_the_password() -> None:
    """Logs and /readyz name the Redis store without its credentials."""
    store = RedisStore("redis://flags:s3cret@cache.internal:6380/2?prefix=students")
    assert store.describe() == "redis://cache.internal:6380/2 (students:flags:rules)"


@pytest.mark.parametrize(
    "args",
    [
        pytest.param(["set", "notes-search", "--on", "--reason", "r"], id="set"),
        pytest.param(["history"], id="history"),
    ],
)
def test_cli_during_an_outage_fails_with_the_store_error(redis_server, make_app, args):
    """Changing or auditing flags while Redis is down exits 1 and says where it failed."""
    app = make_app(f"{redis_server.url}?prefix=students")
    redis_server.stop()
    result = app.test_cli_runner().invoke(args=["flags", *args])
    assert result.exit_code == 1
    assert result.output.startswith(
        f"Error: redis://127.0.0.1:{redis_server.port}/0 (students:flags:rules): "
        "Error 111 connecting"
    )
