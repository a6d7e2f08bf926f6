"""The region picker and the currency inputs in the app (AppTest): a region fills the cloud inputs with its
catalog figures, a currency converts every money input at its reference rate, the comparison converts
scenarios to one currency, and the export states the rate."""

from __future__ import annotations

import pytest
from app_support import start
from streamlit.testing.v1 import AppTest

from planner.catalogs import catalog, currency
from planner.exports import tables
from planner.exports.report import analyse_one, read_report_section, report_csv, summary
from planner.schema.format import money
from planner.schema.scenario import replace

pytestmark = pytest.mark.app

RETAIL = catalog.preset("retail")
EUR_PER_USD = round(1.1607**-1, 6)  # data/fx_rates.csv: 1 EUR = 1.1607 USD (ECB, 2025-10-21)


@pytest.fixture
def at() -> AppTest:
    return start()


def show(at: AppTest, group: str) -> None:
    at.segmented_control(key="scenario.group").set_value(group).run()


def scenario(at: AppTest):
    return at.session_state["scenario"]


def metric(at: AppTest, label: str) -> str:
    return next(m for m in at.metric if m.label == label).value


def test_choosing_a_region_fills_its_prices_and_shows_source_and_date(at):
    show(at, "Cloud")
    at.selectbox(key="scenario.region").set_value("ap-southeast-1").run()
    assert not at.exception
    s = scenario(at)
    assert s.cloud_region == "ap-southeast-1"
    assert [(t.start, t.price) for t in s.egress_tiers] == [
        (0, 0),
        (100, 0.12),
        (10240, 0.085),
        (51200, 0.082),
        (153600, 0.08),
    ]
    assert s.storage_per_gb_month == 0.025
    assert at.number_input(key="scenario.storage_per_gb_month").value == 0.025
    captions = " ".join(c.value for c in at.caption)
    assert "Asia Pacific (Singapore)" in captions and "as of 2026-03-02" in captions
    assert metric(at, "Cloud cost per month") == money(summary(analyse_one(s))["cloud_monthly_cost"])


def test_a_site_location_sets_the_advisor_distance(at):
    show(at, "Cloud")
    at.selectbox(key="scenario.region").set_value("eu-west-1").run()
    assert "No site location" in " ".join(c.value for c in at.caption)
    at.text_input(key="scenario.site_location").set_value("48.14, 11.58").run()  # Munich
    km = catalog.great_circle_km(48.14, 11.58, 53.35, -6.26)  # to Dublin
    assert 1_370 < km < 1_390  # about 1,380 km on a map
    assert f"{round(km):,} km" in " ".join(c.value for c in at.caption)
    at.switch_page("pages/advisor.py").run()
    assert at.number_input(key="advisor.region_distance_km").value == round(km)


def test_choosing_a_currency_converts_every_price_and_states_the_rate(at):
    show(at, "Finance")
    at.selectbox(key="scenario.currency").set_value("EUR").run()
    assert not at.exception
    s = scenario(at)
    assert (s.currency, s.fx_rate, s.fx_rate_date) == ("EUR", EUR_PER_USD, "2025-10-21")
    assert s.device_price == pytest.approx(RETAIL.device_price * EUR_PER_USD)
    assert s.inference_tiers[1].price == pytest.approx(RETAIL.inference_tiers[1].price * EUR_PER_USD)
    expected = summary(analyse_one(currency.convert(RETAIL, "EUR")))["cloud_monthly_cost"]
    assert metric(at, "Cloud cost per month") == money(expected, "EUR")
    card = next(m for m in at.metric if m.label == "Cloud cost per month")
    assert not card.delta  # the preset is compared in euros too: nothing changed but the currency
    assert "0.861549 EUR per USD, ECB reference rate of 2025-10-21" in " ".join(c.value for c in at.caption)
    at.number_input(key="scenario.fx_rate").set_value(0.9).run()  # the user's own rate
    assert scenario(at).device_price == pytest.approx(RETAIL.device_price * 0.9)
    assert scenario(at).fx_rate_date == ""
    report = report_csv(analyse_one(scenario(at)))
    rows = read_report_section(report, "Assumptions").set_index("field")
    assert float(rows.loc["fx_rate", "value"]) == 0.9 and rows.loc["fx_rate", "unit"] == "EUR per USD"


def test_the_comparison_converts_scenarios_to_one_currency_with_a_note(at):
    at.switch_page("pages/compare.py").run()
    at.button(key="compare.add").click().run()  # USD
    at.session_state["scenario"] = currency.convert(replace(RETAIL, name="Euro store"), "EUR")
    at.run()
    at.button(key="compare.add").click().run()
    assert not at.exception
    notes = [i.value for i in at.info]
    assert any("#1" in n and "converted from USD to EUR" in n for n in notes), notes
    results = at.table[0].value
    usd_in_eur = money(summary(analyse_one(currency.convert(RETAIL, "EUR")))["cloud_monthly_cost"], "EUR")
    assert results.iloc[0, 1] == usd_in_eur and results.iloc[0, 2] == usd_in_eur  # same store, same euros
    shown, notes = currency.to_common([RETAIL, scenario(at)], scenario(at))
    assert "All money in EUR: 0.861549 EUR per USD" in tables.comparison_csv([analyse_one(s) for s in shown], notes)


def test_an_edited_region_price_says_so_and_no_region_clears_the_region(at):
    show(at, "Cloud")
    at.selectbox(key="scenario.region").set_value("eastus").run()
    at.number_input(key="scenario.storage_per_gb_month").set_value(0.03).run()
    assert scenario(at).cloud_region == "eastus"  # still where it runs
    box = at.selectbox(key="scenario.region")
    assert box.value == "__custom__" and box.format_func(box.value) == "AZURE · East US (eastus), figures edited"
    box.set_value("custom").run()  # "No region: prices as entered"
    assert scenario(at).cloud_region == "custom" and scenario(at).storage_per_gb_month == 0.03
    box = at.selectbox(key="scenario.region")
    assert box.value == "custom" and not any(o.endswith("figures edited") for o in box.options)
    assert box.options[0] == "No region: prices as entered"
