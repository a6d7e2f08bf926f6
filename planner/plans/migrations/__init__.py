"""Alembic migrations of the plans database (run by `planner.plans.store.upgrade`, `python -m planner db upgrade`)."""
