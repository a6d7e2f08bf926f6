"""Carbon in a real browser: the Costs page shows both sides' emissions and the carbon break-even, an internal
carbon price adds a cost component, and the downloaded monthly CSV carries the carbon figures.

Expected figures come from the planner core (`analyse_one`), i.e. what the CLI prints.
"""

from __future__ import annotations

import pandas as pd
import pytest
from browser_support import chart_data, wait_for_chart, wait_for_idle
from playwright.sync_api import expect

from planner.catalogs import catalog
from planner.exports.report import analyse_one, summary
from planner.schema.format import break_even_short
from planner.schema.scenario import replace, to_share_token

pytestmark = pytest.mark.browser

# The smart-city preset on a low-carbon grid (France): its Jetsons pay back their embodied emissions.
SCENARIO = replace(catalog.preset("smart_city"), grid_kgco2e_per_kwh=0.056, name="Smart city, French grid")
CARBON_CHARTS = 1  # the cumulative cost chart comes first (the component charts are in its tab beside it)


def card(page, label: str):
    return (
        page.get_by_test_id("stMetric")
        .filter(has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
        .get_by_test_id("stMetricValue")
    )


def test_costs_page_shows_carbon_and_the_csv_carries_it(new_page, app_url, tmp_path):
    page = new_page(f"{app_url}/costs?s={to_share_token(SCENARIO)}&p=smart_city")
    expect(page.get_by_role("heading", name="Carbon", level=3)).to_be_visible()
    s = summary(analyse_one(SCENARIO))
    assert s["carbon_break_even_month"] is not None
    expect(card(page, "Cloud, 60 months")).to_have_text(f"{s['cloud_kgco2e_total'] / 1000:,.1f} t CO₂e")
    expect(card(page, "Edge, 60 months")).to_have_text(f"{s['edge_kgco2e_total'] / 1000:,.1f} t CO₂e")
    expect(card(page, "Carbon break-even")).to_have_text(break_even_short(s["carbon_break_even_month"], 60))
    # the cumulative emissions chart (its tab is the first, the per-month chart is built when its tab is picked):
    # cloud and edge steps in tonnes, and the break-even marked
    wait_for_chart(page, "data.length === 3", index=CARBON_CHARTS)
    traces = chart_data(page, CARBON_CHARTS)
    assert [t["name"] for t in traces] == ["Cloud", "Edge", "Carbon break-even"]
    assert traces[0]["y"][-1] == pytest.approx(s["cloud_kgco2e_total"] / 1000)
    assert traces[2]["x"][0] == pytest.approx(s["carbon_break_even_month"])

    price = page.get_by_role("spinbutton", name="Internal carbon price (USD per tonne)")
    price.fill("100")
    price.press("Enter")
    priced = summary(analyse_one(replace(SCENARIO, carbon_price_per_tonne=100)))
    wait_for_idle(page)
    page.get_by_role("tab", name="Cost per month by component").click()
    wait_for_chart(page, "data.some(t => t.name === 'Carbon price')")  # the cloud components chart, now first
    wait_for_idle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Monthly CSV").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    monthly = pd.read_csv(saved)
    assert monthly["Cloud carbon cumulative [kg CO₂e]"].iloc[-1] == pytest.approx(s["cloud_kgco2e_total"], abs=0.01)
    assert monthly["Edge carbon cumulative [kg CO₂e]"].iloc[-1] == pytest.approx(s["edge_kgco2e_total"], abs=0.01)
    assert monthly["Cloud: Carbon price [USD]"].sum() == pytest.approx(s["cloud_kgco2e_total"] / 1000 * 100, abs=0.5)
    assert monthly["Cloud total [USD]"].sum() == pytest.approx(priced["cloud_total_cost"], abs=0.5)
