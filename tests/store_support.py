"""Plans databases for the tests: the `url` fixture (SQLite, then PostgreSQL), the command line run on one (`cli`),
and a database as an older release left it (`old_database_with_a_plan`)."""

from __future__ import annotations

import gc
import io
import subprocess
from contextlib import redirect_stderr, redirect_stdout
from datetime import datetime, timezone
from pathlib import Path

import pytest
import sqlalchemy as sa

from planner import cli as command_line
from planner.plans import store

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    """A fresh plans database: a SQLite file, then a PostgreSQL database of the test's own."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'plans.sqlite3'}"
    return request.getfixturevalue("postgres").createdb()


def cli(url: str, *args, **environ: str) -> subprocess.CompletedProcess:
    """`python -m planner ARGS` on the database at `url` (and the environment variables `environ`), run in this
    process by the command line's own `main` from the project's folder: its status, standard output and error.
    (tests/test_cli_plans.py runs the real `python -m planner` for the entry point and the secrets file.)"""
    out, err = io.StringIO(), io.StringIO()
    with pytest.MonkeyPatch.context() as patch, redirect_stdout(out), redirect_stderr(err):
        patch.chdir(ROOT)
        for name, value in {"PLANNER_DATABASE_URL": url, **environ}.items():
            patch.setenv(name, value)
        try:
            status = command_line.main([str(arg) for arg in args])
        except SystemExit as stop:  # argparse's --help
            status = stop.code
    gc.collect()  # the command's database engine and its connections go with it, as when its process ends
    return subprocess.CompletedProcess(args, status, out.getvalue(), err.getvalue())


def ok(url: str, *args, **environ: str) -> str:
    """Standard output of a command that must succeed."""
    run = cli(url, *args, **environ)
    assert run.returncode == 0, run.stderr
    return run.stdout


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
