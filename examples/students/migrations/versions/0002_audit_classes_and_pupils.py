"""Audit every change to classes and pupils (satchel.audit: who, when, which request).

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
    audit.track(op, "classes")
    audit.track(op, "pupils")


def downgrade() -> None:
    audit.untrack(op, "pupils")
    audit.untrack(op, "classes")
    audit.uninstall(op)
