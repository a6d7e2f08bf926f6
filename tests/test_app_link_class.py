"""The site link class picker (AppTest): a class fills the line's tariff with its source shown, and its upload
capacity is the uplink the Costs page's cloud designs must fit in."""

from __future__ import annotations

import pytest
from app_support import start

from planner.catalogs import catalog
from planner.exports.report import cloud_designs, design_summary

pytestmark = pytest.mark.app

RETAIL = catalog.preset("retail")


def test_picking_a_link_class_fills_its_tariff_shows_its_source_and_sets_the_designs_uplink():
    at = start()
    at.segmented_control(key="scenario.group").set_value("Cloud").run()
    at.selectbox(key="scenario.link").set_value("metered_5g").run()
    assert not at.exception, at.exception
    s = at.session_state["scenario"]
    # data/connectivity.csv: metered 5G at 60 USD a month, 50 GB included, 15 USD a GB above
    assert (s.link_class, s.link_per_month, s.link_allowance_gb, s.uplink_per_gb) == ("metered_5g", 60, 50, 15)
    assert at.number_input(key="scenario.uplink_per_gb").value == 15
    captions = " ".join(c.value for c in at.caption)
    assert "Metered 5G / LTE: Verizon Data Boost" in captions and "as of 2025-06" in captions
    # an edited figure keeps the class (its capacity) but no longer cites its tariff
    at.number_input(key="scenario.link_per_month").set_value(70.0).run()
    assert at.selectbox(key="scenario.link").value == "__custom__"
    assert "Metered 5G / LTE, figures edited" in at.selectbox(key="scenario.link").options
    at.switch_page("pages/costs.py").run()
    assert not at.exception, at.exception
    # retail's 200 Mbps of video and 24 Mbps of frames need 250 and 30 Mbps: 5G's 50 Mbps carries the frames only,
    # the video buys fibre
    caption = " ".join(c.value for c in at.caption)
    assert "site's 50 Mbps uplink" in caption and "its link class, Metered 5G / LTE" in caption
    table = next(t.value for t in at.dataframe if "What it is" in t.value.columns).set_index("Design")
    own = design_summary(cloud_designs(at.session_state["scenario"]), 0)
    assert table.loc["Your cloud design", "Cloud TCO [USD]"] == pytest.approx(own["total_cost"])
    assert table.loc["Your cloud design", "Fits the uplink"] == "yes, with a link upgrade"
    # back to custom: the advisor's uplink answer (100 Mbps by default) again
    at.switch_page("pages/scenario.py").run()
    at.segmented_control(key="scenario.group").set_value("Cloud").run()
    at.selectbox(key="scenario.link").set_value("custom").run()
    assert at.session_state["scenario"].link_class == "custom"
    at.switch_page("pages/costs.py").run()
    assert "site's 100 Mbps uplink" in " ".join(c.value for c in at.caption)
