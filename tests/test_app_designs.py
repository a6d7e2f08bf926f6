"""The Costs page's cheapest cloud design (AppTest): your design against the cheapest one the uplink carries, and the
button that sets the scenario to it through the normal commit path."""

from __future__ import annotations

import pytest
from app_support import start

from planner.catalogs import catalog
from planner.exports.report import LINK_MBPS, analyse_one, summary
from planner.model import designs
from planner.schema.format import break_even_text

pytestmark = pytest.mark.app

RETAIL = catalog.preset("retail")


def costs_page():
    at = start()
    at.switch_page("pages/costs.py").run()
    assert not at.exception, at.exception
    return at


def test_the_costs_page_compares_your_design_with_the_cheapest_and_one_button_applies_it():
    at = costs_page()
    found = designs.evaluate(RETAIL, LINK_MBPS)
    cheapest = designs.apply(RETAIL, found.changes[found.cheapest])
    table = next(t.value for t in at.dataframe if "What it is" in t.value.columns).set_index("Design")
    assert table.loc["Your cloud design", "What it is"] == designs.design_text(RETAIL)
    assert table.loc["Cheapest feasible cloud design", "What it is"] == designs.design_text(cheapest)
    # retail's 200 Mbps of video does not fit the 100 Mbps default uplink (80 % of it): it buys business fibre
    assert table.loc["Your cloud design", "Fits the uplink"] == "yes, with a link upgrade"
    against = summary(analyse_one(cheapest))
    assert table.loc["Cheapest feasible cloud design", "Cloud TCO [USD]"] == pytest.approx(against["cloud_total_cost"])
    assert table.loc["Cheapest feasible cloud design", "Edge break-even"] == break_even_text(
        against["break_even_month"], 36
    )
    assert any(m.value.startswith("**Cheapest feasible:** ") for m in at.markdown)  # bold, not shown as stars
    mine = summary(analyse_one(designs.apply(RETAIL, found.changes[found.current])))  # with its link upgrade
    assert table.loc["Your cloud design", "Edge break-even"] == break_even_text(mine["break_even_month"], 36)

    at.button(key="costs.cheapest_cloud").click().run()
    assert not at.exception, at.exception
    now = at.session_state["scenario"]
    for name in ("inference_pricing", "instance_commitment", "instance_billing", "cloud_upload"):
        assert getattr(now, name) == getattr(cheapest, name)
    assert now.name == RETAIL.name + " (edited)"  # through state.commit, as any edit
    assert any("Cloud design set to the cheapest" in s.value for s in at.success)
    assert "already the cheapest" in " ".join(s.value for s in at.success)
    assert not [b for b in at.button if b.key == "costs.cheapest_cloud"]
