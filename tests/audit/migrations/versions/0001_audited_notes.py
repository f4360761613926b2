"""Create the notes table and audit it.

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from satchel import audit

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("body", sa.Text, nullable=False),
    )
    audit.install(op)
    audit.track(op, "notes")


def downgrade() -> None:
    audit.untrack(op, "notes")
    op.drop_table("notes")
    audit.uninstall(op)
