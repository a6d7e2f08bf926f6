"""planner.exports.sensitivity without Streamlit: the tornado's outputs (NPV of savings by hand), its order and
its CSV, and the pure helpers the Sensitivity page lays out.

Oracle for NPV: the flat scenario (tests/flat_scenario.py), where the cloud costs 360 USD a month, the edge
runs for `management` a month and its device (`device_price`) is paid at go-live. With r = 8 %/year the
NPV of savings over 36 months is Σ_{m=1..36} (360 − management) × 1.08^(−m/12) − device_price
(running costs at the end of their month, capex at its start: docs/FORMULAS.md).
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from flat_scenario import flat

from planner.catalogs import catalog
from planner.exports import sensitivity
from planner.exports.report import analyse_one, read_report_section
from planner.model import risk
from planner.schema import format
from planner.schema.scenario import replace

pytestmark = pytest.mark.unit

BASE = flat(discount_percent_per_year=8)  # device 900 USD, management 40 USD/month, 36 months
ANNUITY = sum(1.08 ** (-m / 12) for m in range(1, 37))  # present value of 1 USD at each month's end


def npv_by_hand(device_price: float = 900.0, management: float = 40.0) -> float:
    return (360 - management) * ANNUITY - device_price


def test_the_tornado_npv_at_low_and_high_is_the_npv_computed_by_hand():
    table = risk.tornado(BASE, inputs=("device_price", "management_per_month"), percent=20).set_index("input")
    device, management = table.loc["device_price"], table.loc["management_per_month"]
    assert (device["low"], device["high"]) == (720, 1_080)
    assert device["npv_low"] == pytest.approx(npv_by_hand(device_price=720), rel=1e-12)
    assert device["npv_high"] == pytest.approx(npv_by_hand(device_price=1_080), rel=1e-12)
    assert device["npv_low"] - device["npv_high"] == pytest.approx(360, rel=1e-12)  # the price is paid undiscounted
    assert management["npv_low"] == pytest.approx(npv_by_hand(management=32), rel=1e-12)
    assert management["npv_high"] == pytest.approx(npv_by_hand(management=48), rel=1e-12)
    assert management["npv_low"] - management["npv_high"] == pytest.approx(16 * ANNUITY, rel=1e-12)


def test_the_tornado_npv_equals_the_engine_run_at_each_value():
    table = risk.tornado(catalog.preset("retail"), percent=30).set_index("input")
    for name in ("cameras", "device_price", "discount_percent_per_year"):
        row = table.loc[name]
        for end in ("low", "high"):
            single = analyse_one(replace(catalog.preset("retail"), **{name: row[end]}))
            assert row[f"npv_{end}"] == pytest.approx(single.cash.npv_savings[0], rel=1e-12), (name, end)


def test_ordering_by_npv_puts_the_largest_npv_swing_first():
    table = risk.tornado(
        BASE, inputs=("device_price", "management_per_month", "uplink_per_gb", "electricity_per_kwh"), percent=20
    )
    shown, still = sensitivity.tornado_order(table, "npv", 36)
    # uplink 1 USD/GB ± 20 % on 360 GB: 144 × ANNUITY (≈ 4,800); management: 16 × ANNUITY; the device: 360
    assert list(shown["input"]) == ["uplink_per_gb", "management_per_month", "device_price"]
    assert list(still["input"]) == ["electricity_per_kwh"]  # 0 USD/kWh: ± 20 % of 0 moves nothing
    by_savings = sensitivity.tornado_order(table, "savings", 36)[0]
    assert list(by_savings["input"]) == ["uplink_per_gb", "management_per_month", "device_price"]


def test_the_current_result_of_each_output():
    f = analyse_one(BASE).cash
    assert sensitivity.current_result(f, "npv") == pytest.approx(npv_by_hand(), rel=1e-12)
    assert sensitivity.current_result(f, "savings") == pytest.approx(36 * 320 - 900)
    assert sensitivity.current_result(f, "break_even") == pytest.approx(900 / 320)


def test_the_tornado_csv_names_the_chosen_output_and_its_unit():
    table = risk.tornado(BASE, inputs=("device_price", "management_per_month"), percent=20)
    text = sensitivity.tornado_csv(table, BASE, "cash", 20, "npv")
    head, body = text.split("\n\n", 1)
    assert "output,NPV of savings over 36 months,USD" in head.splitlines()
    frame = pd.read_csv(io.StringIO(body)).set_index("input")
    assert list(frame.index) == ["management_per_month", "device_price"]  # by NPV swing
    assert frame.loc["device_price", "npv_low [USD]"] == round(npv_by_hand(device_price=720), 2)
    assert frame.loc["device_price", "npv_high [USD]"] == round(npv_by_hand(device_price=1_080), 2)
    assert frame.loc["device_price", "npv_swing [USD]"] == 360
    assert frame.loc["device_price", "savings_swing [USD]"] == 360
    months = sensitivity.tornado_csv(table, BASE, "cash", 20, "break_even").split("\n\n", 1)[0]
    assert "output,Break-even,months" in months.splitlines()


def test_the_display_table_shows_the_chosen_money_output():
    table = risk.tornado(BASE, inputs=("device_price",), percent=20)
    npv = sensitivity.tornado_display(table, 36, "USD", "npv").iloc[0]
    assert npv["NPV at low"] == format.money(npv_by_hand(device_price=720))
    assert npv["NPV swing"] == "$360" and "Savings swing" not in npv.index
    for output in ("savings", "break_even"):
        shown = sensitivity.tornado_display(table, 36, "USD", output)
        assert list(shown.columns)[2:5] == ["Savings at low", "Savings at high", "Savings swing"]


def test_results_read_well_in_a_sentence():
    assert [sensitivity.result_in_sentence(r) for r in format.RESULTS] == [
        "savings",
        "NPV of savings",
        "NPV of savings after tax",
        "break-even",
    ]
    assert format.result_name("npv", 24) == "NPV of savings over 24 months"
    assert format.result_unit("break_even", "EUR") == "months" and format.result_unit("npv", "EUR") == "EUR"


def test_map_problems_and_notes():
    assert sensitivity.map_problems("cameras", (1, 2), "cameras", (1, 2)) == ["Choose two different inputs."]
    assert sensitivity.map_problems("cameras", (2, 2), "device_price", (3, 1)) == [
        "Cameras: “from” must be below “to”.",
        "Device price (USD/device): “from” must be below “to”.",
    ]
    be = np.array([[1.0, np.nan], [np.nan, np.nan]])
    note = sensitivity.map_notes("cameras", (10, 20), "device_price", (1, 2), be, "break_even", BASE)
    assert note == (
        "Never pays back within 36 months in 75% of the grid (grey). The current scenario lies outside these ranges."
    )


def test_default_inputs_of_the_map_and_the_monte_carlo():
    table = risk.tornado(BASE, percent=30)
    # growth at 0 swings ±30 points (an absolute range), ahead of the uplink price
    assert sensitivity.default_map_inputs(table, 36) == ("workload_growth_percent_per_year", "uplink_per_gb")
    chosen = sensitivity.default_uncertain_inputs(table, BASE)
    assert len(chosen) == sensitivity.MC_DEFAULT_INPUTS and all(getattr(BASE, n) for n in chosen)
    nothing_moves = table.assign(savings_high=table["savings_low"])
    assert sensitivity.default_map_inputs(nothing_moves, 36) == ("cameras", "device_price")


def test_a_simulation_summary_and_its_cards():
    result = risk.monte_carlo(BASE, {"device_price": risk.Distribution("uniform", 800, 900, 1_000)}, 200, 1)
    assert (
        sensitivity.simulation_text(result, {}, "cash", "USD") == "200 futures, seed 1, cash view. no uncertain inputs."
    )
    cards = sensitivity.payback_cards(result)
    assert [c[0] for c in cards] == ["Within 12 months", "Within 24 months", "Within 36 months", "Never in 36 months"]
    assert [c[1] for c in cards] == ["100%", "100%", "100%", "0%"]  # 1,000 / 320 < 3.2 months at most
    assert sensitivity.savings_sentence(result, "USD").startswith("Half the futures pay back by month 3.")
    curve = sensitivity.cumulative_savings(analyse_one(BASE).cash)
    assert curve[-1] == pytest.approx(36 * 320 - 900) and len(curve) == 36
    assert (
        read_report_section(sensitivity.monte_carlo_csv(result, {}, BASE, "cash"), "Break-even months")["draws"].sum()
        == 200
    )
