"""Alembic migrations of the plans database (run by `planner.store.upgrade`, `python -m planner db upgrade`)."""
