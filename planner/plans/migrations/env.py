"""Alembic environment: migrations run on the connection `planner.plans.store.upgrade` hands over (no alembic.ini)."""

from alembic import context

from planner.plans.store import metadata

connection = context.config.attributes["connection"]
context.configure(connection=connection, target_metadata=metadata)
with context.begin_transaction():
    context.run_migrations()
