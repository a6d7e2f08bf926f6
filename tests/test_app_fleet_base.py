"""The Fleet page's base picker (AppTest): a preset, the current scenario or a saved plan as the base, the capex it
changes worked out by hand; the fleet's name and base above the plans; uploads on the shown base; a malformed base
in a fleet file is named and the fleet stays as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from planner.catalogs import catalog
from planner.fleet import inventory as fleet_inventory
from planner.plans.store import Store
from planner.plans.workspace import Workspace
from planner.schema.format import md
from planner.schema.scenario import to_dict
from planner.ui import fleet as ui

pytestmark = pytest.mark.app

APP = Path(__file__).resolve().parent.parent / "app.py"
RETAIL, SMART_CITY, VESSEL = (catalog.preset(k) for k in ("retail", "smart_city", "vessel"))
# Three identical sites with two hand-set devices each, over 12 months (no refresh): all-edge capex is
# 3 × 2 × (device price + installation) of the base.
CSV = "site,count,devices_manual,device_sizing\nA,3,2,manual\n"


def capex_of(base) -> float:
    return 3 * 2 * (base.device_price + base.install_per_device)


@pytest.fixture
def at(tmp_path, monkeypatch) -> AppTest:
    monkeypatch.setenv("PLANNER_DATABASE_URL", f"sqlite:///{tmp_path / 'plans.sqlite3'}")
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    at.session_state[ui.DOC] = fleet_inventory.make_fleet(
        CSV, RETAIL, months=12, name="Pilot", base_source="preset:retail"
    )
    at.session_state[ui.VERSION] = 1
    at.switch_page("pages/fleet.py").run()
    assert not at.exception, at.exception
    return at


def all_edge_capex(at: AppTest) -> float:
    assert not at.exception, at.exception
    plans = next(d.value for d in at.dataframe if "Plan" in d.value.columns)
    return plans.set_index("Plan").loc["All edge", "Capex [USD]"]


def base_picker(at: AppTest):
    return next(s for s in at.selectbox if s.label == "Base scenario")


def heading(at: AppTest) -> str:
    return next(m.value for m in at.markdown if m.value.startswith("**Pilot**"))


def test_the_base_picker_changes_capex_by_the_devices_price_difference(at):
    assert all_edge_capex(at) == capex_of(RETAIL) == 12_000
    assert heading(at) == f"**Pilot** · base: {md(f'“{RETAIL.name}”, the bundled preset retail')}"
    assert base_picker(at).value == ui.KEEP_BASE
    base_picker(at).set_value("preset:smart_city").run()
    assert all_edge_capex(at) - 12_000 == capex_of(SMART_CITY) - capex_of(RETAIL) == 5_094 - 12_000
    f = at.session_state[ui.DOC]
    assert (f.base, f.base_source, f.name, f.months) == (SMART_CITY, "preset:smart_city", "Pilot", 12)
    assert heading(at) == f"**Pilot** · base: {md(f'“{SMART_CITY.name}”, the bundled preset smart_city')}"
    assert any("The fleet's base is now" in s.value for s in at.success)
    assert base_picker(at).value == ui.KEEP_BASE  # the picker shows the new base as it is


def test_the_current_scenario_as_the_base(at):
    at.selectbox(key="sidebar.preset").set_value("vessel").run()
    at.switch_page("pages/fleet.py").run()
    base_picker(at).set_value("scenario").run()
    assert all_edge_capex(at) == capex_of(VESSEL) == 3 * 2 * (700 + 400)
    assert at.session_state[ui.DOC].base_source == "scenario"
    assert heading(at) == f"**Pilot** · base: {md(f'“{VESSEL.name}”, a scenario of its own')}"


def test_a_saved_plan_as_the_base(at):
    db = Store()
    saved = db.save(Workspace(VESSEL), "Ship plan")
    db.close()
    base_picker(at).set_value(ui.PLAN_BASE).run()
    assert all_edge_capex(at) == 12_000  # nothing changes until a plan is used
    at.selectbox(key="fleet.base_plan").set_value(saved.plan_id).run()
    at.button(key="fleet.base_plan.use").click().run()
    assert all_edge_capex(at) == capex_of(VESSEL)
    assert at.session_state[ui.DOC].base_source == f"plan:{saved.plan_id}@1"
    assert heading(at) == f"**Pilot** · base: {md(f'“{VESSEL.name}”, revision 1 of the saved plan {saved.plan_id}')}"


def test_saved_plans_that_cannot_be_listed_are_said_and_the_fleet_kept(at, monkeypatch):
    monkeypatch.setenv("PLANNER_DATABASE_URL", "nosuchdialect://plans")
    base_picker(at).set_value(ui.PLAN_BASE).run()
    assert not at.exception, at.exception
    assert [w.value for w in at.warning] == [
        "The saved plans cannot be listed: PLANNER\\_DATABASE\\_URL is not a usable database URL."
    ]
    assert all_edge_capex(at) == 12_000


def upload(at: AppTest, name: str, data: bytes) -> AppTest:
    uploader = next(u for u in at.file_uploader if u.key.startswith("fleet.upload."))
    return uploader.set_value((name, data, "text/csv")).run()


def test_an_uploaded_inventory_takes_the_shown_base_and_says_which(at):
    base_picker(at).set_value("preset:smart_city").run()
    upload(at, "north.csv", b"site,count,devices_manual,device_sizing\nN,1,2,manual\n")
    f = at.session_state[ui.DOC]
    assert (f.name, f.base_source, f.inventory.n) == ("north", "preset:smart_city", 1)
    assert [s.value for s in at.success][-1] == md(
        f"Loaded 1 site rows from north.csv, on the base “{SMART_CITY.name}”, the bundled preset smart_city."
    )
    assert all_edge_capex(at) == 2 * (SMART_CITY.device_price + SMART_CITY.install_per_device)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"base_source": "plan:xyz"}, "base_source = 'plan:xyz' is not one of"),
        ({"base": "harbour"}, "unknown preset 'harbour'"),
        ({"base": "retail", "base_source": "preset:vessel"}, "does not name the preset base 'retail'"),
    ],
)
def test_a_malformed_base_in_a_fleet_file_is_named_and_the_fleet_kept(at, change, message):
    before = at.session_state[ui.DOC]
    doc = {"name": "Bad", "base": to_dict(VESSEL), "sites": [{"site": "X"}]} | change
    upload(at, "bad.json", json.dumps(doc).encode())
    assert not at.exception, at.exception
    [error] = [e.value for e in at.error]
    assert error.startswith("bad.json was not loaded: ") and md(message) in error
    assert at.session_state[ui.DOC] == before and all_edge_capex(at) == 12_000
