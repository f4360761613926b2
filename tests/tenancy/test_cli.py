"""`flask tenants ...` on the embedded default: a YAML registry and one SQLite file per tenant."""

from __future__ import annotations

import json

import pytest
import yaml

from tests.tenancy.support import make_app

P = "https://satchel.dev/problems/"


@pytest.fixture
def embedded(tmp_path):
    """Return an app on the embedded default, rooted in a temporary instance folder."""
    app = make_app(
        f"file://{tmp_path}/tenants.yaml",
        database_url_template=f"sqlite:///{tmp_path}/tenants/{{tenant}}.db",
        cache_ttl=0,
    )
    yield app
    app.extensions["satchel.tenancy"].close()


def _run(app, *args, input=None):
    return app.test_cli_runner().invoke(args=["tenants", *args], input=input)


def _get(app, tenant, method="get", **kwargs):
    client = app.test_client()
    return getattr(client, method)(
        "/notes", environ_overrides={"HTTP_HOST": f"{tenant}.students.test"}, **kwargs
    )


def test_two_tenants_keep_their_own_data(embedded, tmp_path):
    """The README walk-through: create two tenants, write to each, read back only your own."""
    for tenant in ("school-a", "school-b"):
        result = _run(embedded, "create", tenant)
        assert (result.exit_code, result.output) == (
            0,
            f"created tenant {tenant} at revision 0002\n",
        )
    _get(embedded, "school-a", "post", json={"body": "only for a"})
    _get(embedded, "school-b", "post", json={"body": "only for b"})
    assert _get(embedded, "school-a").json["notes"] == ["only for a"]
    assert _get(embedded, "school-b").json["notes"] == ["only for b"]
    assert sorted(p.name for p in (tmp_path / "tenants").iterdir()) == [
        "school-a.db",
        "school-b.db",
    ]
    registry = yaml.safe_load((tmp_path / "tenants.yaml").read_text())
    assert registry["tenants"]["school-a"] == {
        "database_url": f"sqlite:///{tmp_path}/tenants/school-a.db",
        "status": "active",
        "revision": "0002",
    }


def test_list_shows_tenants_as_table_and_json(embedded, tmp_path):
    """`list` prints one line per tenant, or JSON with --json."""
    _run(embedded, "create", "school-a")
    table = _run(embedded, "list")
    assert table.output.split() == [
        "school-a",
        "active",
        "0002",
        "-",
        f"sqlite:///{tmp_path}/tenants/school-a.db",
    ]
    rows = json.loads(_run(embedded, "list", "--json").output)
    assert rows == [
        {
            "tenant": "school-a",
            "status": "active",
            "revision": "0002",
            "server": None,
            "database": f"sqlite:///{tmp_path}/tenants/school-a.db",
        }
    ]


def test_list_never_prints_a_password(tmp_path):
    """Database URLs are shown with their password masked."""
    path = tmp_path / "tenants.yaml"
    url = "postgresql://app:s3cret@db.internal/school_a"
    path.write_text(yaml.safe_dump({"tenants": {"school-a": {"database_url": url}}}))
    app = make_app(f"file://{path}")
    output = _run(app, "list").output
    assert (
        "s3cret" not in output and "postgresql://app:***@db.internal/school_a" in output
    )


BAD_CREATES = [
    (
        "invalid id",
        ["create", "School A"],
        "Error: tenant id 'School A' is not valid: expected one DNS label of 1-63 characters,"
        " lower-case letters, digits and inner dashes (e.g. 'school-a')\n",
    ),
    (
        "duplicate",
        ["create", "school-a"],
        "Error: tenant 'school-a' already exists; pick another id or drop it first\n",
    ),
]


@pytest.mark.parametrize(
    ("args", "message"), [b[1:] for b in BAD_CREATES], ids=[b[0] for b in BAD_CREATES]
)
def test_create_refuses_bad_or_duplicate_ids(embedded, args, message):
    """Bad input exits 1 with a message saying what was expected."""
    _run(embedded, "create", "school-a")
    result = _run(embedded, *args)
    assert (result.exit_code, result.output) == (1, message)


def test_suspend_and_resume(embedded):
    """A suspended tenant gets 403 problem+json until it is resumed."""
    _run(embedded, "create", "school-a")
    assert (
        _run(embedded, "suspend", "school-a").output == "tenant school-a is suspended\n"
    )
    refused = _get(embedded, "school-a")
    assert (refused.status_code, refused.json["type"]) == (403, P + "tenant-suspended")
    assert _run(embedded, "resume", "school-a").output == "tenant school-a is active\n"
    assert _get(embedded, "school-a").status_code == 200


def test_suspend_unknown_tenant_fails(embedded):
    """Acting on a tenant that does not exist says how to find the right id."""
    result = _run(embedded, "suspend", "ghost")
    assert (result.exit_code, result.output) == (
        1,
        "Error: tenant 'ghost' does not exist; 'flask tenants list' shows the tenants\n",
    )


def test_drop_asks_for_the_tenant_id_and_refuses_a_wrong_answer(embedded, tmp_path):
    """Drop needs the id typed back; a wrong answer drops nothing."""
    _run(embedded, "create", "school-a")
    wrong = _run(embedded, "drop", "school-a", input="school-b\n")
    assert wrong.exit_code == 1
    assert wrong.output.endswith(
        "Error: confirmation 'school-b' does not match 'school-a'; nothing dropped\n"
    )
    assert (tmp_path / "tenants" / "school-a.db").exists()
    right = _run(embedded, "drop", "school-a", input="school-a\n")
    assert (right.exit_code, right.output.splitlines()[-1]) == (
        0,
        "dropped tenant school-a",
    )
    assert not (tmp_path / "tenants" / "school-a.db").exists()
    assert _get(embedded, "school-a").status_code == 404


def test_drop_with_yes_skips_the_question(embedded):
    """--yes is for scripts."""
    _run(embedded, "create", "school-a")
    assert (
        _run(embedded, "drop", "school-a", "--yes").output
        == "dropped tenant school-a\n"
    )


def test_status_gates_deploys_and_migrate_fixes_the_drift(tmp_path, migrations_v1):
    """status exits 1 while a tenant is behind; migrate (with a JSON report) brings it to 0."""
    common = {
        "database_url_template": f"sqlite:///{tmp_path}/tenants/{{tenant}}.db",
        "cache_ttl": 0,
    }
    registry = f"file://{tmp_path}/tenants.yaml"
    old = make_app(registry, script_location=migrations_v1, **common)
    for tenant in ("school-a", "school-b"):
        assert _run(old, "create", tenant).exit_code == 0
    app = make_app(registry, **common)
    behind = _run(app, "status")
    assert behind.exit_code == 1
    assert behind.output.splitlines()[-1] == "0/2 tenants at head 0002"
    assert behind.output.splitlines()[0].split() == ["school-a", "behind", "0001"]
    plan = _run(app, "migrate", "--plan", "--canary", "school-b")
    assert plan.output == "wave 0: 1 tenants (school-b)\nwave 1: 1 tenants (school-a)\n"
    report_path = tmp_path / "report.json"
    migrated = _run(app, "migrate", "--report", str(report_path))
    assert migrated.exit_code == 0
    assert migrated.stdout.splitlines()[-1] == (
        "2 tenants to 0002: 2 upgraded, 0 skipped, 0 failed, 0 not attempted"
    )
    report = json.loads(report_path.read_text())
    assert [
        (t["tenant"], t["status"], t["from_revision"], t["to_revision"])
        for t in report["tenants"]
    ] == [
        ("school-a", "upgraded", "0001", "0002"),
        ("school-b", "upgraded", "0001", "0002"),
    ]
    current = _run(app, "status", "--json")
    assert current.exit_code == 0
    assert json.loads(current.output)["drifted"] == 0
    old.extensions["satchel.tenancy"].close()
    app.extensions["satchel.tenancy"].close()


def test_migrate_exits_1_and_reports_a_failed_tenant(tmp_path, migrations_v1):
    """A failing tenant makes migrate exit 1, naming the tenant and the error."""
    import sqlite3

    common = {"database_url_template": f"sqlite:///{tmp_path}/tenants/{{tenant}}.db"}
    registry = f"file://{tmp_path}/tenants.yaml"
    old = make_app(registry, script_location=migrations_v1, **common)
    _run(old, "create", "school-a")
    with sqlite3.connect(tmp_path / "tenants" / "school-a.db") as conn:
        conn.execute("ALTER TABLE notes ADD COLUMN pinned BOOLEAN")
    result = _run(make_app(registry, **common), "migrate")
    assert result.exit_code == 1
    assert result.stderr.splitlines()[1] == (
        "FAILED school-a: OperationalError: (sqlite3.OperationalError) duplicate column name:"
        " pinned"
    )


def test_status_reports_an_unreachable_tenant_and_exits_1(embedded, tmp_path):
    """A tenant whose database cannot be opened is drift too: the deploy gate stays shut."""
    _run(embedded, "create", "school-a")
    registry = yaml.safe_load((tmp_path / "tenants.yaml").read_text())
    registry["tenants"]["school-a"][
        "database_url"
    ] = f"sqlite:///{tmp_path}/missing/dir/a.db"
    (tmp_path / "tenants.yaml").write_text(yaml.safe_dump(registry))
    result = _run(embedded, "status")
    assert result.exit_code == 1
    assert result.output.splitlines()[0].split() == [
        "school-a",
        "unreachable",
        "-",
        "OperationalError",
    ]
