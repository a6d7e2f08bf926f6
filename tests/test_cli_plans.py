"""`python -m planner plans …` and `db upgrade`, run as a user would, on SQLite and on PostgreSQL."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from planner import catalog
from planner.scenario import to_json
from planner.store import Store
from planner.workspace import Workspace

ROOT = Path(__file__).resolve().parent.parent
PRESETS = ROOT / "data" / "presets"


@pytest.fixture(params=["sqlite", "postgresql"])
def url(request, tmp_path):
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'plans.sqlite3'}"
    return request.getfixturevalue("postgres").createdb()


def cli(url: str, *args) -> subprocess.CompletedProcess:
    env = {**os.environ, "PLANNER_DATABASE_URL": url}
    return subprocess.run([sys.executable, "-m", "planner", *map(str, args)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)


def ok(url: str, *args) -> str:
    run = cli(url, *args)
    assert run.returncode == 0, run.stderr
    return run.stdout


def test_save_list_export_and_the_export_reads_back_with_identical_figures(url, tmp_path):
    plan, number = ok(url, "plans", "save", "--scenario", PRESETS / "retail.json", "--name", "Store A",
                      "--note", "as proposed").split()
    assert len(plan) == 32 and number == "1"
    assert ok(url, "plans", "save", "--scenario", PRESETS / "vessel.json", "--name", "Store A",
              "--plan", plan).split() == [plan, "2"]
    listed = json.loads(ok(url, "plans", "list", "--format", "json"))
    assert [(p["id"], p["name"], p["revisions"], p["problem"]) for p in listed] == [(plan, "Store A", 2, None)]
    assert plan in ok(url, "plans", "list", "--search", "store a")
    assert ok(url, "plans", "list", "--search", "nothing like it").splitlines()[1:] == []

    exported = tmp_path / "first.json"
    ok(url, "plans", "export", plan, "--rev", "1", "--out", exported)
    assert exported.read_text() == to_json(catalog.preset("retail"))              # the scenario file itself
    assert ok(url, "report", "--scenario", exported, "--format", "json") == \
        ok(url, "report", "--preset", "retail", "--format", "json")
    assert ok(url, "plans", "export", plan) == to_json(catalog.preset("vessel"))  # latest, to stdout


def test_a_new_revision_keeps_the_rest_of_the_saved_work(url):
    db = Store(url)
    saved = Workspace(catalog.preset("retail"), preset="retail", view="accounting",
                      comparison=(catalog.preset("retail"), catalog.preset("vessel")))
    plan = db.save(saved, "With a comparison").plan_id
    ok(url, "plans", "save", "--scenario", PRESETS / "oil_gas.json", "--name", "With a comparison", "--plan", plan)
    assert db.open(plan).workspace == saved.with_scenario(catalog.preset("oil_gas"))
    db.close()


@pytest.mark.parametrize("args, message", [
    (("plans", "export", "0" * 32), "error: there is no plan '00000000000000000000000000000000'"),
    (("plans", "export", "nope", "--rev", "1"), "error: there is no plan 'nope' (a plan id is 32 hex digits)"),
    (("plans", "save", "--scenario", "missing.json", "--name", "x"), "error: cannot read missing.json"),
    (("plans", "save", "--scenario", PRESETS / "retail.json", "--name", " "), "error: a plan needs a name"),
    (("plans", "save", "--scenario", PRESETS / "retail.json", "--name", "x", "--plan", "f" * 32),
     "error: there is no plan"),
    (("plans", "frobnicate"), "error: argument action: invalid choice"),
])
def test_bad_input_is_one_line_and_status_2(url, args, message):
    run = cli(url, *args)
    assert run.returncode == 2 and run.stderr.startswith(message) and run.stderr.count("\n") == 1, run.stderr


def test_an_unreachable_database_is_status_1_with_its_address(postgres):
    run = cli(postgres.url("no_such_database"), "plans", "list")
    assert run.returncode == 1
    assert run.stderr.startswith("error: the plans database (postgresql+psycopg://planner@127.0.0.1:")
    assert "cannot be reached" in run.stderr and run.stderr.count("\n") == 1


def test_db_upgrade_creates_the_tables(tmp_path):
    url = f"sqlite:///{tmp_path / 'new' / 'plans.sqlite3'}"
    assert ok(url, "db", "upgrade") == f"plans database {url}: schema is current\n"
    assert ok(url, "plans", "list").splitlines()[1:] == []
