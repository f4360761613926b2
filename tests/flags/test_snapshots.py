"""Garbage in the store, last known good snapshot (persisted), health detail, polling."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
import yaml
from structlog.testing import capture_logs

from satchel import health
from satchel.flags import current_engine

SCHOOL_A = {"X-Tenant": "school-a"}
ON = {"notes-search": {"enabled": True}}


def search_is_on(app) -> bool:
    return app.test_client().get("/notes", headers=SCHOOL_A).json["search"]


@pytest.mark.parametrize(
    ("garbage", "error"),
    [
        pytest.param(
            "notes-search: {enabled: true\n",
            "malformed YAML at line 2, column 1: expected ',' or '}', but got '<stream end>'",
            id="malformed-yaml",
        ),
        pytest.param(
            "notes-search: {enabled: 'yes'}\n",
            "flag 'notes-search' field 'enabled': expected true or false, got 'yes'.",
            id="wrong-type",
        ),
        pytest.param("- notes-search\n", "expected a mapping of flag key to rule, got list.",
                     id="not-a-mapping"),
    ],
)  # fmt: skip
def test_garbage_keeps_the_last_good_snapshot(
    make_app, flag_file: Path, garbage, error
) -> None:
    """Garbage never flips a flag: the last good values stay, the log and /readyz say why."""
    flag_file.parent.mkdir(parents=True)
    flag_file.write_text(yaml.safe_dump(ON))
    app = make_app()
    engine = app.extensions["satchel.flags"]
    flag_file.write_text(garbage)
    with capture_logs() as logs:
        assert engine.refresh() is False
    assert search_is_on(app) is True
    where = f"file://{flag_file}"
    assert logs == [
        {"event": "flags.store.failed", "log_level": "error", "error": f"{where}: {error}",
         "serving": engine.snapshot.version},
    ]  # fmt: skip
    status, detail = engine.health()
    assert status == "warn"
    assert detail == (
        f"serving last known good snapshot from {engine.snapshot.loaded_at.isoformat()}: "
        f"{where}: {error}"
    )


def test_the_same_garbage_is_logged_once(make_app, flag_file: Path) -> None:
    """Polling an unchanged bad version does not re-read it or log again."""
    app = make_app()
    flag_file.write_text("notes-search: [")
    engine = app.extensions["satchel.flags"]
    with capture_logs() as logs:
        assert (engine.refresh(), engine.refresh()) == (False, False)
    assert [entry["event"] for entry in logs] == ["flags.store.failed"]


def test_store_fixed_after_garbage_is_picked_up(make_app, flag_file: Path) -> None:
    """When the store is repaired the next poll serves it and health passes again."""
    app = make_app()
    engine = app.extensions["satchel.flags"]
    flag_file.write_text("notes-search: [")
    engine.refresh()
    flag_file.write_text(yaml.safe_dump(ON))
    with capture_logs() as logs:
        assert engine.refresh() is True
    assert search_is_on(app) is True
    assert engine.health()[0] == "pass"
    assert logs[-1]["event"] == "flags.store.recovered"


def test_undeclared_flag_in_store_is_skipped_not_fatal(
    make_app, flag_file: Path
) -> None:
    """A rule for a flag this code does not declare (rolling deploys) is logged and ignored."""
    flag_file.parent.mkdir(parents=True)
    flag_file.write_text(yaml.safe_dump({**ON, "future-flag": {"enabled": True}}))
    with capture_logs() as logs:
        app = make_app()
    assert search_is_on(app) is True
    assert {"event": "flags.store.undeclared_flag", "flag": "future-flag",
            "source": f"file://{flag_file}", "log_level": "warning"} in logs  # fmt: skip


def test_last_good_snapshot_survives_a_cold_start(make_app, flag_file: Path) -> None:
    """A process starting while the store is broken serves the persisted last good values."""
    flag_file.parent.mkdir(parents=True)
    flag_file.write_text(yaml.safe_dump(ON))
    first = make_app()
    saved = json.loads((flag_file.parent / "flags-last-good.json").read_text())
    assert saved["rules"] == {"notes-search": {"enabled": True}}
    flag_file.write_text("notes-search: [")
    with capture_logs() as logs:
        second = make_app()
    assert search_is_on(second) is True
    assert [e["event"] for e in logs] == [
        "flags.store.failed",
        "flags.last_good.loaded",
    ]
    with second.app_context():
        status, detail = current_engine().health()
    saved_at = first.extensions["satchel.flags"].snapshot.loaded_at.isoformat()
    assert status == "warn"
    assert detail.startswith(
        f"serving last known good snapshot from {saved_at}: file://"
    )


def test_cold_start_without_any_snapshot_fails_health(
    make_app, flag_file: Path
) -> None:
    """No store and no last good file: declared defaults serve, and health says fail."""
    flag_file.parent.mkdir(parents=True)
    flag_file.write_text("notes-search: [")
    app = make_app()
    assert search_is_on(app) is False
    status, detail = app.extensions["satchel.flags"].health()
    assert status == "fail"
    assert detail.startswith("no flag snapshot, serving declared defaults: file://")


def test_unreadable_last_good_file_is_logged_and_ignored(
    make_app, flag_file: Path
) -> None:
    """A corrupt last-good file is reported, and start-up carries on with defaults."""
    flag_file.parent.mkdir(parents=True)
    flag_file.write_text("notes-search: [")
    (flag_file.parent / "flags-last-good.json").write_text("{not json")
    with capture_logs() as logs:
        app = make_app()
    assert search_is_on(app) is False
    assert [e["event"] for e in logs] == [
        "flags.last_good.unreadable",
        "flags.store.failed",
    ]


def test_last_good_from_another_store_is_not_used(make_app, flag_file: Path) -> None:
    """After switching stores, the old store's snapshot is not served as 'last good'."""
    flag_file.parent.mkdir(parents=True)
    flag_file.write_text(yaml.safe_dump(ON))
    make_app()
    saved = flag_file.parent / "flags-last-good.json"
    saved.write_text(saved.read_text().replace("file://", "redis://elsewhere"))
    flag_file.write_text("notes-search: [")
    app = make_app()
    assert search_is_on(app) is False
    assert app.extensions["satchel.flags"].health()[0] == "fail"


def test_health_passes_with_a_fresh_snapshot(make_app, flag_file: Path) -> None:
    """health_check() reports the snapshot it serves."""
    app = make_app()
    with app.app_context():
        from satchel.flags import health_check

        assert health_check() == (
            "pass",
            f"snapshot version absent from file://{flag_file}",
        )


def test_readyz_shows_the_flag_snapshot_detail(tmp_path: Path, flag_file: Path) -> None:
    """With satchel.health initialised first, /readyz carries the flags check."""
    from flask import Flask

    from satchel import flags as satchel_flags

    from .conftest import FLAGS, SERVICE_ROOT

    app = Flask(
        "flagsvc", root_path=str(SERVICE_ROOT), instance_path=str(tmp_path / "instance")
    )
    health.init_app(app, install_signal_handler=False, cache_seconds=0)
    health.mark_ready(app)
    flag_file.parent.mkdir(parents=True)
    flag_file.write_text(yaml.safe_dump(ON))
    engine = satchel_flags.init_app(app, FLAGS, poll_interval=3600)
    flag_file.write_text("notes-search: [")
    engine.refresh()
    body = app.test_client().get("/readyz").json
    assert body["status"] == "warn"
    assert body["checks"]["flags"]["status"] == "warn"
    assert "serving last known good snapshot from" in json.dumps(
        body["checks"]["flags"]
    )


def test_poller_picks_up_a_change_without_a_request_touching_the_store(
    make_app, flag_file: Path
) -> None:
    """The background poller (started lazily by the first request) applies file changes."""
    app = make_app(poll_interval=0.02)
    assert search_is_on(app) is False  # starts the poller in this process
    flag_file.write_text(yaml.safe_dump(ON))
    deadline = time.monotonic() + 10
    while not search_is_on(app):
        assert time.monotonic() < deadline, "the poller never applied the change"
        time.sleep(0.02)
