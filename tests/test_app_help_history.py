"""Issue 29, items 10, 13, 14 and 16 without a browser (AppTest): the advisor's edge-path badge and the scroll to
its result, a typed value out of range said beside the figures, undo and redo, and every key figure's link
to its formula on the Glossary & formulas page."""

from __future__ import annotations

import re

import pytest
from app_support import start
from streamlit.testing.v1 import AppTest

from planner.advice import advisor
from planner.catalogs import catalog
from planner.exports.report import analyse_one, summary
from planner.schema.format import money, ms_text
from planner.schema.scenario import replace
from planner.ui import glossary

pytestmark = pytest.mark.app

RETAIL = catalog.preset("retail")
LINK = re.compile(r"\]\(" + glossary.URL_PATH + r"#([\w-]+)\)")


def metric(at: AppTest, label: str):
    return next(m for m in at.metric if m.label == label)


def show(at: AppTest, group: str) -> None:
    at.segmented_control(key="scenario.group").set_value(group).run()


def warnings(at: AppTest) -> list[str]:
    return [w.value for w in at.warning]


# ── 10. The advisor: the edge path over its target gets its badge; a submit scrolls to the result ──────
def test_the_edge_path_over_its_latency_target_says_over_and_the_result_is_scrolled_to_once():
    at = start()
    at.switch_page("pages/advisor.py").run()
    assert not at.get("html")  # nothing to scroll to before a submit
    at.number_input(key="advisor.response_ms").set_value(500.0)
    at.button(key="advisor.submit").click().run()
    advice = advisor.advise(advisor.answers(response_ms=500), RETAIL)
    # 0.4 analysed frames/s: the next frame is 1000 / 0.4 / 2 = 1,250 ms away on average, on both paths
    assert advice.edge_ms > 1_250 > 500 and advice.cloud_ms > 1_250
    edge = metric(at, "Edge path")
    assert (edge.value, edge.delta) == (ms_text(advice.edge_ms), f"{ms_text(advice.edge_ms - 500)} over")
    assert metric(at, "Cloud path").delta == f"{ms_text(advice.cloud_ms - 500)} over"
    scripts = [h.proto.body for h in at.get("html") if "scrollIntoView" in h.proto.body]
    assert len(scripts) == 1 and ".st-key-advisor-result" in scripts[0]
    at.segmented_control(key="advisor.section").set_value("latency").run()  # reading on: the page stays put
    assert not [h for h in at.get("html") if "scrollIntoView" in h.proto.body]


def test_an_edge_path_within_its_target_has_time_to_spare():
    fast = replace(RETAIL, analysed_fps=60)
    at = AppTest.from_file(str(start.__globals__["APP"]), default_timeout=30).run()
    at.session_state["scenario"] = fast
    at.switch_page("pages/advisor.py").run()
    at.number_input(key="advisor.response_ms").set_value(100.0)
    at.button(key="advisor.submit").click().run()
    advice = advisor.advise(advisor.answers(response_ms=100), fast)
    assert advice.edge_ms < 100  # 8.3 ms of wait at 60 frames/s, then a few ms on site
    assert metric(at, "Edge path").delta == f"{ms_text(100 - advice.edge_ms)} to spare"


# ── 13. A value typed out of range is said beside the figures until it is fixed ────────────────────
def test_a_typed_value_out_of_range_is_said_beside_the_figures_until_fixed():
    at = start()
    before = summary(analyse_one(RETAIL))
    at.number_input(key="scenario.cameras").set_value(250_000).run()
    assert not at.exception and at.session_state["scenario"] == RETAIL  # not applied
    assert warnings(at) == [
        "- **Cameras**: 250,000 is outside 0 to 100,000 cameras, not applied: the figures use 50.\n\n"
        "Type a value in range to apply it."
    ]
    assert at.number_input(key="scenario.cameras").value == 250_000  # the field keeps what was typed
    assert metric(at, "Cloud cost per month").value == money(before["cloud_monthly_cost"])
    show(at, "Edge")  # the field is out of sight: still said
    show(at, "Workload")
    assert len(warnings(at)) == 1 and at.number_input(key="scenario.cameras").value == 250_000
    at.switch_page("pages/costs.py").run()
    assert any("**Cameras**: 250,000 is outside" in w for w in warnings(at))
    at.switch_page("pages/scenario.py").run()
    at.number_input(key="scenario.cameras").set_value(60).run()  # fixed
    assert at.session_state["scenario"].cameras == 60 and not warnings(at)
    assert metric(at, "Cloud cost per month").value == money(
        summary(analyse_one(replace(RETAIL, cameras=60)))["cloud_monthly_cost"]
    )


def test_a_value_out_of_range_ends_when_the_input_changes_elsewhere():
    at = start()
    at.number_input(key="scenario.cameras").set_value(100_001).run()
    assert warnings(at) and at.session_state["scenario"].cameras == 50
    at.sidebar.selectbox(key="sidebar.preset").set_value("vessel").run()  # another preset: its own cameras
    assert not warnings(at)
    assert at.number_input(key="scenario.cameras").value == catalog.preset("vessel").cameras


# ── 14. Undo and redo ──────────────────────────────────────────────────────────────────────────────
def test_undo_twice_and_redo_once_step_through_the_changes():
    at = start()
    assert at.sidebar.button(key="sidebar.undo").disabled and at.sidebar.button(key="sidebar.redo").disabled
    show(at, "Edge")  # the retail preset: 5 devices sized by hand at $2,000, no installation
    assert metric(at, "Edge capex").value == "$10,000"
    at.number_input(key="scenario.device_price").set_value(2_400.0).run()
    at.number_input(key="scenario.devices_manual").set_value(8).run()
    assert metric(at, "Edge capex").value == "$19,200"  # 8 × $2,400
    at.sidebar.button(key="sidebar.undo").click().run()
    assert metric(at, "Edge capex").value == "$12,000"  # 5 × $2,400
    assert at.number_input(key="scenario.devices_manual").value == 5
    at.sidebar.button(key="sidebar.undo").click().run()
    assert metric(at, "Edge capex").value == "$10,000" and at.session_state["scenario"] == RETAIL
    assert at.sidebar.button(key="sidebar.undo").disabled  # nothing before the preset as opened
    assert "Device price 2,400" in at.sidebar.button(key="sidebar.redo").help
    at.sidebar.button(key="sidebar.redo").click().run()
    assert metric(at, "Edge capex").value == "$12,000"
    assert at.number_input(key="scenario.device_price").value == 2_400.0
    assert at.session_state["scenario"].name == RETAIL.name + " (edited)"
    at.number_input(key="scenario.devices_manual").set_value(6).run()  # a new change drops what was undone
    assert at.sidebar.button(key="sidebar.redo").disabled and metric(at, "Edge capex").value == "$14,400"


def test_undo_brings_back_a_reset_and_keeps_at_most_twenty_steps():
    at = start()
    for cameras in range(60, 60 + 25):
        at.number_input(key="scenario.cameras").set_value(cameras).run()
    at.sidebar.button(key="sidebar.reset").click().run()
    assert at.session_state["scenario"] == RETAIL
    at.sidebar.button(key="sidebar.undo").click().run()
    assert at.session_state["scenario"].cameras == 84  # the reset undone
    undone = 1
    while not at.sidebar.button(key="sidebar.undo").disabled:
        at.sidebar.button(key="sidebar.undo").click().run()
        undone += 1
    assert undone == 20 and at.session_state["scenario"].cameras == 65  # the reset, then back from 84 to 65


# ── 16. Every key figure links to its formula, an anchor of the Glossary & formulas page ───────────
def test_every_key_figure_links_to_an_anchor_of_the_glossary_page():
    at = start()
    figures = {m.label: m.help for m in at.metric}
    at.switch_page("pages/costs.py").run()
    figures |= {m.label: m.help for m in at.metric}
    assert {"Cloud cost per month", "Edge capex", "Break-even", "NPV of savings", "IRR", "Carbon break-even"} <= set(
        figures
    )
    anchors = glossary.anchors()
    for label, help_text in figures.items():
        links = LINK.findall(help_text)
        assert links, f"{label}: no link to its formula"
        assert set(links) <= anchors, (label, links)
    assert LINK.findall(figures["Break-even"]) == ["finance"]
    assert LINK.findall(figures["Edge capex"]) == ["edge-components"]


def test_the_glossary_page_draws_every_term_and_section_with_its_anchor():
    at = start()
    at.switch_page("pages/glossary.py").run()
    assert not at.exception
    drawn = {h.proto.anchor for h in [*at.header, *at.subheader]}
    terms = {"break-even", "npv", "irr", "split-brain", "derating", "pue", "embodied-emissions"}
    assert terms <= drawn
    assert {"finance", "edge-components", "cloud-components", "carbon", "architecture-advisor"} <= drawn
    for term in glossary.TERMS:  # each term's formula: a section drawn on the page
        assert term.section in glossary.anchors()
