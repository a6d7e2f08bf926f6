"""Cloud GPU instances in a real browser: switch the retail store's inference pricing to GPU instances on
the Scenario page and watch the cloud cost and break-even cards, then the Costs page's cloud components and
cumulative curves, move to the engine's figures."""

from __future__ import annotations

import pytest
from browser_support import chart_data, wait_for_chart, wait_for_idle
from playwright.sync_api import expect

from planner.catalogs import catalog
from planner.exports.report import analyse_one, summary
from planner.schema.format import break_even_short, break_even_text, money
from planner.schema.scenario import replace

pytestmark = pytest.mark.browser

RETAIL = catalog.preset("retail")


def card_value(page, label: str):
    return (
        page.get_by_test_id("stMetric")
        .filter(has=page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True))
        .get_by_test_id("stMetricValue")
    )


def test_switching_to_gpu_instances_moves_the_inference_component_and_the_break_even(new_page, app_url):
    page = new_page(app_url)
    before = summary(analyse_one(RETAIL))
    expect(card_value(page, "Break-even")).to_have_text(break_even_short(before["break_even_month"], 36))

    page.get_by_role("radio", name="Cloud", exact=True).click()
    wait_for_idle(page)
    expect(page.get_by_role("spinbutton", name="Instance price, on demand (USD/instance-hour)")).to_be_disabled()
    page.get_by_text("GPU instances (provisioned)").click()
    wait_for_idle(page)
    price = page.get_by_role("spinbutton", name="Instance price, on demand (USD/instance-hour)")
    expect(price).to_be_enabled()
    price.fill("2.5")
    price.press("Enter")
    wait_for_idle(page)

    s = replace(RETAIL, inference_pricing="instances", instance_per_hour=2.5)
    a = analyse_one(s)
    after = summary(a)
    inference = 2 * 2.5 * 730.5  # 26 inferences/s fit one instance; the minimum is 2
    assert a.costs.values("inference")[0, 0] == pytest.approx(inference)
    assert break_even_short(after["break_even_month"], 36) != break_even_short(before["break_even_month"], 36)
    expect(card_value(page, "Cloud cost per month")).to_have_text(money(after["cloud_monthly_cost"]))
    expect(card_value(page, "Break-even")).to_have_text(break_even_short(after["break_even_month"], 36))

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Costs & break-even").click()
    expect(page.get_by_role("heading", name="Costs & break-even", level=1)).to_be_visible()
    wait_for_idle(page)
    headline = break_even_text(after["break_even_month"], 36)
    expect(page.get_by_text(headline[0].upper() + headline[1:]).first).to_be_visible()
    wait_for_chart(page, f"Math.abs(data[0].y[data[0].y.length - 1] - {after['cloud_total_cost']}) < 0.01")
    cumulative = chart_data(page, 0)
    assert cumulative[2]["x"][0] == pytest.approx(after["break_even_month"])
    page.get_by_role("tab", name="Cost per month by component").click()  # the cloud's components first
    wait_for_chart(page, f"data.some(t => t.name === 'Cloud inference' && Math.abs(t.y[1] - {inference}) < 0.01)")
    names = [t["name"] for t in chart_data(page, 0)]
    assert "Cloud inference" in names and "Instance commitment, upfront" not in names  # on demand: no lump
