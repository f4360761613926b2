"""Alembic environment: one tenant database per run, driven by satchel.tenancy."""

from satchel.tenancy.alembic import run_migrations

from students.models import Base

run_migrations(Base.metadata)
