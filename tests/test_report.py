"""The report's summary, tables and CSV cells against hand computations on the `flat` scenario
(360 USD of cloud a month; one 900 USD device and 40 USD a month of management software)."""

import dataclasses
import io
import json
import math

import numpy as np
import pandas as pd
import pytest
from flat_scenario import CLOUD_KG, EDGE_KG, flat
from scipy.optimize import brentq

from planner.catalogs import catalog
from planner.exports import report
from planner.schema import format, safe_csv
from planner.schema.scenario import FIELDS, TIER_SCHEDULES, ScenarioError

pytestmark = pytest.mark.unit

# Life 12 over a 30-month horizon: in cash the device is bought at months 0, 12 and 24 (3 × 900);
# in accounting it is depreciated at 900 / 12 = 75 a month instead.
YEARLY = flat(useful_life_months=12, horizon_months=30)


def test_cash_summary_by_hand():
    s = report.summary(report.analyse_one(YEARLY))
    assert s == {
        "scenario": "Untitled scenario",
        "view": "cash",
        "currency": "USD",
        "fx_rate": 1,
        "fx_rate_date": None,
        "cloud_monthly_cost": 360.0,
        "cloud_upfront": 0.0,
        "edge_capex": 900.0,
        "edge_monthly_cost": 40.0,
        "edge_devices": 1,
        "edge_devices_needed": 1,
        "edge_capacity_ok": True,  # 1 camera × 0.4 × 1.3 = 0.52 ÷ 100 per device → 1
        "break_even_month": 2.8125,  # 900 / (360 − 40)
        "payback_months": 2.8125,
        "horizon_months": 30,
        "cloud_total_cost": 10_800.0,  # 30 × 360
        "edge_total_cost": 3_900.0,  # 3 × 900 + 30 × 40
        "savings_total": 6_900.0,
        "npv_savings": 6_900.0,  # no discounting
        "discount_timing": "end_of_month",
        "discounting": "running flows discounted at the end of their month, capex at the start of its month; "
        "monthly rate (1 + annual rate)^(1/12) − 1 (annual effective rate)",
        "roi_percent": pytest.approx(6_900 / 2_700 * 100),  # 255.56 %
        "capex_total": 2_700.0,
        # a device bought every 12 months: −, +, …, − (month 12), +, …: 5 sign changes, one rate, over the bound
        "irr_percent": None,
        "irr_note": "over 1,000 %/year",
        "discounted_payback_months": 2.8125,  # no discounting: the payback itself
        "cloud_kgco2e_monthly": pytest.approx(CLOUD_KG),
        "edge_kgco2e_monthly": pytest.approx(EDGE_KG),
        "edge_embodied_kgco2e": 1_150.0,
        "cloud_kgco2e_total": pytest.approx(30 * CLOUD_KG),
        "edge_kgco2e_total": pytest.approx(30 * EDGE_KG + 3 * 1_150),  # a device bought every 12 months
        "kgco2e_avoided_total": pytest.approx(30 * CLOUD_KG - 30 * EDGE_KG - 3 * 1_150),
        "carbon_break_even_month": None,  # the edge emits more every month: never pays back its devices
        "carbon_price_per_tonne": 0.0,
    }


def _yearly_irr_percent() -> float:
    # −900 at t = 0, 12 and 24 (a device a year), +320 at the end of months 1..30; the monthly rate r that
    # zeroes the NPV, by an independent root finder, annualised: (1 + r)^12 − 1.
    def npv(r):
        return sum(320 / (1 + r) ** t for t in range(1, 31)) - sum(900 / (1 + r) ** t for t in (0, 12, 24))

    return ((1 + brentq(npv, 0.01, 10)) ** 12 - 1) * 100


YEARLY_IRR_PERCENT = _yearly_irr_percent()  # about 3,418 %/year


def test_the_engine_finds_the_yearly_irr():
    changes, rates = report.analyse_one(YEARLY).accounting.irr_all_percent()  # cash flows, either view
    assert changes.tolist() == [5] and rates[0, 0] == pytest.approx(YEARLY_IRR_PERCENT, rel=1e-9)
    assert np.isnan(rates[0, 1:]).all()


def test_accounting_summary_keeps_cash_payback_and_capex():
    s = report.summary(report.analyse_one(YEARLY), "accounting")
    # Accounting: 360 − 40 − 75 = 245 a month in the P&L, but the break-even is on cash flows: 900 / 320 …
    assert s["view"] == "accounting" and s["break_even_month"] == pytest.approx(2.8125)
    assert s["edge_total_cost"] == pytest.approx(30 * (40 + 75))  # 3,450
    assert s["savings_total"] == pytest.approx(10_800 - 3_450)
    assert s["roi_percent"] == pytest.approx((10_800 - 3_450) / 2_700 * 100)  # on cash capex
    # … but payback and the capex at go-live are cash figures by definition, in either view.
    assert s["payback_months"] == pytest.approx(2.8125)
    assert s["edge_capex"] == 900.0 and s["capex_total"] == 2_700.0
    assert s["edge_monthly_cost"] == 115.0  # the P&L's month: 40 running + 75 depreciation


def test_summary_is_kept_per_view_and_each_call_gets_its_own_copy(monkeypatch):
    a = report.analyse_one(YEARLY)
    first = report.summary(a, "accounting")
    monkeypatch.setattr(report, "_summary", None)  # computed once per view: not called again for this one
    first["edge_total_cost"] = -1.0  # a caller's change reaches no later call
    again = report.summary(a, "accounting")
    assert again["edge_total_cost"] == pytest.approx(30 * (40 + 75)) and again is not first
    monkeypatch.undo()
    assert report.summary(a)["edge_total_cost"] == pytest.approx(3 * 900 + 30 * 40)  # cash: three purchases


def test_the_kept_summary_and_capacity_follow_a_catalog_change(monkeypatch):
    """A refreshed catalog reaches a running server: the capacity check (and the summary that reports it) of an
    analysis kept in a cache is taken again with the new device figures."""
    before = catalog.load()
    retail = before.presets["retail"]
    a = report.analyse_one(retail)
    kept = report.summary(a)["edge_devices_needed"], a.capacity().needed
    one_stream = tuple(
        {**d, "decode_1080p30_streams": 1.0} if d["id"] == retail.device_id else d for d in before.hardware
    )  # one decoded stream per device: a device per camera at most (50 cameras)
    refreshed = dataclasses.replace(before, hardware=one_stream)
    monkeypatch.setattr(catalog, "load", lambda *args, **kwargs: refreshed)
    fresh = report.summary(report.analyse_one(retail))["edge_devices_needed"]
    assert fresh != kept[0] and report.summary(a)["edge_devices_needed"] == a.capacity().needed == fresh


def test_first_month_figures_are_month_one():
    # 1 %/month workload growth; auto sizing: 1 camera × 0.4 frames/s × 1.3 (30 % headroom) = 0.52 frames/s
    # ÷ 0.522 per device = 0.996 → 1 device in month 1; month 2 needs 0.52 × 1.01 / 0.522 = 1.006 → 2.
    growing = flat(
        workload_growth_percent_per_year=(1.01**12 - 1) * 100, device_sizing="auto", device_throughput_ips=0.522
    )
    a = report.analyse_one(growing)
    s = report.summary(a)
    assert s["cloud_monthly_cost"] == pytest.approx(360.0) and s["edge_devices"] == 1
    assert s["edge_capex"] == pytest.approx(900.0) and s["edge_monthly_cost"] == pytest.approx(40.0)
    monthly = report.monthly_table(a)
    assert monthly["Cloud total [USD]"][:2].tolist() == pytest.approx([360.0, 363.6])  # 360 × 1.01
    assert monthly["Edge devices in service [devices]"][:2].tolist() == [1.0, 2.0]
    assert monthly["Cloud cumulative [USD]"][1] == pytest.approx(723.6)
    assert monthly["Edge total [USD]"][:2].tolist() == pytest.approx([940.0, 940.0])  # 2nd device + 40
    assert monthly["Edge cumulative [USD]"][1] == pytest.approx(1_880.0)


def test_accounting_headline_monthly_figures_are_symmetric():
    # Accounting, life 12: the edge's month 1 = 40 management + 900 / 12 depreciation = 115, beside the cloud's 360
    # (which has no upfront to spread); its emissions include the embodied share, 1,150 kg / 12 months.
    s = report.summary(report.analyse_one(YEARLY), "accounting")
    assert s["edge_monthly_cost"] == pytest.approx(115.0)
    assert s["cloud_monthly_cost"] == pytest.approx(360.0)
    assert s["edge_kgco2e_monthly"] == pytest.approx(EDGE_KG + 1_150 / 12)
    cash = report.summary(report.analyse_one(YEARLY))
    assert cash["edge_monthly_cost"] == 40.0 and cash["edge_kgco2e_monthly"] == pytest.approx(EDGE_KG)


def test_summary_table_labels_the_summary():
    a = report.analyse_one(YEARLY)
    assert a.finance() is a.cash and a.finance("accounting") is a.accounting
    rows = report.summary_table(a, "accounting").values.tolist()
    assert rows == [
        ["Cloud cost, first month", 360.0, "USD"],
        ["Cloud commitment upfront at go-live", 0.0, "USD"],
        ["Edge capex at go-live", 900.0, "USD"],
        ["Edge running cost, first month (depreciation included)", 40.0 + 75.0, "USD"],  # symmetric with the cloud
        ["Edge devices", 1, "devices"],
        ["Edge devices the load needs", 1, "devices"],
        ["Edge devices short of the load (0: enough)", 0, "devices"],
        ["Break-even", 2.8125, "months"],
        ["Payback (cash)", 2.8125, "months"],  # cash flows, either view
        ["Discounted payback (cash)", 2.8125, "months"],
        ["Horizon", 30, "months"],  # no discounting
        ["Cloud TCO over the horizon", 10_800.0, "USD"],
        ["Edge TCO over the horizon", 3_450.0, "USD"],
        ["Savings over the horizon", 7_350.0, "USD"],
        ["NPV of savings", 10_800 - 3 * 900 - 30 * 40, "USD"],
        [
            "Discounting: running flows discounted at the end of their month, capex at the start of its month; "
            "monthly rate (1 + annual rate)^(1/12) − 1 (annual effective rate)",
            pytest.approx(float("nan"), nan_ok=True),
            "",
        ],  # cash: 3 devices bought (life 12), no discount
        ["ROI", pytest.approx(7_350 / 2_700 * 100), "%"],
        ["IRR of the move to the edge", pytest.approx(float("nan"), nan_ok=True), "%/year"],  # over the bound: the
        # CSV writes "over 1,000 %" there (csv_tables), as the app says it
        ["Cloud emissions, first month", pytest.approx(CLOUD_KG), "kg CO₂e"],
        ["Edge emissions, first month (embodied share included)", pytest.approx(EDGE_KG + 1_150 / 12), "kg CO₂e"],
        ["Edge devices' embodied emissions at go-live", 1_150.0, "kg CO₂e"],
        ["Cloud emissions over the horizon", pytest.approx(30 * CLOUD_KG), "kg CO₂e"],
        ["Edge emissions over the horizon", pytest.approx(30 * (EDGE_KG + 1_150 / 12)), "kg CO₂e"],  # spread
        ["Emissions avoided over the horizon", pytest.approx(30 * (CLOUD_KG - EDGE_KG - 1_150 / 12)), "kg CO₂e"],
        ["Carbon break-even", pytest.approx(float("nan"), nan_ok=True), "months"],  # never: blank
    ]
    assert list(report.summary_table(a).columns) == ["metric", "value", "unit"]
    cash_rows = report.summary_table(a).values.tolist()
    assert cash_rows[7] == ["Break-even", 2.8125, "months"]  # cash by default
    assert cash_rows[3] == ["Edge running cost, first month", 40.0, "USD"]
    assert cash_rows[19] == ["Edge emissions, first month (devices bought excluded)", pytest.approx(EDGE_KG), "kg CO₂e"]


def test_monthly_table_by_hand():
    cash = report.monthly_table(report.analyse_one(YEARLY))
    assert cash["month"].tolist() == list(range(1, 31))
    hardware = cash["Edge: Edge hardware [USD]"]
    assert hardware[hardware > 0].index.tolist() == [0, 12, 24] and hardware.sum() == 2_700
    # end of month 3: 3 × 360 − (900 + 3 × 40) = 60
    assert cash["Cumulative savings [USD]"][2] == pytest.approx(60.0)
    assert cash["Edge devices in service [devices]"].tolist() == [1.0] * 30
    accounting = report.monthly_table(report.analyse_one(YEARLY), "accounting")
    assert "Edge: Edge hardware [USD]" not in accounting
    assert accounting["Edge: Depreciation (hardware + installation) [USD]"].tolist() == [75.0] * 30
    assert accounting["Edge total [USD]"][0] == 115.0 and accounting["Edge cumulative [USD]"].iloc[-1] == 3_450.0


@pytest.mark.parametrize(
    "months, text",
    [
        (2.8125, "pays back in month 3 (2.8 months)"),
        (3.0, "pays back in month 3 (3 months)"),
        (1.0, "pays back in month 1 (1 month)"),
        (0.5, "pays back in month 1 (after 15 days)"),  # 0.5 × 30.4375 = 15.2 days
        (0.02, "pays back in month 1 (after 1 day)"),  # 0.02 × 30.4375 = 0.61 days, rounded to 1
        (0.01, "pays back in month 1 (within a day)"),  # 0.01 × 30.4375 = 0.30 days
        (0.0, "cheaper from day one"),
        (None, "does not pay back within 30 months"),
        (math.nan, "does not pay back within 30 months"),
    ],
)
def test_break_even_text(months, text):
    assert format.break_even_text(months, 30) == text


@pytest.mark.parametrize(
    "value, cell",
    [
        ("\nfoo", "'\nfoo"),  # a line feed starts a formula in some spreadsheets
        ("\rfoo", "'\nfoo"),  # a bare CR would end the row: written as LF, then neutralised
        ("a\r\nb", "a\nb"),
        ("=1+1", "'=1+1"),
        ("+1", "'+1"),
        ("-1", "'-1"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tx", "'\tx"),
        ("plain", "plain"),
        (-1234.5, "-1234.5"),  # a negative number is a number, not a formula
        (1 / 3, "0.333333333333"),  # 12 significant digits
        (np.float64(2.5), "2.5"),
        (np.int64(3), 3),
        (7, 7),
        (True, "true"),
        (np.bool_(False), "false"),
        (math.nan, ""),
        (math.inf, ""),
        (None, ""),
    ],
)
def test_safe_cell(value, cell):
    assert safe_csv.safe_cell(value) == cell


def test_a_name_starting_with_a_line_feed_never_reaches_the_report():
    # Refused at the schema (no control characters in a name); safe_cell would neutralise it anyway (above).
    with pytest.raises(ScenarioError, match="U\\+000A at character 1"):
        flat(name="\n=cmd()")


def test_report_sections_read_back():
    text = report.report_csv(report.analyse_one(YEARLY), "accounting")
    summary = report.read_report_section(text, "Summary").set_index("metric")
    assert float(summary.loc["ROI", "value"]) == 272.2222  # 7,350 / 2,700 × 100, to 4 decimals (text column:
    assert summary.loc["IRR of the move to the edge", "value"] == "over 1,000 %"  # the IRR reads as in the app)
    assert report.read_report_section(text, "Assumptions").set_index("field").loc["horizon_months", "value"] == "30"
    monthly = report.read_report_section(text, "Monthly (accounting view)")
    assert monthly["Edge total [USD]"].tolist() == [115.0] * 30
    # money per month to the cent: month 2's 40.125 of management (the only edge cost) is written 40.12
    cents = report.report_csv(report.analyse_one(flat(useful_life_months=12, management=40.125)))
    assert report.read_report_section(cents, "Monthly (cash view)")["Edge total [USD]"][1] == 40.12
    with pytest.raises(KeyError, match="Nonexistent"):
        report.read_report_section(text, "Nonexistent")
    # a title a spreadsheet quoted (it had a comma) is found all the same
    quoted = report.read_report_section('"Monthly, by hand"\nmonth,cost\n1,2.5\n', "Monthly, by hand")
    assert quoted.to_dict("list") == {"month": [1], "cost": [2.5]}


def test_csv_rows_are_the_frame_without_its_index():
    out = io.StringIO()
    frame = pd.DataFrame({"metric": ["=bad", "ok"], "value": [1.5, None]}, index=[7, 8])
    safe_csv.write_csv_rows(safe_csv.frame_rows(frame), out)
    assert out.getvalue() == "metric,value\n'=bad,1.5\nok,\n"


def test_analyse_batch_discounts_both_views_over_the_months_asked():
    # 1 % a month: capex 900 at t = 0, savings 320 at the end of months 1..3 (cash);
    # accounting (life 12, 75 a month of depreciation): the NPV is still of the cash flows
    monthly_1_pct = (1.01**12 - 1) * 100
    annuity = 1 / 1.01 + 1 / 1.01**2 + 1 / 1.01**3  # 2.9409852
    costs, cash, accounting = report.analyse_batch(
        [flat(horizon_months=3, useful_life_months=12, discount_percent_per_year=monthly_1_pct)], months=5
    )
    assert costs.months == 5
    assert cash.npv_savings[0] == pytest.approx(-900 + 320 * annuity)  # 41.1153
    assert accounting.npv_savings[0] == pytest.approx(-900 + 320 * annuity)  # not 245 × annuity = 720.5414


def test_assumptions_spell_out_tiers_and_units():
    table = report.assumptions_table(catalog.preset("retail")).set_index("field")
    assert (
        table.loc["inference_tiers", "value"]
        == "from 0: 1; from 1,000,000: 0.8; from 5,000,000: 0.6; from 35,000,000: 0.25"
    )
    assert table.loc["inference_tiers", "label"].endswith("USD per 1,000 images")
    assert table.loc["inference_tiers", "unit"] == "" and table.loc["cloud_upload", "unit"] == ""
    assert table.loc["device_price", "unit"] == "USD/device"
    assert table.loc["name"].tolist() == ["Scenario name", "Retail store — 50 cameras (seed article)", "", "", ""]
    assert list(table.columns) == ["label", "value", "unit", "source", "as_of"]
    assert len(table) == 1 + len(FIELDS) + len(TIER_SCHEDULES)  # name, every field, the 2 tier schedules


def test_formula_rows_carry_month_one():
    rows = {r["component"]: r for r in report.formula_rows(report.analyse_one(YEARLY))}
    assert rows["Edge hardware"] == {
        "side": "Edge",
        "component": "Edge hardware",
        "bill": "Hardware vendor",
        "formula": "devices_bought(m) × device_price − devices_retired(m) × device_price × salvage_percent/100",
        "views": "cash",
        "month_1": 900.0,
    }
    assert rows["Management software"]["views"] == "cash, accounting"
    assert rows["Site uplink (video to cloud)"]["month_1"] == 360.0
    assert rows["Edge hardware"]["month_1"] == 900.0 and rows["Edge hardware"]["views"] == "cash"
    assert rows["Depreciation (hardware + installation)"]["month_1"] == 75.0
    assert rows["Management software"]["side"] == "Edge" and rows["Management software"]["month_1"] == 40.0


def test_summary_json_is_the_summary():
    a = report.analyse_one(YEARLY)
    assert report.summary_json(a, "accounting").endswith("}\n")
    # the flat scenario's money figures are all typed in: only the default carbon coefficients cite the catalog
    found = json.loads(report.summary_json(a, "accounting"))
    carbon_fields = {
        "grid_kgco2e_per_kwh",
        "cloud_grid_kgco2e_per_kwh",
        "cloud_pue",
        "cloud_accelerator_watts",
        "network_kwh_per_gb",
        "cloud_embodied_kgco2e_per_accelerator_hour",
    }
    assert {f for p in found.pop("sources") for f in p["fields"]} == carbon_fields
    assert found.pop("cheapest_cloud") == json.loads(json.dumps(report.cheapest_cloud(report.cloud_designs(YEARLY))))
    assert found == report.summary(a, "accounting")
    assert json.loads(report.summary_json(a))["view"] == "cash"
    # two-space indent, text kept readable (not \u-escaped)
    cafe = report.summary_json(report.analyse_one(flat(name="Café")))
    assert cafe.startswith('{\n  "scenario": "Café",\n  "view": "cash",\n')
