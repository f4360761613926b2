"""Add notes.pinned."""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade():
    """Add a nullable pinned flag (additive: old code keeps working)."""
    op.add_column("notes", sa.Column("pinned", sa.Boolean, nullable=True))


def downgrade():
    """Drop the pinned flag."""
    op.drop_column("notes", "pinned")
