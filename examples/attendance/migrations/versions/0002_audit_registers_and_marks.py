"""Audit every change to registers and marks (satchel.audit: who, when, which request).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-27
"""

from alembic import op

from satchel import audit

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    audit.install(op)
    audit.track(op, "registers")
    audit.track(op, "marks")


def downgrade() -> None:
    audit.untrack(op, "marks")
    audit.untrack(op, "registers")
    audit.uninstall(op)
