"""The ``flags`` pytest fixture (shipped as a pytest11 plugin)."""

from __future__ import annotations

import subprocess
import sys

import pytest

from satchel.flags import FlagValueError, UndeclaredFlagError
from satchel.flags.pytest_plugin import FlagOverrides

SCHOOL_A = {"X-Tenant": "school-a"}
SCHOOL_B = {"X-Tenant": "school-b"}


@pytest.mark.parametrize(
    ("value", "status"),
    [pytest.param(True, 200, id="on"), pytest.param(False, 404, id="off")],
)
def test_fixture_sets_a_flag_for_one_test(
    make_app, flags, value: bool, status: int
) -> None:
    """flags.set drives both states of a flagged operation."""
    client = make_app().test_client()
    flags.set("notes-search", value)
    assert client.get("/notes/search", headers=SCHOOL_A).status_code == status


def test_fixture_beats_stored_rules_and_env(
    make_app, flags, flag_file, monkeypatch
) -> None:
    """A forced test value wins over the store and the environment."""
    flag_file.parent.mkdir(parents=True)
    flag_file.write_text("notes-search: {killed: true}\n")
    monkeypatch.setenv("FLAGSVC_FLAG_NOTES_SEARCH", "false")
    client = make_app().test_client()
    flags.set("notes-search", True)
    assert client.get("/notes/search", headers=SCHOOL_A).status_code == 200


def test_fixture_sets_a_flag_for_one_tenant(make_app, flags) -> None:
    """tenant= forces the value for that tenant only."""
    client = make_app().test_client()
    flags.set("notes-search", True, tenant="school-a")
    assert client.get("/notes/search", headers=SCHOOL_A).status_code == 200
    assert client.get("/notes/search", headers=SCHOOL_B).status_code == 404


def test_fixture_accepts_text_like_the_environment(make_app, flags) -> None:
    """Text values are parsed by the flag's type."""
    client = make_app().test_client()
    flags.set("page-size", "5")
    assert client.get("/notes", headers=SCHOOL_A).json["page_size"] == 5


def test_reset_restores_the_stored_values(make_app) -> None:
    """After reset (what the fixture does at teardown) the store rules apply again."""
    client = make_app().test_client()
    overrides = FlagOverrides()
    overrides.set("notes-search", True)
    assert client.get("/notes/search", headers=SCHOOL_A).status_code == 200
    overrides.reset()
    assert client.get("/notes/search", headers=SCHOOL_A).status_code == 404


@pytest.mark.parametrize(
    ("key", "value", "error", "message"),
    [
        pytest.param("notes-serch", True, UndeclaredFlagError,
                     "Flag 'notes-serch' is not declared", id="undeclared"),
        pytest.param("page-size", 2.5, FlagValueError,
                     "Flag 'page-size': cannot force 2.5; expected int.", id="wrong-type"),
        pytest.param("notes-search", "perhaps", FlagValueError,
                     "Flag 'notes-search': 'perhaps' is not one of", id="bad-text"),
    ],
)  # fmt: skip
def test_fixture_refuses_bad_input(make_app, flags, key, value, error, message) -> None:
    """Typos and wrong types fail the test that made them."""
    make_app()
    with pytest.raises(error) as caught:
        flags.set(key, value)
    assert str(caught.value).startswith(message)


def test_fixture_without_an_app_says_what_to_do() -> None:
    """In a process where no app was built, set() explains that the app fixture comes first."""
    script = (
        "from satchel.flags.pytest_plugin import FlagOverrides\n"
        "FlagOverrides().set('notes-search', True)\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True
    )
    assert result.returncode == 1
    assert result.stderr.splitlines()[-1] == (
        "satchel.flags.errors.FlagError: flags.set('notes-search'): no app has called "
        "satchel.flags.init_app yet; request the app (or client) fixture before using flags."
    )
