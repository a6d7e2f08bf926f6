"""A plans database as an older release left it: migrated to `revision` only, with one plan in it."""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa

from planner.plans import store


def old_database_with_a_plan(url: str, revision: str, document: str, plan_id: str = "a" * 32) -> None:
    """Migrate the database at `url` to `revision` and insert plan `plan_id` ("Old plan") with one revision holding
    `document`, as the tables were then."""
    from alembic import command
    from alembic.config import Config

    engine = sa.create_engine(url)
    config = Config()
    config.set_main_option("script_location", str(Path(store.__file__).parent / "migrations"))
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, revision)
        now = datetime.now(timezone.utc)
        connection.execute(
            sa.text(
                "insert into plans (id, name, created_at, updated_at, latest_revision) "
                "values (:id, 'Old plan', :now, :now, 1)"
            ),
            {"id": plan_id, "now": now},
        )
        connection.execute(
            sa.text(
                "insert into revisions (plan_id, number, saved_at, name, note, kind, workspace_version, schema_version, "
                "document) values (:id, 1, :now, 'Old plan', '', 'scenario', 1, 1, :doc)"
            ),
            {"id": plan_id, "now": now, "doc": document},
        )
    engine.dispose()
