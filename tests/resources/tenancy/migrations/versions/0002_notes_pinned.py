"""Add notes.pinned (additive: a nullable column, no rewrite, no long lock).

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"


def upgrade() -> None:
    op.add_column("notes", sa.Column("pinned", sa.Boolean, nullable=True))


def downgrade() -> None:
    op.drop_column("notes", "pinned")
