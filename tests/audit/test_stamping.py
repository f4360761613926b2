"""Which statements stamp the transaction, and who the stamp names."""

from __future__ import annotations

import pytest

from satchel import audit, context
from satchel.context import Actor


@pytest.mark.parametrize(
    ("statement", "writes"),
    [
        ("INSERT INTO notes (body) VALUES (%s)", True),
        ("  update notes SET body = 'x'", True),
        ("DELETE FROM notes", True),
        ("MERGE INTO notes USING src ON true WHEN MATCHED THEN DELETE", True),
        (
            "WITH gone AS (DELETE FROM notes RETURNING id) SELECT count(*) FROM gone",
            True,
        ),
        ("WITH recent AS (SELECT 1) SELECT * FROM recent", False),
        ("SELECT * FROM notes FOR UPDATE", False),
        ("SELECT set_config('satchel.actor_id', %s, true)", False),
        ("BEGIN", False),
    ],
    ids=[
        "insert",
        "lower-case update",
        "delete",
        "merge",
        "writing CTE",
        "reading CTE",
        "select for update",
        "the stamp itself",
        "begin",
    ],
)
def test_is_write(statement, writes):
    """Only statements that may change rows stamp the transaction."""
    assert audit.is_write(statement) is writes


@pytest.mark.parametrize(
    ("actor", "request_id", "stamp"),
    [
        (Actor("u-1", "user"), "req-1", ("u-1", "user", "req-1")),
        (Actor("svc", "service"), None, ("svc", "service", None)),
        (None, "req-2", (None, "anonymous", "req-2")),
        (None, None, (None, "system", None)),
    ],
    ids=["user in request", "service in job", "anonymous request", "system job"],
)
def test_current_stamp(actor, request_id, stamp):
    """The stamp names the actor, or says why there is none."""
    actor_token = context.actor.set(actor)
    request_token = context.request_id.set(request_id)
    try:
        assert audit.current_stamp() == stamp
    finally:
        context.actor.reset(actor_token)
        context.request_id.reset(request_token)
