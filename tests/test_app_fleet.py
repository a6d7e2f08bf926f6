"""The Fleet page without a browser (streamlit.testing AppTest): expected figures come from planner.fleet.programme,
the code the CLI reports with."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from planner.catalogs import catalog
from planner.fleet import inventory as fleet_inventory
from planner.fleet import programme as fleet_programme
from planner.fleet import tables as fleet_tables
from planner.ui import fleet as ui

pytestmark = pytest.mark.app

APP = Path(__file__).resolve().parent.parent / "app.py"
PAGE = "pages/fleet.py"
RETAIL = catalog.preset("retail")
CSV = "site,count,go_live_month,pin,cameras,connectivity,privacy\nA,1,0,,50,fiber,\nB,40,6,,10,metered_5g,on_site\n"


def start(f: fleet_inventory.Fleet | None = None) -> AppTest:
    at = AppTest.from_file(str(APP), default_timeout=60).run()
    if f is not None:
        at.session_state[ui.DOC] = f
        at.session_state[ui.VERSION] = 1
    at.switch_page(PAGE).run()
    assert not at.exception, at.exception
    return at


def shown(at: AppTest, column: str) -> pd.DataFrame:
    """The table on the page that has this column (the editor is a dataframe element too)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def test_the_default_fleet_shows_its_three_plans_and_sites():
    at = start()
    expected = fleet_tables.plan_summary(fleet_programme.evaluate(fleet_inventory.preset(ui.DEFAULT_FLEET)))
    plans = shown(at, "Plan")
    assert plans["Plan"].tolist() == ["All cloud", "All edge", "Recommended mix"]
    assert plans["Capex [USD]"].tolist() == [expected[k]["capex_total"] for k in fleet_inventory.PLANS]
    assert plans["NPV of savings [USD]"].tolist() == pytest.approx([expected[k]["npv"] for k in fleet_inventory.PLANS])
    assert at.metric[0].value == "120"


def test_a_pin_in_the_table_changes_the_placement_and_the_plan():
    f = fleet_inventory.make_fleet(CSV, RETAIL)
    at = start(f)
    before = shown(at, "Plan")
    assert shown(at, "Placement").set_index("Site").loc["A", "Placement"] == "Cloud"  # its cheapest cloud is cheaper
    pinned = fleet_inventory.make_fleet(CSV.replace("A,1,0,,", "A,1,0,split_brain_edge,"), RETAIL)
    at = start(pinned)
    after = shown(at, "Plan")
    # Pinning A (50 cameras × 0.4 × 1.3 = 26 ÷ 15.2 per seed server → 2 devices × 2,000) to the edge adds 4,000 to
    # the recommended plan's capex.
    assert after["Capex [USD]"].iat[2] - before["Capex [USD]"].iat[2] == 4_000
    sites = shown(at, "Placement")
    assert sites.set_index("Site").loc["A", "Placement"] == "Split-brain edge"


def test_open_a_row_as_the_current_scenario_and_send_it_back():
    at = start(fleet_inventory.make_fleet(CSV, RETAIL))
    next(s for s in at.selectbox if s.label == "Fleet row").set_value(1).run()
    at.button(key="fleet.open").click().run()
    assert not at.exception
    scenario = at.session_state["scenario"]
    assert (scenario.name, scenario.cameras, scenario.sites, scenario.horizon_months) == ("B", 10, 1, 30)
    at.button(key="fleet.send").click().run()
    assert not at.exception
    table = at.session_state[ui.DOC].inventory.table
    assert len(table) == 3 and table["site"].iat[2] == "B" and table["cameras"].iat[2] == "10"


def test_loading_a_preset_replaces_the_table():
    at = start(fleet_inventory.make_fleet(CSV, RETAIL))
    at.selectbox(key="fleet.preset").set_value("city_intersections").run()
    at.button(key="fleet.load").click().run()
    assert not at.exception
    assert at.session_state[ui.DOC].inventory.table["site"].tolist() == ["Fibre intersection", "LTE intersection"]
    assert at.metric[0].value == "40"


def test_a_bad_cell_is_listed_and_the_rest_evaluated():
    # The editor's table as typed (the page checks it on every run): a word where a number belongs.
    good = fleet_inventory.make_fleet(CSV, RETAIL)
    typed = good.inventory.table.copy()
    typed.loc[0, "cameras"] = "fifty"
    at = start(fleet_inventory.Fleet(good.name, good.base, good.answers, fleet_inventory.Inventory(typed), good.months))
    assert any("row 1, column cameras: 'fifty' is not a number" in w.value for w in at.warning)
    assert at.metric[0].value == "41"


def test_a_long_inventory_shows_its_earliest_paybacks_and_all_rows_on_request():
    """Over `SITES_SHOWN` rows the per-site table starts with the earliest paybacks; the toggle shows every row."""
    rows = 60
    csv = "site,cameras,go_live_month\n" + "".join(f"s{i},{10 + i},{i % 12}\n" for i in range(rows))
    f = fleet_inventory.make_fleet(csv, RETAIL, months=60)
    at = start(f)
    expected = fleet_tables.site_table(fleet_programme.evaluate(f)).sort_values(
        "payback_month", na_position="last", kind="stable"
    )
    sites = shown(at, "Payback")
    assert len(sites) == ui.SITES_SHOWN < rows
    assert sites["Site"].tolist() == expected["name"].head(ui.SITES_SHOWN).tolist()  # earliest payback first
    at.toggle(key="fleet.all_sites").set_value(True).run()
    assert shown(at, "Payback")["Site"].tolist() == expected["name"].tolist()


# ── Issue 29 item 8: the Fleet page speaks English ─────────────────────────────────────────────────
def test_fleet_labels_reasons_and_break_even_are_words():
    import json
    import re

    from planner.schema.format import break_even_label

    pinned = fleet_inventory.make_fleet(CSV.replace("A,1,0,,", "A,1,0,split_brain_edge,"), RETAIL)
    at = start(pinned)
    p = fleet_programme.evaluate(pinned)
    editor = next(d for d in at.dataframe if "go_live_month" in d.value.columns)
    labels = {name: config.get("label") for name, config in json.loads(editor.proto.columns).items()}
    assert labels["go_live_month"] == "Go-live month" and labels["count"] == "Sites (count)"
    assert labels["cameras"] == "Cameras" and labels["pin"] == "Pinned placement"
    assert not {name: label for name, label in labels.items() if name != "_index" and (not label or "_" in label)}
    sites = shown(at, "Why")
    assert not [c for c in sites.columns if "_" in c]
    assert set(sites["Placement"]) <= {"Cloud", "Split-brain edge", "Edge only"}
    why = sites.set_index("Site").loc["A", "Why"]
    assert why.startswith("pinned to Split-brain edge (advised: ") and "_" not in why
    assert not [r for r in sites["Why"] if re.search(r"favour the \w+ \d", r)]  # votes named, in brackets
    assert not [m.label for m in at.metric if "_" in m.label]
    be = fleet_tables.plan_summary(p)["recommended"]["break_even_month"]
    assert next(m.value for m in at.metric if m.label == "Recommended: break-even") == break_even_label(be, p.months)
    assert shown(at, "Plan")["Break-even"].iat[2] == break_even_label(be, p.months)


def test_a_row_opened_as_a_scenario_is_named_and_described_as_the_site_not_the_base_preset():
    city = fleet_inventory.preset("city_intersections")
    base = next(p for p in catalog.presets().values() if p.description == city.base.description)
    assert base.name != RETAIL.name  # the session's preset is the retail store, the fleet's base another
    at = start(city)
    at.button(key="fleet.open").click().run()
    scenario = at.session_state["scenario"]
    site = city.inventory.table["site"].iat[0]
    assert scenario.name == site and base.name not in scenario.description
    at.switch_page("pages/scenario.py").run()
    captions = [c.value for c in at.caption]
    assert not any(base.description[:40] in c for c in captions), captions  # not the base preset's caption
    assert any(c.startswith(f"One site of the row “{site}” of the fleet") for c in captions), captions


def test_the_cloud_side_radio_prices_the_plans_on_each_sites_cheapest_design():
    at = start()
    radio = at.radio(key="fleet.cloud.0")
    assert radio.value == "own" and radio.options == [
        "As the inventory states it",
        "The cheapest design each site's link carries",
    ]
    radio.set_value("cheapest").run()
    assert not at.exception, at.exception
    f = fleet_inventory.preset(ui.DEFAULT_FLEET)
    p = fleet_programme.evaluate(
        fleet_inventory.make_fleet(f.inventory.table, f.base, f.answers, f.months, f.name, f.base_source, "cheapest")
    )
    expected = fleet_tables.plan_summary(p)
    assert shown(at, "Plan")["TCO [USD]"].tolist() == pytest.approx([expected[k]["tco"] for k in fleet_inventory.PLANS])
    designs = shown(at, "Cloud design").set_index("Site")["Cloud design"]
    assert designs.to_dict() == dict(zip(f.inventory.table["site"], fleet_tables.site_table(p)["cloud_design"]))
    assert at.session_state[ui.SHOWN].cloud == "cheapest"  # what the Plans page saves and the fleet file stores


def test_the_sites_whose_link_cannot_carry_their_own_cloud_design_are_named():
    """The retail chain's small shops (8 cameras of 4 Mbps video on 20 Mbps LTE, 16 usable) are costed with the
    cheapest design their link carries, and the page says so."""
    at = start(fleet_inventory.preset("retail_chain"))
    notes = [i.value for i in at.info if "cannot carry their own cloud design" in i.value]
    assert len(notes) == 1 and notes[0].endswith("the cheapest design their link carries: Small shop")


def test_capex_by_quarter_is_built_only_when_its_expander_is_open():
    # Two sites of 50 cameras, each 2 devices × 2,000 (see the pin test above), going live in months 0 and 6: the
    # all-edge plan buys 4,000 in the first quarter, nothing in the second, 4,000 in the third.
    at = start(fleet_inventory.make_fleet("site,count,go_live_month,cameras\nA,1,0,50\nB,1,6,50\n", RETAIL))
    assert not [d for d in at.dataframe if "Quarter" in d.value.columns]  # closed: not even computed
    at.session_state["fleet.quarters"] = True  # as a click on it does
    quarters = shown(at.run(), "Quarter")
    assert quarters["Quarter"].tolist()[:3] == ["Q1", "Q2", "Q3"]
    assert quarters["All edge"].tolist()[:3] == [4_000, 0, 4_000]
