"""Flags through a Flask test service: decorator, values, Jinja global, memoisation, start-up."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from flask import Flask

from satchel import flags as satchel_flags
from satchel.flags import (
    FlagDeclarationError,
    FlagError,
    FlagStoreError,
    FlagValueError,
    UndeclaredFlagError,
)

from .conftest import FLAGS, RESOURCES

SCHOOL_A = {"X-Tenant": "school-a"}
SCHOOL_B = {"X-Tenant": "school-b"}


def write_rules(path: Path, rules: dict) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(rules))


def test_flagged_operation_answers_404_problem_while_off(make_app) -> None:
    """With no rule the declared default (off) applies: 404 problem+json, type feature-disabled."""
    response = make_app().test_client().get("/notes/search", headers=SCHOOL_A)
    assert response.status_code == 404
    assert response.content_type == "application/problem+json"
    assert response.json == {
        "type": "https://satchel.dev/problems/feature-disabled",
        "title": "Not Found",
        "status": 404,
        "detail": "This operation is behind the feature flag 'notes-search', "
        "which is off for this tenant.",
    }


def test_flagged_operation_answers_while_on(make_app, flag_file: Path) -> None:
    """A global on rule in the file store lets the handler run."""
    write_rules(flag_file, {"notes-search": {"enabled": True}})
    response = make_app().test_client().get("/notes/search", headers=SCHOOL_A)
    assert (response.status_code, response.json) == (200, {"results": []})


def test_tenant_lists_target_one_tenant(make_app, flag_file: Path) -> None:
    """A tenant on the on list gets the feature; the next tenant does not."""
    write_rules(flag_file, {"notes-search": {"tenants_on": ["school-a"]}})
    client = make_app().test_client()
    assert client.get("/notes/search", headers=SCHOOL_A).status_code == 200
    assert client.get("/notes/search", headers=SCHOOL_B).status_code == 404


@pytest.mark.parametrize(
    ("rules", "expected"),
    [
        pytest.param({}, {"search": False, "page_size": 20, "banner": ""}, id="defaults"),
        pytest.param(
            {"notes-search": {"enabled": True}, "page-size": {"value": 50},
             "banner": {"value": "Closed Friday", "tenants_off": ["school-a"]}},
            {"search": True, "page_size": 50, "banner": ""},
            id="rules",
        ),
    ],
)  # fmt: skip
def test_values_of_every_type(
    make_app, flag_file: Path, rules: dict, expected: dict
) -> None:
    """Boolean, number and string flags answer their typed values."""
    write_rules(flag_file, rules)
    assert make_app().test_client().get("/notes", headers=SCHOOL_A).json == expected


@pytest.mark.parametrize(
    ("rules", "body"),
    [
        pytest.param({}, b"plain", id="off"),
        pytest.param({"notes-search": {"enabled": True}}, b"search", id="on"),
    ],
)
def test_jinja_global(make_app, flag_file: Path, rules: dict, body: bytes) -> None:
    """Templates read flags with the ``flag("key")`` global."""
    write_rules(flag_file, rules)
    assert make_app().test_client().get("/page", headers=SCHOOL_A).data == body


def test_one_answer_per_flag_per_request(make_app) -> None:
    """A change landing mid-request is not seen until the next request."""
    app = make_app()
    engine = app.extensions["satchel.flags"]

    @app.get("/twice")
    def twice():
        before = satchel_flags.is_enabled("notes-search")
        engine.change(
            "notes-search", lambda old: {"enabled": True}, "test", "mid-request"
        )
        return {"before": before, "after": satchel_flags.is_enabled("notes-search")}

    client = app.test_client()
    assert client.get("/twice", headers=SCHOOL_A).json == {
        "before": False,
        "after": False,
    }
    assert client.get("/notes", headers=SCHOOL_A).json["search"] is True


def test_value_outside_a_request_uses_the_current_snapshot(
    make_app, flag_file: Path
) -> None:
    """CLI commands and jobs evaluate in an app context, without memoisation."""
    write_rules(flag_file, {"page-size": {"value": 30}})
    with make_app().app_context():
        assert satchel_flags.value("page-size") == 30


def test_value_without_an_app_explains_the_fix() -> None:
    """Evaluating with no app says to call init_app and use the app's context."""
    with pytest.raises(FlagError) as caught:
        satchel_flags.value("notes-search")
    assert str(caught.value) == (
        "No flags are loaded here: call satchel.flags.init_app(app, FLAGS) in create_app "
        "and evaluate flags inside the app's context."
    )


def test_undeclared_flag_read_at_request_time_raises(make_app) -> None:
    """A key built at run time (missed by the start-up scan) still fails loudly, never off."""
    app = make_app()
    with app.test_request_context(headers=SCHOOL_A):
        app.preprocess_request()
        with pytest.raises(
            UndeclaredFlagError, match="Flag 'notes-serch' is not declared"
        ):
            satchel_flags.is_enabled("notes-" + "serch")


def test_is_enabled_refuses_a_non_boolean_flag(make_app) -> None:
    """is_enabled on a number flag is a programming error, not False."""
    app = make_app()
    with app.test_request_context(headers=SCHOOL_A):
        app.preprocess_request()
        with pytest.raises(FlagValueError) as caught:
            satchel_flags.is_enabled("page-size")
    assert str(caught.value) == (
        "Flag 'page-size' is not a boolean flag; read it with value('page-size')."
    )


def test_undeclared_flag_in_code_fails_at_start_up(tmp_path: Path) -> None:
    """init_app scans the app's package and refuses to start on an undeclared key."""
    root = RESOURCES / "undeclared" / "badsvc"
    app = Flask("badsvc", root_path=str(root), instance_path=str(tmp_path))
    with pytest.raises(FlagDeclarationError) as caught:
        satchel_flags.init_app(app, FLAGS)
    assert str(caught.value) == (
        f"Undeclared flags used: {root / 'app.py'}:7 reads 'not-declared'. Declare them in the "
        "service's flags.py (declared: notes-search, page-size, banner, ratio, reports) "
        "or fix the keys."
    )


def test_init_app_requires_the_registry(tmp_path: Path) -> None:
    """Passing something other than declare_flags' result is refused with the fix."""
    app = Flask("flagsvc", instance_path=str(tmp_path))
    with pytest.raises(FlagDeclarationError) as caught:
        satchel_flags.init_app(app, {"notes-search": False})
    assert str(caught.value) == (
        "init_app expected the FlagRegistry returned by declare_flags, got dict; "
        "pass FLAGS from the service's flags.py."
    )


@pytest.mark.parametrize(
    ("url", "message"),
    [
        pytest.param(
            "postgres://db/flags",
            "Flag store URL 'postgres'://... is not supported; use file://instance/flags.yaml "
            "or redis://HOST:PORT/DB?prefix=SERVICE.",
            id="unknown-scheme",
        ),
        pytest.param(
            "redis://127.0.0.1:6379/0",
            "Redis flag store URL has no prefix; add ?prefix=<service>, "
            "e.g. redis://127.0.0.1:6379/0?prefix=students.",
            id="redis-without-prefix",
        ),
    ],
)
def test_bad_store_url_is_refused(make_app, url: str, message: str) -> None:
    """A store URL that cannot work fails at start-up, not at the first poll."""
    with pytest.raises(FlagStoreError) as caught:
        make_app(url)
    assert str(caught.value) == message


def test_environment_override_beats_the_store(
    make_app, flag_file: Path, monkeypatch
) -> None:
    """FLAGSVC_FLAG_NOTES_SEARCH=true forces the flag on for local work, over stored rules."""
    write_rules(
        flag_file, {"notes-search": {"killed": True}, "page-size": {"value": 50}}
    )
    monkeypatch.setenv("FLAGSVC_FLAG_NOTES_SEARCH", "true")
    monkeypatch.setenv("FLAGSVC_FLAG_PAGE_SIZE", "10")
    body = make_app().test_client().get("/notes", headers=SCHOOL_A).json
    assert (body["search"], body["page_size"]) == (True, 10)


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        pytest.param(
            "FLAGSVC_FLAG_PAGE_SIZE", "lots",
            "Environment variable FLAGSVC_FLAG_PAGE_SIZE: Flag 'page-size': 'lots' is not an int.",
            id="bad-value",
        ),
        pytest.param(
            "FLAGSVC_FLAG_NOTES_SERCH", "true",
            "Environment variable FLAGSVC_FLAG_NOTES_SERCH does not name a declared flag; "
            "expected one of: FLAGSVC_FLAG_BANNER, FLAGSVC_FLAG_NOTES_SEARCH, "
            "FLAGSVC_FLAG_PAGE_SIZE, FLAGSVC_FLAG_RATIO, FLAGSVC_FLAG_REPORTS.",
            id="typo-in-name",
        ),
    ],
)  # fmt: skip
def test_bad_environment_override_fails_at_start_up(
    make_app, monkeypatch, name: str, text: str, message: str
) -> None:
    """A mistyped override stops start-up instead of silently doing nothing."""
    monkeypatch.setenv(name, text)
    with pytest.raises(FlagValueError) as caught:
        make_app()
    assert str(caught.value) == message


def test_env_prefix_can_be_set(make_app, monkeypatch) -> None:
    """env_prefix names the variables when the package name is not the service's prefix."""
    monkeypatch.setenv("STUDENTS_FLAG_NOTES_SEARCH", "on")
    client = make_app(env_prefix="STUDENTS").test_client()
    assert client.get("/notes/search", headers=SCHOOL_A).status_code == 200
