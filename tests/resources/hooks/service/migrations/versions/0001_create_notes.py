"""Create notes, under audit."""

import sqlalchemy as sa
from alembic import op

from satchel import audit

revision = "0001"
down_revision = None


def upgrade():
    """Create the notes table and audit its changes."""
    op.create_table(
        "notes",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("text", sa.Text, nullable=False),
    )
    audit.install(op)
    audit.track(op, "notes")


def downgrade():
    """Drop the notes table."""
    audit.untrack(op, "notes")
    op.drop_table("notes")
