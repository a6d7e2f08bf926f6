"""Break-even, NPV, ROI, totals and the cumulative step curve, against hand computations.

The scenarios here have one cloud cost and at most two edge costs, so every figure is a line of
arithmetic. `flat(...)`: 1 camera × 8 Mbps = 1 MB/s for 10 h × 10 days = 360,000 s → 360 GB a month at
1 USD/GB = 360 USD/month of cloud cost; every other price is zero. The edge is one device bought at
go-live (price = capex) and a per-site management fee (the only running cost).
"""

from __future__ import annotations

import doctest
import math

import numpy as np
import pytest
from flat_scenario import CLOUD_KG, EDGE_KG, flat

from planner.catalogs import catalog
from planner.exports.report import analyse_one, summary
from planner.model import costs as cost_model
from planner.model import finance
from planner.model.finance import analyse, break_even, discount_factors, step_curve
from planner.schema.format import break_even_text, irr_figures, irr_text

pytestmark = pytest.mark.unit

MONTHLY_1_PCT = (1.01**12 - 1) * 100  # 12.6825…%/year = 1 % a month, compounded


def fin(scenarios, view="cash", months=None):
    scenarios = scenarios if isinstance(scenarios, list) else [scenarios]
    b = cost_model.batch(scenarios)
    return analyse(cost_model.evaluate(b, months), view, b["discount_percent_per_year"])


def test_the_flat_scenario_is_what_the_docstring_says():
    f = fin(flat(horizon_months=3))
    assert f.cloud_monthly[0] == pytest.approx([360.0, 360.0, 360.0])
    assert f.edge_monthly[0] == pytest.approx([940.0, 40.0, 40.0])
    assert f.edge_capex[0] == pytest.approx([900.0, 0.0, 0.0])
    assert f.cloud_cumulative[0] == pytest.approx([360.0, 720.0, 1080.0])
    assert f.edge_cumulative[0] == pytest.approx([940.0, 980.0, 1020.0])


# ── Break-even ──────────────────────────────────────────────────────────────────────────────────────
def test_break_even_fractional_month():
    # capex 900 at t = 0, savings 360 − 40 = 320 a month → 900 / 320 = 2.8125 months
    f = fin(flat())
    assert f.break_even_month[0] == pytest.approx(2.8125)
    assert f.payback_months[0] == pytest.approx(2.8125)
    assert f.pays_back[0]


def test_break_even_exactly_at_a_month_end():
    # savings 360 − 60 = 300 a month: cumulative −900 + 3 × 300 = 0 at the end of month 3 → 3.0,
    # also when month 3 is the last month of the horizon (the edge has paid back, just in time).
    assert fin(flat(management=60)).break_even_month[0] == pytest.approx(3.0)
    assert fin(flat(management=60, horizon_months=3)).break_even_month[0] == pytest.approx(3.0)
    # Decimal prices: 360 − 60.1 = 299.9 a month; −899.7 + 3 × 299.9 = 0 by hand, though binary
    # floating point sums it to about −1e-13. Still month 3, not "does not pay back".
    f = fin(flat(management=60.1, device_price=899.7, horizon_months=3))
    assert f.break_even_month[0] == 3.0 and f.payback_months[0] == 3.0  # exactly, not 3 + 1e-16


def test_break_even_is_zero_when_the_edge_costs_exactly_as_much_without_capex():
    # management 360 = cloud 360, no capex: cumulative cloud ≥ cumulative edge from t = 0
    assert fin(flat(device_price=0, management=360)).break_even_month[0] == 0.0


def test_break_even_is_zero_without_capex_when_edge_is_cheaper():
    f = fin(flat(device_price=0))
    assert f.break_even_month[0] == 0.0
    assert f.capex_total[0] == 0.0
    assert math.isnan(f.roi_percent[0])  # ROI is undefined without capex
    s = summary(analyse_one(flat(device_price=0)))
    assert s["break_even_month"] == 0.0 and s["roi_percent"] is None
    assert break_even_text(0.0, 36) == "cheaper from day one"


def test_break_even_never_within_the_horizon_is_nan():
    # management 400 > cloud 360: savings never come
    f = fin(flat(management=400))
    assert math.isnan(f.break_even_month[0]) and not f.pays_back[0]
    s = summary(analyse_one(flat(management=400)))
    assert s["break_even_month"] is None and s["payback_months"] is None
    assert break_even_text(s["break_even_month"], 36) == "does not pay back within 36 months"
    # no capex and edge dearer: never, too (savings start below zero and fall)
    assert math.isnan(fin(flat(device_price=0, management=400)).break_even_month[0])


def test_break_even_text_names_the_month():
    assert break_even_text(2.8125, 36).startswith("pays back in month 3")
    assert break_even_text(0.5, 36).startswith("pays back in month 1")


def test_break_even_text_at_a_month_end_names_that_month():
    # Break-even exactly 3.0 months = cumulative savings reach 0 at the END of month 3 (the model's
    # own search finds month index 2, i.e. the third month: see test_break_even_exactly_at_a_month_end).
    assert break_even_text(3.0, 36).startswith("pays back in month 3")
    assert break_even_text(1.0, 36).startswith("pays back in month 1")


def test_refresh_capex_makes_break_even_later():
    # Without a refresh (life 48): 900 / 120 = 7.5 months.
    assert fin(flat(management=240)).break_even_month[0] == pytest.approx(7.5)
    # Life 6, salvage 50 %: at the start of month 6 the device is replaced for 900 − 450 = 450.
    #   end of month 5: −900 + 6 × 120 = −180; start of month 6: −180 − 450 = −630
    #   630 / 120 = 5.25 more months → 6 + 5.25 = 11.25 (before the next refresh at 12)
    f = fin(flat(management=240, useful_life_months=6, salvage_percent=50))
    assert f.edge_capex[0, [0, 6, 12]] == pytest.approx([900.0, 450.0, 450.0])
    assert f.break_even_month[0] == pytest.approx(11.25)


def test_break_even_respects_a_horizon_shorter_than_the_grid():
    # Same 7.5-month case; with a 6-month horizon it does not pay back, with 8 months it does.
    f = fin([flat(management=240, horizon_months=6), flat(management=240, horizon_months=8)])
    assert f.costs.months == 8
    assert math.isnan(f.break_even_month[0]) and f.break_even_month[1] == pytest.approx(7.5)
    # An explicit longer grid does not extend the scenario's horizon.
    g = fin(flat(management=240, horizon_months=6), months=24)
    assert math.isnan(g.break_even_month[0])
    assert g.cloud_total[0] == pytest.approx(6 * 360.0)
    assert g.cloud_monthly[0].tolist() == [360.0] * 6 + [0.0] * 18
    assert g.edge_monthly[0].tolist() == [900.0 + 240.0] + [240.0] * 5 + [0.0] * 18
    # within 6 months: savings 6 × (360 − 240) − 900 = −180 (undiscounted NPV = savings); capex 900
    assert g.npv_savings[0] == pytest.approx(-180.0) and g.capex_total[0] == pytest.approx(900.0)
    assert g.edge_total[0] == pytest.approx(900 + 6 * 240)


def test_break_even_function_by_hand():
    # capex 15 in month 0 (net −5 = 10 − 15), then +10 a month: S_end = −5, 5 → 0 at 0 + 15/10 = 1.5
    assert break_even(np.array([[-5.0, 10.0, 10.0]]), lambda m: np.full(1, 10.0), np.array([3]))[0] == 1.5
    # Horizon shorter than the grid. Net −10, −10, 5, 40 → S_end −10, −20, −15, 25.
    net = np.array([[-10.0, -10.0, 5.0, 40.0]])
    gaps = np.array([0.0, 0.0, 5.0, 40.0])
    assert math.isnan(break_even(net.copy(), lambda m: gaps[m], np.array([3]))[0])
    # Within 4 months: month 3 starts at −15 and gains 40 → 3 + 15/40 = 3.375
    assert break_even(net.copy(), lambda m: gaps[m], np.array([4]))[0] == pytest.approx(3.375)
    # Gains under 1 a month: capex 1.25, +0.5 a month → S_end −0.75, −0.25, 0.25 → 2 + 0.25/0.5 = 2.5
    assert break_even(np.array([[-0.75, 0.5, 0.5]]), lambda m: np.full(1, 0.5), np.array([3]))[0] == 2.5


def test_break_even_rows_are_independent():
    net = np.array([[-5.0, 10.0, 10.0], [1.0, 1.0, 1.0], [-1.0, -1.0, -1.0]])
    gaps = np.array([[10.0, 10.0, 10.0], [1.0, 1.0, 1.0], [-1.0, -1.0, -1.0]])
    got = break_even(net, lambda m: gaps[np.arange(3), m], np.array([3, 3, 3]))
    assert got[0] == 1.5 and got[1] == 0.0 and math.isnan(got[2])
    # The rounding allowance is each row's own: a billion-sized row beside it does not let a row that
    # ends 0.001 short (S_end −1, −0.001) count as paid back.
    net = np.array([[-1e9, 2e9], [-1.0, 0.999]])
    got = break_even(net, lambda m: np.array([2e9, 0.999]), np.array([2, 2]))
    assert got[0] == 1.5 and math.isnan(got[1])


# ── NPV, ROI and totals ─────────────────────────────────────────────────────────────────────────────
def test_npv_by_hand():
    # 1 %/month discount; capex 900 at t = 0 (undiscounted), savings 320 at the end of months 1..3:
    #   −900 + 320 × (1/1.01 + 1/1.01² + 1/1.01³) = −900 + 320 × 2.9409852 = 41.1152663
    f = fin(flat(horizon_months=3, discount_percent_per_year=MONTHLY_1_PCT))
    assert f.npv_savings[0] == pytest.approx(41.1152663, abs=1e-6)
    # undiscounted, NPV is simply the savings: 3 × 360 − 900 − 3 × 40 = 60
    assert fin(flat(horizon_months=3)).npv_savings[0] == pytest.approx(60.0)


def test_npv_discounts_later_capex_at_the_start_of_its_month():
    # Life 6, salvage 50 %: −900 at t = 0, −450 at t = 6 (start of month 7), +120 at t = 1..7.
    f = fin(
        flat(
            management=240,
            useful_life_months=6,
            salvage_percent=50,
            horizon_months=7,
            discount_percent_per_year=MONTHLY_1_PCT,
        )
    )
    expected = -900 - 450 / 1.01**6 + sum(120 / 1.01**k for k in range(1, 8))
    # 450 / 1.01⁶ = 423.9206; 120 × (1 − 1.01⁻⁷) / 0.01 = 120 × 6.728195 = 807.3834 → −516.537
    assert f.npv_savings[0] == pytest.approx(expected, rel=1e-10)
    assert expected == pytest.approx(-516.537, abs=1e-3)


def test_discount_factors_by_hand():
    start, end = discount_factors(MONTHLY_1_PCT, 3)
    assert start[0] == pytest.approx([1.0, 1 / 1.01, 1 / 1.01**2])
    assert end[0] == pytest.approx([1 / 1.01, 1 / 1.01**2, 1 / 1.01**3])
    start, end = discount_factors(0.0, 2)
    assert start.tolist() == [[1.0, 1.0]] and end.tolist() == [[1.0, 1.0]]
    # one rate per scenario: 0 % and 1 % a month
    start, end = discount_factors(np.array([0.0, MONTHLY_1_PCT]), 2)
    assert start.tolist()[0] == [1.0, 1.0] and end.tolist()[0] == [1.0, 1.0]
    assert end[1] == pytest.approx([1 / 1.01, 1 / 1.01**2])


def test_analyse_defaults_to_the_cash_view_undiscounted_without_the_curve():
    # flat over 3 months: NPV = savings = 3 × 360 − 900 − 3 × 40 = 60; break-even 2.8125 (cash)
    f = analyse(cost_model.evaluate(cost_model.batch([flat(horizon_months=3, discount_percent_per_year=50)])))
    assert f.view == "cash" and f.break_even_month[0] == pytest.approx(2.8125)
    assert f.npv_savings[0] == pytest.approx(60.0)
    assert f.savings_curve is None


def test_roi_by_hand():
    # 3 months: savings 1,080 − 1,020 = 60 on capex 900 → 6.67 %
    f = fin(flat(horizon_months=3))
    assert f.savings_total[0] == pytest.approx(60.0)
    assert f.roi_percent[0] == pytest.approx(60 / 900 * 100)


def test_irr_by_hand():
    # −900 at t = 0, +320 at the end of months 1..3: with v = 1 / (1 + monthly rate),
    # 320 v³ + 320 v² + 320 v − 900 = 0; its one real root, annualised, is the IRR.
    v = next(r.real for r in np.roots([320, 320, 320, -900]) if abs(r.imag) < 1e-12)
    expected = (v**-12 - 1) * 100
    for view in ("cash", "accounting"):  # a cash-flow figure in either view
        assert fin(flat(horizon_months=3), view).irr_percent[0] == pytest.approx(expected, rel=1e-9)
    # At that rate the NPV of savings is zero
    assert fin(flat(horizon_months=3, discount_percent_per_year=expected)).npv_savings[0] == pytest.approx(0, abs=1e-6)


def test_irr_is_undefined_without_a_sign_change():
    assert math.isnan(fin(flat(device_price=0)).irr_percent[0])  # savings only, no outlay
    assert math.isnan(fin(flat(management=400)).irr_percent[0])  # 360 − 400 < 0: losses only
    assert summary(analyse_one(flat(management=400)))["irr_percent"] is None
    assert irr_text(None) == "undefined (the cash flows never change sign)"


def test_irr_text_says_over_a_thousand_percent_rather_than_a_meaningless_rate():
    assert irr_text(18.25) == "18.2 %/year"  # 18.25 rounds half to even
    assert irr_text(1_000.0) == "1000.0 %/year"
    assert irr_text(16_680_793.0) == "over 1,000 %/year"


def test_several_irrs_are_all_given():
    # −100 now, +230 after a month, −132 after two: 100 x² − 230 x + 132 = 0 with x = 1 + monthly rate, so
    # x = 1.1 or 1.2 — two IRRs, 1.1^12 − 1 and 1.2^12 − 1 a year, where a single search found none.
    gap, capex = np.array([[230.0, -132.0]]), np.array([[100.0, 0.0]])
    changes, rates = finance.irr_all_percent(gap, capex)
    assert changes.tolist() == [2]
    assert rates[0] == pytest.approx([(1.1**12 - 1) * 100, (1.2**12 - 1) * 100], rel=1e-9)
    assert math.isnan(finance.irr_percent(gap, capex)[0])  # the single search: NPV has one sign at both bounds
    assert irr_figures(2, rates[0]) == (
        None,
        "several: 213.8 %/year and 791.6 %/year; the cash flows change sign 2 times",
    )
    # one sign change: the one rate, as irr_percent finds it; rows of both kinds at once
    both_gap, both_capex = np.array([[230.0, -132.0], [0.0, 110.0]]), np.array([[100.0, 0.0], [100.0, 0.0]])
    changes, rates = finance.irr_all_percent(both_gap, both_capex)
    assert changes.tolist() == [2, 1]
    assert rates[1, 0] == pytest.approx((1.1**6 - 1) * 100) and np.isnan(rates[1, 1:]).all()
    # zeros between flows are no sign change; no root within the bounds: said so
    assert finance.sign_changes(np.array([[-1.0, 0.0, 0.0, 2.0, 0.0, -1.0]])).tolist() == [2]
    assert irr_figures(3, [np.nan])[0] is None and "change sign 3 times" in irr_figures(3, [np.nan])[1]


def test_json_never_carries_an_absurd_irr():
    # capex 1, +320 a month: the IRR is astronomically high (10^(many) %); the JSON says "over 1,000 %/year"
    s = summary(analyse_one(flat(device_price=1)))
    assert s["irr_percent"] is None and s["irr_note"] == "over 1,000 %/year"
    assert irr_text(s["irr_percent"], s["irr_note"]) == "over 1,000 %/year"
    # a rate under the bound is given as it is, with no note
    plain = summary(analyse_one(flat(horizon_months=3)))
    assert 0 < plain["irr_percent"] < 1_000 and plain["irr_note"] is None


def test_cash_and_accounting_totals():
    # Life 12, no salvage: depreciation 900 / 12 = 75 a month.
    s = flat(horizon_months=3, useful_life_months=12)
    cash, accounting = fin(s, "cash"), fin(s, "accounting")
    assert cash.cloud_total[0] == accounting.cloud_total[0] == pytest.approx(1080.0)
    assert cash.edge_total[0] == pytest.approx(900 + 3 * 40)  # 1,020
    assert accounting.edge_total[0] == pytest.approx(3 * (40 + 75))  # 345
    assert accounting.edge_capex[0].tolist() == [0.0, 0.0, 0.0]
    assert accounting.capex_total[0] == pytest.approx(900.0)  # cash capex, for ROI
    assert accounting.roi_percent[0] == pytest.approx((1080 - 345) / 900 * 100)
    # Accounting spreads the capex in the P&L (360 − 40 − 75 = 245 a month) but the break-even is the cash one:
    # 900 / (360 − 40) = 2.8125 months, not "within a day".
    assert accounting.break_even_month[0] == pytest.approx(2.8125)
    assert accounting.payback_months[0] == pytest.approx(2.8125)
    # Over one full life the two views agree on the edge's cost (no salvage, no refresh inside).
    s12 = flat(horizon_months=12, useful_life_months=12)
    assert fin(s12, "accounting").edge_total[0] == pytest.approx(fin(s12, "cash").edge_total[0])


def test_npv_and_break_even_are_on_cash_flows_in_the_accounting_view():
    # 1 % a month; −900 at t = 0, +320 at the end of months 1..3 (cash). Depreciation (75 a month) does not
    # enter: 320/1.01 + 320/1.01² + 320/1.01³ − 900 = 41.115…, not 245 × (…) = 720.5.
    s = flat(horizon_months=3, useful_life_months=12, discount_percent_per_year=MONTHLY_1_PCT)
    expected = 320 / 1.01 + 320 / 1.01**2 + 320 / 1.01**3 - 900
    for view in ("cash", "accounting"):
        f = fin(s, view)
        assert f.npv_savings[0] == pytest.approx(expected, rel=1e-12)
        assert f.break_even_month[0] == pytest.approx(2.8125)
    accounting = summary(analyse_one(s), "accounting")
    assert accounting["npv_savings"] == pytest.approx(expected, rel=1e-12)
    assert accounting["break_even_month"] == pytest.approx(2.8125)


def test_mid_month_discounting_by_hand():
    # 1 % a month; −900 at t = 0 (capex at the start of its month), +320 in each of months 1..3 discounted at
    # their middle: 320 × (1.01^−½ + 1.01^−1.5 + 1.01^−2.5) − 900 = 42.17… (end of month: 41.12…)
    s = flat(horizon_months=3, discount_percent_per_year=MONTHLY_1_PCT, discount_timing="mid_month")
    mid = [320 * 1.01 ** -(m + 0.5) for m in range(3)]
    f = fin(s)
    assert f.npv_savings[0] == pytest.approx(sum(mid) - 900, rel=1e-12)
    assert fin(s, "accounting").npv_savings[0] == pytest.approx(sum(mid) - 900, rel=1e-12)
    # Discounted payback: 900 − mid₀ − mid₁ left after two months, repaid within month 3 at mid₂ a month
    assert f.discounted_payback_months(MONTHLY_1_PCT)[0] == pytest.approx(2 + (900 - mid[0] - mid[1]) / mid[2])
    assert summary(analyse_one(s))["discounting"].startswith("running flows discounted at the middle of their month")
    # The default is end of month: nothing changes for a scenario that does not ask
    assert flat().discount_timing == "end_of_month"
    assert fin(flat(horizon_months=3, discount_percent_per_year=MONTHLY_1_PCT)).npv_savings[0] == pytest.approx(
        sum(320 * 1.01 ** -(m + 1) for m in range(3)) - 900, rel=1e-12
    )


def test_analyse_refuses_an_unknown_view():
    c = cost_model.evaluate(cost_model.batch([flat()]))
    with pytest.raises(ValueError, match="view"):
        analyse(c, "tax")


def test_totals_match_the_cumulative_curves():
    f = fin(flat(management=240, useful_life_months=6, salvage_percent=50, horizon_months=20))
    assert f.cloud_total[0] == pytest.approx(f.cloud_cumulative[0, -1]) == pytest.approx(20 * 360.0)
    # 900 + 450 × 3 refreshes (months 6, 12, 18) + 20 × 240
    assert f.edge_total[0] == pytest.approx(900 + 3 * 450 + 20 * 240)
    assert f.edge_cumulative[0, -1] == pytest.approx(f.edge_total[0])
    assert f.capex_total[0] == pytest.approx(900 + 3 * 450)


# ── Step curve ──────────────────────────────────────────────────────────────────────────────────────
def test_step_curve_shape_and_values():
    # capex 100 at the start of month 0 and 50 at the start of month 2; 10, 20, 30 accrue in months 0..2
    t, y = step_curve(np.array([10.0, 20.0, 30.0]), np.array([100.0, 0.0, 50.0]))
    assert t.tolist() == [0, 1, 1, 2, 2, 3]
    # (t, y): (0, 100) after the capex, (1, 110), (1, 110), (2, 130), (2, 180) after capex, (3, 210)
    assert y.tolist() == [100, 110, 110, 130, 180, 210]
    assert len(t) == len(y) == 6


def test_step_curve_without_capex_is_piecewise_linear():
    t, y = step_curve(np.array([5.0, 5.0]), np.zeros(2))
    assert t.tolist() == [0, 1, 1, 2] and y.tolist() == [0, 5, 5, 10]


def test_docstring_examples():
    assert doctest.testmod(finance, raise_on_error=False).failed == 0


def test_analyse_flows_by_hand():
    """Cloud 100 a month against an edge bought for 250 at the start and then running at 10 a month, 6 months:
    savings 6 × 90 − 250 = 290; break-even where 90 × t = 250, t = 2.78 months; NPV at 12 %/year with running
    flows at the end of their month and capex at its start."""
    months, rate = 6, 12.0
    cloud = np.full((1, months), 100.0)
    edge_running = np.full((1, months), 10.0)
    capex = np.zeros((1, months))
    capex[0, 0] = 250.0
    f = finance.analyse_flows(cloud, np.zeros((1, months)), edge_running, capex, rate)
    assert f.savings_total[0] == pytest.approx(6 * 90 - 250)
    assert f.break_even_month[0] == pytest.approx(250 / 90)
    npv = sum(90 * (1 + rate / 100) ** (-(m + 1) / 12) for m in range(months)) - 250
    assert f.npv_savings[0] == pytest.approx(npv)
    assert f.capex_total[0] == 250


def test_analyse_flows_equals_analyse_of_the_lines_they_sum():
    """A scenario's cash flows, summed per side and timing, give the scenario's own figures."""
    a = analyse_one(catalog.preset("smart_city_gpu"))
    c, h = a.costs, a.scenario.horizon_months

    def side(s, lump):
        return c.total(s, "cash", lump)[:, :h]

    f = finance.analyse_flows(
        side("cloud", False),
        side("cloud", True),
        side("edge", False),
        side("edge", True),
        a.scenario.discount_percent_per_year,
    )
    for name in ("savings_total", "npv_savings", "break_even_month", "capex_total", "cloud_total", "edge_total"):
        assert getattr(f, name)[0] == pytest.approx(getattr(a.cash, name)[0], rel=1e-12), name


def test_a_carbon_price_is_not_capex():
    # 100 per tonne: the device's 1,150 kg cost 115 at purchase, on their own line. Capex stays the 900 paid for
    # the device, so ROI = savings / 900; the savings count the carbon price on both sides.
    s = flat(horizon_months=3, carbon_price_per_tonne=100)
    f = fin(s)
    savings = 3 * 360 + 3 * CLOUD_KG / 10 - (900 + 3 * 40 + 115 + 3 * EDGE_KG / 10)
    assert f.savings_total[0] == pytest.approx(savings)
    assert f.capex_total[0] == pytest.approx(900.0)
    assert f.roi_percent[0] == pytest.approx(savings / 900 * 100)
    s_json = summary(analyse_one(s))
    assert s_json["edge_capex"] == pytest.approx(900.0) and s_json["capex_total"] == pytest.approx(900.0)
    assert analyse_one(s).costs.values("carbon_edge_purchase")[0, 0] == pytest.approx(115.0)  # its own line
