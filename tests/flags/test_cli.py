"""``flask flags list|set|history`` through click's runner, on the file and the Redis store."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest


@pytest.fixture(params=["file", "redis"])
def app(request, make_app):
    """A test service on each kind of store."""
    if request.param == "file":
        return make_app()
    server = request.getfixturevalue("redis_server")
    return make_app(f"{server.url}?prefix=students")


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=["flags", *args])


def test_set_records_who_when_why_old_and_new(app, monkeypatch) -> None:
    """Each change is written and recorded; history shows them oldest first."""
    monkeypatch.setenv("LOGNAME", "alice")
    before = datetime.now(timezone.utc).replace(microsecond=0)
    first = run(
        app, "set", "notes-search", "--percentage", "10", "--reason", "start ramp"
    )
    second = run(app, "set", "notes-search", "--percentage", "25", "--tenant-off", "school-z",
                 "--who", "bob", "--reason", "ramp to 25%")  # fmt: skip
    assert (first.exit_code, second.exit_code) == (0, 0), first.output + second.output
    assert (
        first.output
        == 'notes-search: - -> {"percentage":10.0} (by alice: start ramp)\n'
    )
    assert second.output == (
        'notes-search: {"percentage":10.0} -> {"percentage":25.0,"tenants_off":["school-z"]} '
        "(by bob: ramp to 25%)\n"
    )
    records = app.extensions["satchel.flags"].store.history("notes-search")
    assert [(r.who, r.why, r.old, r.new) for r in records] == [
        ("alice", "start ramp", None, {"percentage": 10.0}),
        ("bob", "ramp to 25%", {"percentage": 10.0},
         {"percentage": 25.0, "tenants_off": ["school-z"]}),
    ]  # fmt: skip
    assert all(datetime.fromisoformat(r.when) >= before for r in records)
    lines = run(app, "history").output.splitlines()
    assert [line.split("  ", 1)[1] for line in lines] == [
        'alice  notes-search  - -> {"percentage":10.0}  start ramp',
        'bob  notes-search  {"percentage":10.0} -> {"percentage":25.0,"tenants_off":'
        '["school-z"]}  ramp to 25%',
    ]


def test_set_changes_what_requests_see(app) -> None:
    """A change made with the CLI is served by the next request."""
    client = app.test_client()
    assert client.get("/notes/search", headers={"X-Tenant": "a"}).status_code == 404
    run(app, "set", "notes-search", "--tenant-on", "a", "--reason", "pilot school")
    assert client.get("/notes/search", headers={"X-Tenant": "a"}).status_code == 200
    run(app, "set", "notes-search", "--kill", "--reason", "incident 42")
    assert client.get("/notes/search", headers={"X-Tenant": "a"}).status_code == 404


@pytest.mark.parametrize(
    ("steps", "rule"),
    [
        pytest.param([["--on"]], {"enabled": True}, id="on"),
        pytest.param([["--on"], ["--off"]], {"enabled": False}, id="off"),
        pytest.param([["--tenant-on", "a", "--tenant-on", "b"], ["--tenant-off", "a"]],
                     {"tenants_on": ["b"], "tenants_off": ["a"]}, id="move-tenant"),
        pytest.param([["--tenant-on", "a"], ["--tenant-clear", "a"]], None, id="clear-tenant"),
        pytest.param([["--kill"], ["--unkill"]], None, id="unkill"),
        pytest.param([["--on"], ["--reset"]], None, id="reset"),
    ],
)  # fmt: skip
def test_set_options(app, steps: list[list[str]], rule: dict | None) -> None:
    """Each option edits the stored rule; an empty rule is removed."""
    for step in steps:
        result = run(app, "set", "notes-search", *step, "--reason", "r")
        assert result.exit_code == 0, result.output
    assert app.extensions["satchel.flags"].store.history("notes-search")[-1].new == rule


def test_set_value_of_a_number_flag(app) -> None:
    """--value is parsed as the flag's type."""
    assert run(app, "set", "page-size", "--value", "50", "--reason", "r").exit_code == 0
    body = app.test_client().get("/notes", headers={"X-Tenant": "a"}).json
    assert body["page_size"] == 50


@pytest.mark.parametrize(
    ("args", "message"),
    [
        pytest.param(["set", "notes-search", "--on"], "Missing option '--reason'.",
                     id="reason-required"),
        pytest.param(["set", "notes-search", "--reason", "r"], "Nothing to change: give "
                     "--on/--off, --value, --percentage, --tenant-on, --tenant-off, "
                     "--tenant-clear, --kill/--unkill or --reset.", id="nothing-to-change"),
        pytest.param(["set", "notes-serch", "--on", "--reason", "r"],
                     "Flag 'notes-serch' is not declared", id="undeclared"),
        pytest.param(["set", "page-size", "--value", "lots", "--reason", "r"],
                     "Flag 'page-size': 'lots' is not an int.", id="bad-value"),
        pytest.param(["set", "notes-search", "--percentage", "101", "--reason", "r"],
                     "'--percentage': 101.0 is not in the range 0<=x<=100.", id="percentage-range"),
    ],
)  # fmt: skip
def test_usage_errors_exit_2_and_change_nothing(
    app, args: list[str], message: str
) -> None:
    """Bad input is a usage error (exit 2) and writes no history."""
    result = run(app, *args)
    assert result.exit_code == 2
    assert message in " ".join(result.output.split())
    assert app.extensions["satchel.flags"].store.history() == []


def test_a_rule_that_does_not_fit_the_flag_is_refused(app) -> None:
    """--value on a boolean flag fails (exit 1) with the reason; nothing is recorded."""
    result = run(app, "set", "notes-search", "--value", "true", "--reason", "r")
    assert result.exit_code == 1
    assert result.output == (
        "Error: flask flags set: flag 'notes-search' field 'value': "
        "boolean flags use 'enabled' only.\n"
    )
    assert app.extensions["satchel.flags"].store.history() == []


def test_list_shows_declarations_rules_and_values(app) -> None:
    """list prints one row per declared flag and the store's health."""
    run(app, "set", "notes-search", "--tenant-on", "school-a", "--reason", "pilot")
    rows = run(app, "list", "--tenant", "school-a").output.splitlines()
    assert rows[0].split() == ["KEY", "TYPE", "KIND", "OWNER", "EXPIRES", "DEFAULT", "VALUE",
                               "RULE"]  # fmt: skip
    assert rows[1].split() == [
        "notes-search",
        "bool",
        "release",
        "team-classroom",
        "2099-12-31",
        "false",
        "true",
        '{"tenants_on":["school-a"]}',
    ]
    assert rows[2].split() == [
        "page-size",
        "int",
        "ops",
        "team-classroom",
        "-",
        "20",
        "20",
        "-",
    ]
    assert (
        len(rows) == 8
        and rows[-1].startswith("store: ")
        and "(pass: snapshot" in rows[-1]
    )


def test_history_of_one_flag_and_limit(app) -> None:
    """history KEY filters by flag; --limit keeps the latest."""
    for n in range(3):
        run(app, "set", "page-size", "--value", str(n + 1), "--reason", f"step {n}")
    run(app, "set", "notes-search", "--on", "--reason", "other")
    lines = run(app, "history", "page-size", "--limit", "2").output.splitlines()
    assert [line.rsplit("  ", 1)[1] for line in lines] == ["step 1", "step 2"]
    assert json.loads(lines[-1].split("  ")[3].split(" -> ")[1]) == {"value": 3}


def test_history_of_an_undeclared_flag_fails(app) -> None:
    """Asking for a flag that does not exist says so."""
    result = run(app, "history", "nope")
    assert result.exit_code == 1 and "Flag 'nope' is not declared" in result.output
