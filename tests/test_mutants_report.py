"""The report's tables, totals and after-tax figures on the `flat` scenario, computed by hand (fast tier, read
by `make mutation`): 360 USD of cloud a month, one 900 USD device and 40 USD a month of management."""

import json

import numpy as np
import pandas as pd
import pytest
from flat_scenario import flat

from planner.exports import report
from planner.schema.scenario import to_json

pytestmark = pytest.mark.unit

# a device a year over 30 months: bought at months 0, 12 and 24 in cash, 75 a month of depreciation in accounting
YEARLY = flat(useful_life_months=12, horizon_months=30)


def test_yearly_table_by_hand_with_a_short_last_year():
    table = report.yearly_table(report.analyse_one(YEARLY))
    assert table["Year"].tolist() == [1, 2, 3]
    assert table["Months"].tolist() == ["1–12", "13–24", "25–30"]
    assert table["Cloud [USD]"].tolist() == [12 * 360.0, 12 * 360.0, 6 * 360.0]
    assert table["Edge capex [USD]"].tolist() == [900.0, 900.0, 900.0]
    assert table["Edge running [USD]"].tolist() == [12 * 40.0, 12 * 40.0, 6 * 40.0]
    assert table["Edge total [USD]"].tolist() == [1_380.0, 1_380.0, 1_140.0]
    assert table["Savings [USD]"].tolist() == [2_940.0, 2_940.0, 1_020.0]
    assert table["Cumulative savings [USD]"].tolist() == [2_940.0, 5_880.0, 6_900.0]
    accounting = report.yearly_table(report.analyse_one(YEARLY), "accounting")
    assert accounting["Edge capex [USD]"].tolist() == [0.0, 0.0, 0.0]
    assert accounting["Edge running [USD]"].tolist() == [12 * 115.0, 12 * 115.0, 6 * 115.0]  # 40 + 900/12


def test_with_totals_sums_money_ends_running_totals_and_leaves_counts_blank():
    table = pd.DataFrame(
        {
            "Year": [1, 2],
            "Months": ["1–12", "13–24"],
            "Cloud [USD]": [10.0, 20.0],
            "Edge devices in service [devices]": [3, 4],
            "Cumulative savings [USD]": [5.0, 12.0],
        }
    )
    totals = report.with_totals(table, "All")
    assert totals["Year"].tolist() == ["1", "2", "All"]
    last = totals.iloc[-1].to_dict()
    assert last["Months"] == "" and last["Cloud [USD]"] == 30.0 and last["Cumulative savings [USD]"] == 12.0
    assert pd.isna(last["Edge devices in service [devices]"])
    assert report.with_totals(table).iloc[-1]["Year"] == "Total"
    empty = report.with_totals(table.iloc[:0])
    assert empty["Year"].tolist() == ["Total"] and "Cumulative savings [USD]" not in empty.dropna(axis=1).columns


def test_the_irr_cell_says_over_the_bound_or_the_note():
    assert report.irr_cell("over 1,000 %/year") == "over 1,000 %"
    assert report.irr_cell("several: 5 % and 20 %") == "several: 5 % and 20 %"
    assert report.irr_cell(None) is None
    assert report.column_name("edge", "Hardware", "EUR") == "Edge: Hardware [EUR]"


def test_numbers_lose_their_minus_zero_and_infinities_become_none():
    assert str(report._number(-0.0)) == "0.0"
    assert report._number_or_none(float("nan")) is None
    assert report._number_or_none(float("inf")) is None
    assert str(report._number_or_none(-0.0)) == "0.0" and report._number_or_none(2.5) == 2.5


def test_after_tax_figures_by_hand():
    # 25 % tax: the running gap 360 − 40 = 320 loses 25 % of it (80) and gains the tax shield of depreciation,
    # 25 % × 9,000/48 = 46.875 a month: 286.875 a month for 36 months, less the 9,000 device at go-live
    taxed = report.analyse_one(flat(device_price=9_000, tax_rate_percent=25))
    s = report.summary(taxed)
    assert s["npv_savings_after_tax"] == pytest.approx(36 * 286.875 - 9_000)
    assert s["npv_savings"] == pytest.approx(36 * 320 - 9_000)  # the pre-tax figure stays
    flows = [-9_000.0] + [286.875] * 36
    monthly = (1 + s["irr_percent_after_tax"] / 100) ** (1 / 12)
    assert sum(c / monthly**t for t, c in enumerate(flows)) == pytest.approx(0, abs=1e-6)
    assert s["irr_note_after_tax"] is None
    rows = report.summary_table(taxed).set_index("metric")
    assert rows.loc["NPV of savings after tax (25 %)", "value"] == pytest.approx(36 * 286.875 - 9_000)
    assert rows.loc["IRR of the move to the edge after tax", "unit"] == "%/year"
    untaxed = report.summary(report.analyse_one(flat()))
    assert "npv_savings_after_tax" not in untaxed and "irr_percent_after_tax" not in untaxed


def test_summary_table_counts_the_devices_short_of_the_load():
    # 1,000 cameras × 0.4 frames/s × 1.3 headroom = 520 inferences/s at 100 per device: 6 needed, 1 priced
    short = report.summary_table(report.analyse_one(flat(cameras=1_000))).set_index("metric")["value"]
    assert short["Edge devices"] == 1 and short["Edge devices the load needs"] == 6
    assert short["Edge devices short of the load (0: enough)"] == 5
    enough = report.summary_table(report.analyse_one(flat())).set_index("metric")["value"]
    assert enough["Edge devices short of the load (0: enough)"] == 0


def test_summary_table_labels_follow_the_view():
    cash = report.summary_table(report.analyse_one(YEARLY))["metric"].tolist()
    accounting = report.summary_table(report.analyse_one(YEARLY), "accounting")["metric"].tolist()
    assert "Edge running cost, first month" in cash
    assert "Edge running cost, first month (depreciation included)" in accounting
    assert "Edge emissions, first month (devices bought excluded)" in cash
    assert "Edge emissions, first month (embodied share included)" in accounting


def test_the_csv_summary_writes_the_irr_note_where_there_is_no_rate():
    tables = report.csv_tables(report.analyse_one(YEARLY))
    irr = tables["summary"].set_index("metric").loc[report.IRR_LABEL, "value"]
    assert irr == "over 1,000 %"  # a device a year: one rate, over the shown bound
    plain = report.csv_tables(report.analyse_one(flat(device_price=9_000)))["summary"].set_index("metric")
    # −9,000 then +320 a month for 36 months: the rate (to 4 decimals) whose NPV is 0
    monthly = (1 + plain.loc[report.IRR_LABEL, "value"] / 100) ** (1 / 12)
    assert sum(320 / monthly**t for t in range(1, 37)) - 9_000 == pytest.approx(0, abs=0.05)
    assert tables["monthly"].round(2).equals(tables["monthly"])


def test_carbon_table_cumulates_each_side_and_the_difference():
    a = report.analyse_one(YEARLY)
    table = report.carbon_table(a)
    kg = a.carbon("cash")
    assert table["month"].tolist() == list(range(1, 31))
    np.testing.assert_allclose(table["Cloud carbon cumulative [kg CO₂e]"], np.cumsum(kg.cloud_monthly[0]))
    np.testing.assert_allclose(table["Edge carbon cumulative [kg CO₂e]"], np.cumsum(kg.edge_monthly[0]))
    np.testing.assert_allclose(
        table["Carbon avoided cumulative [kg CO₂e]"], np.cumsum(kg.cloud_monthly[0]) - np.cumsum(kg.edge_monthly[0])
    )
    # 1,150 kg per device bought at months 1, 13 and 25
    embodied = table["Edge carbon [kg CO₂e]"] - table["Edge carbon [kg CO₂e]"].iloc[1]
    assert embodied.round(6).tolist()[:13] == [1_150.0] + [0.0] * 11 + [1_150.0]


def test_a_scenario_without_a_price_book_is_its_own_file():
    assert report.scenario_file(YEARLY) == to_json(YEARLY)
    assert json.loads(report.scenario_file(YEARLY))["horizon_months"] == 30


def test_carbon_priced_lines_show_only_with_a_price_and_stay_out_of_the_capex():
    plain, priced = report.analyse_one(flat()), report.analyse_one(flat(carbon_price_per_tonne=100))
    keys = {c.key for c in report.shown_components(plain, "edge")}
    priced_keys = {c.key for c in report.shown_components(priced, "edge")}
    assert not keys & set(report.CARBON_PRICE_KEYS)
    assert "carbon_edge_purchase" in priced_keys and keys < priced_keys
    assert any(k in report.CARBON_PRICE_KEYS for k in {c.key for c in report.shown_components(priced, "cloud")})
    # the device's 1,150 kg at 100 per tonne is 115 on the edge at go-live, but not capex
    s = report.summary(priced)
    assert s["edge_capex"] == 900.0 and s["carbon_price_per_tonne"] == 100.0
    monthly = report.monthly_table(priced)
    assert monthly["Edge: Carbon price: devices bought [USD]"].iloc[0] == pytest.approx(115.0)


def test_an_analysis_keeps_its_carbon_and_capacity():
    a = report.analyse_one(flat())
    assert a.carbon("cash") is a.carbon("cash") and a.carbon("accounting") is not a.carbon("cash")
    assert a.capacity() is a.capacity() and a.capacity().needed == 1
    assert a.finance("accounting") is a.accounting and a.finance() is a.cash
