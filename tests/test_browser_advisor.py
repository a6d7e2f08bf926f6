"""The Architecture advisor in a real browser: Debian's headless Chromium against `streamlit run app.py`.

A user's path: open the page from the sidebar, answer the questionnaire (10 ms, Azure), submit, read the
recommendation (the retail preset's 200 Mbps of video cannot go up a 100 Mbps link; its 0.4 analysed
frames/s make any target under 2.5 s a warning), the uplink card, and the latency chart's figure, download the CSV, apply the deployment and see the
Scenario page's edge capex card change. Expected figures come from the planner core (`advisor.advise`,
`analyse_one`). The screenshot goes to out/screenshots/4-advisor.png.
"""

from __future__ import annotations

import pytest
from browser_support import chart_data, pick, screenshot, wait_for_chart, wait_for_idle
from playwright.sync_api import expect

from planner.advice import advisor
from planner.catalogs import catalog
from planner.exports.report import analyse_one, summary
from planner.schema.format import money
from planner.schema.scenario import replace
from planner.ui.advisor import advice_csv

pytestmark = pytest.mark.browser

RETAIL = catalog.preset("retail")


def go_to(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_role("link", name=title).click()
    expect(page.get_by_role("heading", name=title, level=1)).to_be_visible()
    wait_for_idle(page)


def edge_capex(page):
    return (
        page.get_by_test_id("stMetric")
        .filter(has=page.get_by_test_id("stMetricLabel").get_by_text("Edge capex"))
        .get_by_test_id("stMetricValue")
    )


def test_submit_the_questionnaire_see_the_recommendation_and_apply_it(new_page, app_url, tmp_path):
    page = new_page(app_url)
    capex_before = money(summary(analyse_one(RETAIL))["edge_capex"])
    expect(edge_capex(page)).to_have_text(capex_before)

    go_to(page, "Architecture advisor")
    expect(page.get_by_text("Answer the questions and press Get recommendation")).to_be_visible()
    page.get_by_role("spinbutton", name="Required response time (ms)").fill("10")
    pick(page, "Organisation's cloud platform", "Azure")
    page.get_by_role("button", name="Get recommendation").click()
    wait_for_idle(page)

    advice = advisor.advise(advisor.answers(response_ms=10, cloud_platform="azure"), RETAIL)
    assert advice.placement == "split_brain_edge" and advice.hard_constraints == ("uplink_mbps",)
    expect(page.get_by_role("heading", name=advisor.PLACEMENT_TEXT[advice.placement])).to_be_visible()
    expect(page.get_by_text("mandatory for uplink capacity").first).to_be_visible()
    expect(page.get_by_text("an event waits up to 2,500 ms (1,250 ms on average)").first).to_be_visible()
    expect(page.get_by_test_id("stMetric").filter(has_text="Uplink (Mbps)")).to_contain_text("over 100")
    expect(page.get_by_role("cell", name="Latency", exact=True)).to_be_visible()  # the decision table
    page.get_by_role("radio", name="Stack", exact=True).click()
    expect(page.get_by_role("cell", name="Azure Arc-enabled Kubernetes (on K3s)")).to_be_visible()
    page.get_by_role("radio", name="Latency budget", exact=True).click()

    parts = [*advice.cloud_latency_ms.items(), *advice.edge_latency_ms.items()]  # the wait is in both
    wait_for_chart(page, f"data.length === {len(parts)}")
    traces = chart_data(page)
    assert [t["name"] for t in traces] == [name for name, _ in parts]
    assert [t["y"][0] for t in traces] == ["Cloud path"] * 6 + ["Edge path"] * 3
    assert [t["x"][0] for t in traces] == pytest.approx([ms for _, ms in parts])
    assert traces[0]["x"][0] == traces[6]["x"][0] == 1000 / 0.4 / 2  # 1,250 ms on both paths
    required = page.evaluate(
        """sel => document.querySelector(sel)._fullLayout.shapes.map(s => [s.x0, s.x1])""",
        '[data-testid="stPlotlyChart"] .js-plotly-plot',
    )
    assert required == [[10, 10]]  # the requirement line

    with page.expect_download() as download:
        page.get_by_role("button", name="Recommendation CSV").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.read_text(encoding="utf-8") == advice_csv(advice)

    page.get_by_role("button", name="Apply this deployment to the scenario").click()
    applied = replace(RETAIL, **advice.scenario_changes)
    capex_after = money(summary(analyse_one(applied))["edge_capex"])
    assert capex_after != capex_before
    expect(page.get_by_text(f"Edge capex is now {capex_after}")).to_be_visible()
    expect(page.get_by_role("button", name="Apply this deployment to the scenario")).to_be_disabled()
    screenshot(page, "4-advisor")

    go_to(page, "Scenario")
    expect(edge_capex(page)).to_have_text(capex_after)
