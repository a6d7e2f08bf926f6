"""Regions and currency in a real browser: choose a region and a currency on the Scenario page, watch the
prices and the cost card change, download the report and find the rate and its date in the CSV."""

from __future__ import annotations

import pytest
from browser_support import pick, settle
from playwright.sync_api import expect

from planner.catalogs import catalog, currency
from planner.exports.report import analyse_one, read_report_section, summary
from planner.schema.format import money
from planner.schema.scenario import replace

pytestmark = pytest.mark.browser

RETAIL = catalog.preset("retail")


def cloud_card(page):
    return (
        page.get_by_test_id("stMetric")
        .filter(has=page.get_by_test_id("stMetricLabel").get_by_text("Cloud cost per month", exact=True))
        .get_by_test_id("stMetricValue")
    )


def test_region_and_currency_change_the_prices_and_the_export_states_the_rate(new_page, app_url, tmp_path):
    page = new_page(app_url)
    expect(page.get_by_role("heading", name="Scenario", level=1)).to_be_visible()
    page.get_by_role("radio", name="Cloud", exact=True).click()
    settle(page)
    singapore = replace(RETAIL, **catalog.load().region("ap-southeast-1")["fields"])
    pick(page, "Cloud region (catalog)", "AWS · Asia Pacific (Singapore) (ap-southeast-1) · Singapore, Singapore")
    expect(page.get_by_role("spinbutton", name="Cloud storage (USD/GB-month)")).to_have_value("0.025")
    expect(cloud_card(page)).to_have_text(money(summary(analyse_one(singapore))["cloud_monthly_cost"]))
    expect(page.get_by_text("as of 2026-03-02").first).to_be_visible()

    page.get_by_role("radio", name="Finance", exact=True).click()
    pick(page, "Currency", "EUR — Euro")
    euros = currency.convert(singapore, "EUR")
    expect(cloud_card(page)).to_have_text(money(summary(analyse_one(euros))["cloud_monthly_cost"], "EUR"))
    expect(page.get_by_text("0.861549 EUR per USD, ECB reference rate of 2025-10-21").first).to_be_visible()
    page.get_by_role("radio", name="Cloud", exact=True).click()
    settle(page)
    # 0.025 × 0.861549 = 0.021538725, shown as a price list prints it (4 significant figures); the engine keeps it
    expect(page.get_by_role("spinbutton", name="Cloud storage (EUR/GB-month)")).to_have_value("0.02154")

    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Compare & export").click()
    expect(page.get_by_role("heading", name="Compare & export", level=1)).to_be_visible()
    settle(page)
    with page.expect_download() as download:
        page.get_by_role("button", name="Report CSV (current scenario)").click()
    path = tmp_path / "report.csv"
    download.value.save_as(path)
    assumptions = read_report_section(path.read_text(encoding="utf-8"), "Assumptions").set_index("field")
    assert float(assumptions.loc["fx_rate", "value"]) == 0.861549
    assert assumptions.loc["fx_rate", "unit"] == "EUR per USD"
    assert assumptions.loc["fx_rate_date", "value"] == "2025-10-21"
    assert assumptions.loc["currency", "value"] == "EUR"
    assert assumptions.loc["cloud_region", "value"] == "ap-southeast-1"
    assert float(assumptions.loc["storage_per_gb_month", "value"]) == pytest.approx(0.025 * 0.861549)
