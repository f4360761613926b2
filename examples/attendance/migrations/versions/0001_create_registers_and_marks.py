"""Create the registers and marks tables.

Revision ID: 0001
Revises:
Create Date: 2026-11-27
"""

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "registers",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("class_id", sa.Integer, nullable=False),
        sa.Column("class_name", sa.String(50), nullable=False),
        sa.Column("date", sa.Date, nullable=False),
        sa.Column("session", sa.String(2), nullable=False),
        sa.Column("taken_by", sa.String(200), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("class_id", "date", "session"),
    )
    op.create_index("ix_registers_class_id", "registers", ["class_id"])
    op.create_table(
        "marks",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column(
            "register_id", sa.Integer, sa.ForeignKey("registers.id"), nullable=False
        ),
        sa.Column("pupil_id", sa.Integer, nullable=False),
        sa.Column("pupil_name", sa.String(201), nullable=False),
        sa.Column("mark", sa.String(10), nullable=False),
    )
    op.create_index("ix_marks_register_id", "marks", ["register_id"])


def downgrade() -> None:
    op.drop_index("ix_marks_register_id", table_name="marks")
    op.drop_table("marks")
    op.drop_index("ix_registers_class_id", table_name="registers")
    op.drop_table("registers")
