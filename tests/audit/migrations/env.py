"""Alembic environment of the audit test migrations: the same two lines a service has."""

from satchel.tenancy.alembic import run_migrations

run_migrations(target_metadata=None)
