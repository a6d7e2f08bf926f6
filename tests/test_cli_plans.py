"""`python -m planner plans …` and `db upgrade`, run as a user would, on SQLite and on PostgreSQL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from store_support import cli, ok

from planner.catalogs import catalog
from planner.plans.store import Store
from planner.plans.workspace import Workspace
from planner.schema.scenario import replace, to_json

pytestmark = pytest.mark.cli

ROOT = Path(__file__).resolve().parent.parent
PRESETS = ROOT / "data" / "presets"


def test_save_list_export_and_the_export_reads_back_with_identical_figures(url, tmp_path):
    plan, number = ok(
        url, "plans", "save", "--scenario", PRESETS / "retail.json", "--name", "Store A", "--note", "as proposed"
    ).split()
    assert len(plan) == 32 and number == "1"
    assert ok(
        url, "plans", "save", "--scenario", PRESETS / "vessel.json", "--name", "Store A", "--plan", plan
    ).split() == [plan, "2"]
    listed = json.loads(ok(url, "plans", "list", "--format", "json"))
    assert [(p["id"], p["name"], p["revisions"], p["problem"]) for p in listed] == [(plan, "Store A", 2, None)]
    assert plan in ok(url, "plans", "list", "--search", "store a")
    assert ok(url, "plans", "list", "--search", "nothing like it").splitlines()[1:] == []

    exported = tmp_path / "first.json"
    ok(url, "plans", "export", plan, "--rev", "1", "--out", exported)
    assert exported.read_text() == to_json(catalog.preset("retail"))  # the scenario file itself
    assert ok(url, "report", "--scenario", exported, "--format", "json") == ok(
        url, "report", "--preset", "retail", "--format", "json"
    )
    assert ok(url, "plans", "export", plan) == to_json(catalog.preset("vessel"))  # latest, to stdout


def test_a_new_revision_keeps_the_rest_of_the_saved_work(url):
    db = Store(url)
    saved = Workspace(
        catalog.preset("retail"),
        preset="retail",
        view="accounting",
        comparison=(catalog.preset("retail"), catalog.preset("vessel")),
    )
    plan = db.save(saved, "With a comparison").plan_id
    ok(url, "plans", "save", "--scenario", PRESETS / "oil_gas.json", "--name", "With a comparison", "--plan", plan)
    assert db.open(plan).workspace == saved.with_scenario(catalog.preset("oil_gas"))
    db.close()


@pytest.mark.parametrize(
    "args, message",
    [
        (("plans", "export", "0" * 32), "error: there is no plan '00000000000000000000000000000000'"),
        (("plans", "export", "nope", "--rev", "1"), "error: there is no plan 'nope' (a plan id is 32 hex digits)"),
        (("plans", "save", "--scenario", "missing.json", "--name", "x"), "error: cannot read missing.json"),
        (("plans", "save", "--scenario", PRESETS / "retail.json", "--name", " "), "error: a plan needs a name"),
        (
            ("plans", "save", "--scenario", PRESETS / "retail.json", "--name", "x", "--plan", "f" * 32),
            "error: there is no plan",
        ),
        (("plans", "frobnicate"), "error: argument action: invalid choice"),
    ],
)
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


# ── Fleet plans ─────────────────────────────────────────────────────────────────────────────────────
FLEETS = ROOT / "data" / "fleets"


def test_a_fleet_plan_saves_exports_and_reads_back_with_identical_figures(url, tmp_path):
    from planner.fleet import inventory as fleet_inventory

    plan, number = ok(
        url, "plans", "save", "--fleet", FLEETS / "city_intersections.json", "--name", "City", "--note", "two waves"
    ).split()
    assert number == "1"
    exported = tmp_path / "city.json"
    ok(url, "plans", "export", plan, "--out", exported)
    assert exported.read_text() == fleet_inventory.fleet_json(
        fleet_inventory.preset("city_intersections")
    )  # the fleet file itself
    assert ok(url, "fleet", "--sites", exported, "--format", "json") == ok(
        url, "fleet", "--fleet", "city_intersections", "--format", "json"
    )
    # A second revision from an edited fleet file; the listing says what each plan holds.
    edited = tmp_path / "edited.json"
    edited.write_text(exported.read_text().replace('"count": "25"', '"count": "26"', 1))
    assert ok(url, "plans", "save", "--fleet", edited, "--name", "City", "--plan", plan).split() == [plan, "2"]
    assert ok(url, "plans", "export", plan, "--rev", "2") == edited.read_text()
    [listed] = json.loads(ok(url, "plans", "list", "--format", "json"))
    assert (listed["kind"], listed["revisions"], listed["problem"]) == ("fleet", 2, None)
    assert "fleet" in ok(url, "plans", "list").splitlines()[1]


def test_a_plan_keeps_its_kind(url):
    plan = ok(url, "plans", "save", "--fleet", FLEETS / "retail_chain.json", "--name", "Chain").split()[0]
    run = cli(url, "plans", "save", "--scenario", PRESETS / "retail.json", "--name", "Chain", "--plan", plan)
    assert run.returncode == 2
    assert run.stderr == f"error: plan '{plan}' holds a fleet, not a scenario: save the scenario as a new plan\n"
    assert [p["revisions"] for p in json.loads(ok(url, "plans", "list", "--format", "json"))] == [1]


def test_a_fleet_file_with_a_bad_cell_is_not_saved(url, tmp_path):
    bad = tmp_path / "bad.json"
    bad.write_text((FLEETS / "city_intersections.json").read_text().replace('"count": 25', '"count": -3', 1))
    run = cli(url, "plans", "save", "--fleet", bad, "--name", "Bad")
    assert run.returncode == 2 and run.stderr.startswith(f"error: {bad}: row 1, column count: -3 is outside"), (
        run.stderr
    )


def test_a_damaged_plan_is_listed_with_its_reason(url):
    import sqlalchemy as sa

    from planner.plans import store

    ok(url, "plans", "save", "--scenario", PRESETS / "retail.json", "--name", "Good")
    damaged = ok(url, "plans", "save", "--scenario", PRESETS / "retail.json", "--name", "Damaged").split()[0]
    db = Store(url)
    with db.engine.begin() as connection:
        connection.execute(
            sa.update(store.revisions)
            .where(store.revisions.c.plan_id == damaged)
            .values(document='{"workspace_version": 1, "scenario": {"cameras": -5}}')
        )
    db.close()
    problems = {p["name"]: p["problem"] for p in json.loads(ok(url, "plans", "list", "--format", "json"))}
    assert problems == {
        "Good": None,
        "Damaged": "its stored document is damaged: scenario: cameras = -5 is not valid: "
        "allowed 0 to 100,000 cameras, a whole number",
    }
    assert "Damaged  (cannot be read: its stored document is damaged: scenario: cameras = -5" in ok(
        url, "plans", "list"
    )


def test_the_commands_honour_streamlits_connection_secrets(tmp_path):
    """Without PLANNER_DATABASE_URL, `[connections.planner]` in .streamlit/secrets.toml names the database."""
    project = tmp_path / "project"
    (project / ".streamlit").mkdir(parents=True)
    db_file = tmp_path / "from-secrets.sqlite3"
    (project / ".streamlit" / "secrets.toml").write_text(f'[connections.planner]\nurl = "sqlite:///{db_file}"\n')
    env = {k: v for k, v in os.environ.items() if not k.startswith("PLANNER_DATABASE")}
    env |= {"PYTHONPATH": str(ROOT), "HOME": str(tmp_path)}

    def run(*args):
        return subprocess.run(
            [sys.executable, "-m", "planner", *map(str, args)],
            cwd=project,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )

    saved = run("plans", "save", "--scenario", PRESETS / "retail.json", "--name", "Via secrets")
    assert saved.returncode == 0, saved.stderr
    assert [p.name for p in Store(f"sqlite:///{db_file}").plans()] == ["Via secrets"]
    assert not (project / "plans.sqlite3").exists()
    assert run("db", "upgrade").stdout == f"plans database sqlite:///{db_file}: schema is current\n"
    env["PLANNER_DATABASE_URL"] = f"sqlite:///{tmp_path / 'from-env.sqlite3'}"  # the variable wins
    assert "from-env" in run("db", "upgrade").stdout


def test_an_export_carries_the_price_book_rows_its_figures_came_from_and_an_import_keeps_its_catalog(tmp_path):
    """A plan priced with the exporting organisation's contracted egress rate: the export names that price-book row
    as entered; another deployment reads the file with the scenario's own figures, says what the rows are, and
    writes nothing to its catalog."""
    url = f"sqlite:///{tmp_path / 'plans.sqlite3'}"
    ours, theirs = tmp_path / "our-catalog", tmp_path / "their-catalog"
    (ours / "price_book").mkdir(parents=True)
    theirs.mkdir()
    header = (catalog.DATA_DIR / "cloud_prices.csv").read_text().splitlines()[0]
    (ours / "price_book" / "cloud_prices.csv").write_text(
        header + '\naws,Internet data transfer out,transfer_out_per_gb,USD per GB,0,0.05,,"Enterprise agreement '
        '2026-118, clause 4 (entered by procurement)",2026-11-01\n'
    )
    scenario = replace(catalog.preset("retail"), egress_tiers=[{"start": 0, "price": 0.05}])
    source = tmp_path / "contracted.json"
    source.write_text(to_json(scenario))

    def run(overlay: Path, *args) -> subprocess.CompletedProcess:
        with pytest.MonkeyPatch.context() as m:
            m.setenv("PLANNER_CATALOG_DIR", str(overlay))
            return cli(url, *args)

    plan = run(ours, "plans", "save", "--scenario", source, "--name", "Contracted").stdout.split()[0]
    exported = tmp_path / "exported.json"
    assert run(ours, "plans", "export", plan, "--out", exported).returncode == 0
    document = json.loads(exported.read_text())
    assert document.pop("price_book") == [
        {
            "catalog": "cloud_prices.csv",
            "entry": "aws — Internet data transfer out",
            "fields": ["egress_tiers"],
            "provider": "aws",
            "service": "Internet data transfer out",
            "item": "transfer_out_per_gb",
            "unit": "USD per GB",
            "tier_from": 0,
            "price_usd": 0.05,
            "estimate": "",
            "source": "Enterprise agreement 2026-118, clause 4 (entered by procurement)",
            "as_of": "2026-11-01",
        }
    ]
    assert document == json.loads(to_json(scenario))  # the rest is the scenario file itself

    ours_report = json.loads(run(ours, "report", "--scenario", source, "--format", "json").stdout)
    read = run(theirs, "report", "--scenario", exported, "--format", "json")
    assert read.returncode == 0, read.stderr
    assert read.stderr == (
        f"note: {exported}: the file carries 1 price-book row of the exporting organisation (aws — Internet data "
        "transfer out): the scenario keeps those figures as its own; this deployment's catalog is not changed\n"
    )
    theirs_report = json.loads(read.stdout)
    figures = ("cloud_monthly_cost", "cloud_total_cost", "edge_total_cost", "savings_total")
    # the same figures: egress at 0.05 USD/GB from the first GB, as the contract says, not the bundled tiers
    assert [theirs_report[k] for k in figures] == [ours_report[k] for k in figures]
    bundled = json.loads(ok(url, "report", "--preset", "retail", "--format", "json"))
    assert theirs_report["cloud_monthly_cost"] != bundled["cloud_monthly_cost"]
    assert list(theirs.iterdir()) == []  # nothing written to the receiving catalog
    egress_sources = [s for s in theirs_report["sources"] if "egress_tiers" in s["fields"]]
    assert egress_sources == []  # their catalog has no such rate: the figure is the scenario's own there
    assert [s["source"] for s in ours_report["sources"] if "egress_tiers" in s["fields"]] == [
        "price book: Enterprise agreement 2026-118, clause 4 (entered by procurement)"
    ]
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**document, "price_book": "cheap"}))
    refused = run(theirs, "report", "--scenario", bad)
    assert (refused.returncode, refused.stderr) == (
        2,
        "error: price_book: expected a list of at most 100 rows (objects), as a plan export writes it\n",
    )
