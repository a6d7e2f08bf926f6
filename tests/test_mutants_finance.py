"""Finance's building blocks with figures computed by hand from tiny cash flows: cash flows, sign changes,
crossing times, savings paths, discount factors, several IRRs, the step curve and a Finance of whole flows.
Fast tier (read by `make mutation`): a changed operator, bound or index in finance fails one of these."""

import numpy as np
import pytest
from flat_scenario import CLOUD_KG, EDGE_KG, flat

from planner.model import costs, finance
from planner.model.costs import Component

pytestmark = pytest.mark.unit


def test_discount_convention_names_the_timing():
    assert finance.discount_convention("end_of_month") == (
        "running flows discounted at the end of their month, capex at the start of its month; "
        "monthly rate (1 + annual rate)^(1/12) − 1 (annual effective rate)"
    )
    assert "at the middle of their month" in finance.discount_convention("mid_month")


def test_cash_flows_put_capex_at_the_start_and_the_gap_at_the_end_of_its_month():
    # c_t = gap(t−1) − capex(t): −5, 1 − 3, 2
    assert finance.cash_flows(np.array([1.0, 2.0]), np.array([5.0, 3.0])).tolist() == [[-5.0, -2.0, 2.0]]


def test_sign_changes_skip_zeros():
    flows = np.array([[-1.0, 0, 2, -3, 0, 0, 4], [0, 0, 1, -1, 0, 0, 0], [1, 2, 3, 0, 0, 0, 0]])
    assert finance.sign_changes(flows).tolist() == [3, 1, 0]


def test_step_curve_steps_up_at_each_capex_and_rises_through_the_month():
    t, y = finance.step_curve(np.array([10.0, 20.0]), np.array([100.0, 5.0]))
    assert t.tolist() == [0.0, 1.0, 1.0, 2.0]
    # month 0: 100 capex, then +10 → 110; month 1: +5 capex → 115, then +20 → 135
    assert y.tolist() == [100.0, 110.0, 115.0, 135.0]


@pytest.mark.parametrize(
    "month,s_end,gap,expected",
    [
        (2, 5.0, 10.0, 2.5),  # started at −5, +10 over the month: half way
        (3, 3.0, 2.0, 3.0),  # already ≥ 0 at the start
        (1, 5.0, -10.0, 1.0),  # a negative gap reaches 0 only at the start
        (4, -5.0, 1.0, 5.0),  # clipped to the month's end
        (0, 0.0, 0.0, 0.0),
    ],
)
def test_crossing_time_within_a_month(month, s_end, gap, expected):
    assert finance.crossing_time(np.array([month]), np.array([s_end]), np.array([gap])).tolist() == [expected]


def test_savings_path_from_the_first_flow():
    gap, lumps = np.array([[0.0, 10, 10, 10]]), np.array([[0.0, 15, 0, 0]])
    # gap − lumps = 0, −5, 10, 10 → cumulative 0, −5, 5, 15; month 2 starts at −5 and gains 10: 2.5
    path = finance.savings_path(gap, lumps, from_first_flow=True)
    assert path.savings_end.tolist() == [[0.0, -5.0, 5.0, 15.0]]
    assert path.started.tolist() == [[0.0, 1.0, 1.0, 1.0]]
    np.testing.assert_array_equal(path.crossing, [[np.nan, np.nan, 2.5, 3.0]])
    # counted from go-live, the empty first month already ends at 0
    np.testing.assert_array_equal(finance.savings_path(gap, lumps).crossing, [[0.0, np.nan, 2.5, 3.0]])


def test_break_even_within_the_horizon_only():
    def gap(m):
        return np.full(1, 10.0)

    assert finance.break_even(np.array([[-5.0, 10, 10]]), gap, np.array([2])).tolist() == [1.5]
    assert np.isnan(finance.break_even(np.array([[-5.0, 10, 10]]), gap, np.array([1]))[0])
    assert np.isnan(finance.break_even(np.array([[-5.0, -1, -1]]), gap, np.array([3]))[0])


def test_break_even_forgives_a_rounding_error_below_zero():
    net = np.array([[-0.1 - 0.2, 0.3]])  # −0.30000000000000004 + 0.3: a hair below 0 at month 1's end
    assert net.sum() < 0
    assert finance.break_even(net, lambda m: np.full(1, 0.3), np.array([2])).tolist() == [2.0]


def test_within_zeroes_the_months_past_each_horizon():
    values = np.ones((2, 3))
    assert finance._within(values, np.array([3, 1])).tolist() == [[1, 1, 1], [1, 0, 0]]
    assert finance._within(values, np.array([3, 3])) is values


def test_discount_factors_at_the_start_end_and_middle_of_each_month():
    at_start, at_end = finance.discount_factors(10.0, 2)
    np.testing.assert_allclose(at_start, [[1.0, 1.1 ** (-1 / 12)]])
    np.testing.assert_allclose(at_end, [[1.1 ** (-1 / 12), 1.1 ** (-2 / 12)]])
    at_start, at_end = finance.discount_factors(np.array([10.0, 21.0]), 2, np.array([True, False]))
    np.testing.assert_allclose(at_start, [[1.0, 1.1 ** (-1 / 12)], [1.0, 1.21 ** (-1 / 12)]])
    np.testing.assert_allclose(
        at_end, [[1.1 ** (-0.5 / 12), 1.1 ** (-1.5 / 12)], [1.21 ** (-1 / 12), 1.21 ** (-2 / 12)]]
    )


def test_discounted_flows_and_payback_at_mid_month():
    gap, capex = np.array([[0.0, 0.0, 121.0]]), np.array([[100.0, 0.0, 0.0]])
    d_gap, d_capex = finance.discounted_flows(gap, capex, 21.0, True)
    np.testing.assert_allclose(d_gap, [[0, 0, 121 * 1.21 ** (-2.5 / 12)]])
    np.testing.assert_allclose(d_capex, [[100, 0, 0]])
    # the discounted 121 repays 100 within month 2: 2 + 100 / d_gap
    np.testing.assert_allclose(finance.discounted_payback(gap, capex, 21.0, True), [2 + 100 / d_gap[0, 2]])


def test_irr_is_undefined_without_a_sign_change_in_the_search_range():
    assert np.isnan(finance.irr_percent(np.array([[1.0, 1.0]]), np.array([[0.0, 0.0]]))[0])
    # −100 then +1: the NPV stays negative over the whole range searched
    assert np.isnan(finance.irr_percent(np.array([[1.0]]), np.array([[100.0]]))[0])


def test_every_irr_of_flows_that_change_sign_twice():
    # c = −100, +230, −132: NPV = 0 at (1 + monthly rate) = 1.1 and 1.2; a second row with one IRR (1.1^6 − 1)
    gap = np.array([[230.0, -132.0], [0.0, 110.0]])
    capex = np.array([[100.0, 0.0], [100.0, 0.0]])
    changes, rates = finance.irr_all_percent(gap, capex)
    assert changes.tolist() == [2, 1]
    np.testing.assert_allclose(rates[0], [(1.1**12 - 1) * 100, (1.2**12 - 1) * 100], rtol=1e-6)
    np.testing.assert_allclose(rates[1, 0], (1.1**6 - 1) * 100, rtol=1e-6)
    assert np.isnan(rates[1, 1])
    changes, rates = finance.irr_all_percent(gap[1:], capex[1:])
    assert changes.tolist() == [1] and rates.shape == (1, 1)
    np.testing.assert_allclose(rates[0, 0], (1.1**6 - 1) * 100, rtol=1e-6)


def flows_finance(discount=0.0, cloud_upfront=(0.0, 0.0, 0.0), mid=False):
    """Cloud 100 a month, edge 40 a month and 90 of capex at go-live, over 3 months."""
    return finance.analyse_flows(
        np.array([[100.0, 100, 100]]),
        np.array([cloud_upfront]),
        np.array([[40.0, 40, 40]]),
        np.array([[90.0, 0, 0]]),
        discount,
        mid,
    )


def test_a_finance_of_whole_flows_by_hand():
    f = flows_finance()
    # savings 60 a month against 90 of capex: −30 after month 0, +30 after month 1 → break-even 1.5
    assert f.break_even_month.tolist() == [1.5] and f.payback_months.tolist() == [1.5]
    assert f.pays_back.tolist() == [True]
    assert (f.cloud_total.tolist(), f.edge_total.tolist(), f.savings_total.tolist()) == ([300.0], [210.0], [90.0])
    assert f.capex_total.tolist() == [90.0]
    assert f.roi_percent.tolist() == [100.0]  # 90 saved ÷ 90 invested
    assert f.npv_savings.tolist() == [90.0]  # undiscounted: 3 × 60 − 90
    assert f.horizon.tolist() == [3]
    assert f.cloud_monthly.tolist() == [[100.0, 100, 100]]
    assert f.edge_monthly.tolist() == [[130.0, 40, 40]]
    assert f.edge_running_monthly.tolist() == [[40.0, 40, 40]]
    assert f.cloud_cumulative.tolist() == [[100.0, 200, 300]]
    assert f.edge_cumulative.tolist() == [[130.0, 170, 210]]
    assert f.cumulative_savings.tolist() == [[-30.0, 30, 90]]
    assert f.edge_capex.tolist() == [[90.0, 0, 0]]
    assert f.running_gap_monthly.tolist() == [[60.0, 60, 60]]
    assert f.net_capex_monthly.tolist() == [[90.0, 0, 0]]
    assert f.taxed.tolist() == [False]
    assert f.discounted_payback_months(0.0).tolist() == [1.5]
    gap, lumps = f.after_tax_flows()
    assert (gap.tolist(), lumps.tolist()) == ([[60.0, 60, 60]], [[90.0, 0, 0]])
    assert f.npv_after_tax(0.0).tolist() == [90.0]


def test_the_irr_of_whole_flows_zeroes_their_npv():
    f = flows_finance()
    irr = f.irr_percent[0]
    flows = [-90.0, 60.0, 60.0, 60.0]
    assert sum(c * (1 + irr / 100) ** (-t / 12) for t, c in enumerate(flows)) == pytest.approx(0, abs=1e-6)
    changes, rates = f.irr_all_percent()
    assert changes.tolist() == [1] and rates[0, 0] == pytest.approx(irr)
    changes, rates = f.irr_all_percent_after_tax()
    assert rates[0, 0] == pytest.approx(irr)


def test_discounting_whole_flows_at_12_percent():
    f = flows_finance(12.0)
    d = [60 * 1.12 ** (-(m + 1) / 12) for m in range(3)]
    assert f.npv_savings[0] == pytest.approx(sum(d) - 90)
    assert f.npv_after_tax(12.0)[0] == pytest.approx(sum(d) - 90)
    # −90 + d0 < 0 < −90 + d0 + d1: within month 1
    assert f.discounted_payback_months(12.0)[0] == pytest.approx(1 + (90 - d[0]) / d[1])
    mid = flows_finance(12.0, mid=True)
    assert mid.npv_savings[0] == pytest.approx(sum(60 * 1.12 ** (-(m + 0.5) / 12) for m in range(3)) - 90)


def test_a_cloud_upfront_payment_is_a_negative_edge_lump():
    f = flows_finance(cloud_upfront=(0.0, 30.0, 0.0))
    assert f.cloud_upfront.tolist() == [[0.0, 30, 0]]
    assert f.cloud_running_monthly.tolist() == [[100.0, 100, 100]]
    assert f.net_capex_monthly.tolist() == [[90.0, -30, 0]]
    assert f.cloud_total.tolist() == [330.0]
    # cumulative −30 after month 0; month 1 starts at −30 + 30 = 0: break-even at its start
    assert f.break_even_month.tolist() == [1.0]


def test_nothing_spent_has_nothing_to_pay_back():
    zeros = np.zeros((1, 2))
    f = finance.analyse_flows(zeros, zeros, zeros, zeros)
    assert np.isnan(f.break_even_month[0]) and np.isnan(f.payback_months[0])
    assert np.isnan(f.discounted_payback_months(5.0)[0])
    assert np.isnan(f.roi_percent[0])  # no capex: ROI undefined


def test_roi_needs_a_cent_of_capex():
    f = finance.analyse_flows(np.array([[1.0]]), np.zeros((1, 1)), np.zeros((1, 1)), np.array([[0.01]]))
    assert f.roi_percent[0] == pytest.approx((1 - 0.01) / 0.01 * 100)
    f = finance.analyse_flows(np.array([[1.0]]), np.zeros((1, 1)), np.zeros((1, 1)), np.array([[0.009]]))
    assert np.isnan(f.roi_percent[0])


def test_blocked_break_even_is_the_whole_grids_one_block_at_a_time():
    months = finance.BLOCK_CELLS // 2  # two rows a block: blocks [0, 2) and [2, 3)
    shared = np.ones((1, months))
    cloud = [Component(np.array([[3.0], [2.0], [4.0]]), shared)]
    opex = [Component(np.array([[1.0], [1.0], [1.0]]), shared)]
    lump = [Component(np.array([[5.0], [0.5], [9.0]]), np.eye(1, months))]
    horizon = np.full(3, months)
    # gaps 2, 1, 3 a month against lumps 5, 0.5, 9: 2.5, 0.5 and 3.0 months
    blocked = finance._blocked_break_even(cloud, opex, lump, 3, months, horizon)
    assert blocked.tolist() == [2.5, 0.5, 3.0]
    whole = finance._crossing(cloud, opex, lump, 3, months, horizon)[0]
    assert blocked.tolist() == whole.tolist()


def test_analyse_refuses_an_unknown_view():
    f = flows_finance()
    with pytest.raises(ValueError, match="view must be one of"):
        finance.analyse(f.costs, "tax")
    with pytest.raises(ValueError, match="view must be one of"):
        finance.carbon(f.costs, "tax")


def flat_costs(*scenarios):
    return costs.evaluate(costs.batch(list(scenarios)))


def test_each_scenario_counts_only_its_own_horizon():
    # 360 of cloud and 40 + a 900 device on the edge a month; horizons of 12 and 24 months on a 24-month grid
    f = finance.analyse(flat_costs(flat(horizon_months=12), flat(horizon_months=24)))
    assert f.cloud_total.tolist() == [12 * 360.0, 24 * 360.0]
    assert f.edge_total.tolist() == [900 + 12 * 40.0, 900 + 24 * 40.0]
    assert f.capex_total.tolist() == [900.0, 900.0]
    assert f.npv_savings.tolist() == [12 * 320 - 900.0, 24 * 320 - 900.0]
    assert f.cloud_monthly[0, 11:13].tolist() == [360.0, 0.0]  # zero past its horizon
    assert f.cloud_monthly[1, 11:13].tolist() == [360.0, 360.0]


def test_the_accounting_curve_is_the_views_p_and_l_and_the_break_even_stays_cash():
    # accounting: 40 + 900/12 = 115 a month on the edge, 245 saved every month from the first
    yearly = flat(useful_life_months=12, horizon_months=24)
    f = finance.analyse(flat_costs(yearly), "accounting", keep_savings_curve=True)
    np.testing.assert_allclose(f.savings_curve[0], 245.0 * np.arange(1, 25))
    assert f.break_even_month.tolist() == [900 / 320]  # cash: 900 ÷ (360 − 40)
    cash = finance.analyse(flat_costs(yearly), "cash", keep_savings_curve=True)
    assert cash.savings_curve[0, :2].tolist() == [-580.0, -260.0]  # 320 − 900, then + 320
    assert finance.analyse(flat_costs(yearly), "cash").savings_curve is None
    # carbon's break-even is the cash one in either view
    assert finance.carbon(f.costs, "accounting").break_even_month.tolist() == pytest.approx(
        finance.carbon(f.costs, "cash").break_even_month.tolist(), nan_ok=True
    )


def test_tax_adds_the_depreciation_shield_and_takes_a_share_of_the_running_gap():
    # 25 %: 0.25 × (40 − 360) + 0.25 × 900/48 = −80 + 4.6875 every month
    c = flat_costs(flat(tax_rate_percent=25))
    np.testing.assert_allclose(finance.tax_effect(c), np.full((1, 36), -75.3125))
    assert finance.analyse(c).taxed.tolist() == [True]
    assert not finance.tax_effect(flat_costs(flat())).any()


def test_a_side_that_costs_nothing_still_lets_the_other_pay_back():
    # cloud 100 a month against an edge that costs nothing: saving from the first day, break-even at 0
    zeros = np.zeros((1, 3))
    f = finance.analyse_flows(np.array([[100.0, 100, 100]]), zeros, zeros, zeros)
    assert f.break_even_month.tolist() == [0.0] and f.discounted_payback_months(10.0).tolist() == [0.0]


def test_the_npv_after_tax_is_discounted_at_mid_month_when_the_scenario_says_so():
    mid = flows_finance(12.0, mid=True)
    assert mid.npv_after_tax(12.0)[0] == pytest.approx(sum(60 * 1.12 ** (-(m + 0.5) / 12) for m in range(3)) - 90)


def test_tax_is_taken_at_each_scenarios_own_rate():
    # 0.25 and 0.10 × (40 − 360 + 900/48) every month
    effect = finance.tax_effect(flat_costs(flat(tax_rate_percent=25), flat(tax_rate_percent=10)))
    np.testing.assert_allclose(effect, [[0.25 * -301.25] * 36, [0.10 * -301.25] * 36])


def test_after_tax_figures_of_whole_flows_by_hand():
    # row 0: 60 a month less 10 of tax against 90 at go-live; row 1: 30 a month untaxed against 90
    gap, lumps = np.array([[60.0, 60, 60], [30.0, 30, 30]]), np.array([[90.0, 0, 0], [90.0, 0, 0]])
    tax = np.array([[-10.0, -10, -10], [0.0, 0, 0]])
    npv, changes, rates = finance.after_tax_figures(gap, lumps, tax, 0.0)
    assert npv.tolist() == [3 * 50 - 90.0, 3 * 30 - 90.0] and changes.tolist() == [1, 1]
    flows = [-90.0, 50.0, 50.0, 50.0]  # −90 at go-live, 60 − 10 at each month's end
    assert sum(c * (1 + rates[0, 0] / 100) ** (-t / 12) for t, c in enumerate(flows)) == pytest.approx(0, abs=1e-6)
    assert rates[1, 0] == pytest.approx(0, abs=1e-6)  # 3 × 30 repays 90 exactly: 0 %
    # running flows at each month's end unless told otherwise, at their middle when told
    npv, _, _ = finance.after_tax_figures(gap[:1], lumps[:1], tax[:1], 12.0)
    assert npv[0] == pytest.approx(sum(50 * 1.12 ** (-(m + 1) / 12) for m in range(3)) - 90)
    npv, _, _ = finance.after_tax_figures(gap[:1], lumps[:1], tax[:1], 12.0, True)
    assert npv[0] == pytest.approx(sum(50 * 1.12 ** (-(m + 0.5) / 12) for m in range(3)) - 90)


def test_a_plans_savings_start_with_its_first_flow_and_may_end_exactly_at_zero():
    # gap − lumps = 0, 0, −10, 0, +10: the flow starts in month 2 (month 1's 5 − 5 is none), stays started through
    # the empty month 3, and the savings come back to exactly 0 at month 4's end: 4 + 10 ÷ 10
    path = finance.savings_path(np.array([[0.0, 5, 10, 0, 10]]), np.array([[0.0, 5, 20, 0, 0]]), from_first_flow=True)
    assert path.started.tolist() == [[0.0, 0.0, 1.0, 1.0, 1.0]]
    assert path.savings_end.tolist() == [[0.0, 0.0, -10.0, -10.0, 0.0]]
    np.testing.assert_array_equal(path.crossing, [[np.nan, np.nan, np.nan, np.nan, 5.0]])


def test_a_sides_total_in_the_view_asked_and_over_the_months_asked():
    # edge: a 900 device and 40 a month; cash over 12 months 900 + 480, accounting 12 × (40 + 900/24)
    c = flat_costs(flat(useful_life_months=24, horizon_months=12))
    assert finance.total(c, "edge").tolist() == [1380.0]
    assert finance.total(c, "edge", "accounting").tolist() == [12 * (40 + 900 / 24)]
    assert finance.total(c, "cloud", within=np.arange(12)[None, :] < 5).tolist() == [5 * 360.0]


def test_discounting_is_at_each_months_end_unless_told_otherwise():
    gap, capex = np.array([[0.0, 0.0, 121.0]]), np.array([[0.0, 100.0, 0.0]])
    d_gap, d_capex = finance.discounted_flows(gap, capex, 21.0)
    np.testing.assert_allclose(d_gap, [[0, 0, 121 * 1.21 ** (-3 / 12)]])
    np.testing.assert_allclose(d_capex, [[0, 100 * 1.21 ** (-1 / 12), 0]])  # at the start of month 1
    at_go_live = np.array([[100.0, 0.0, 0.0]])
    np.testing.assert_allclose(finance.discounted_payback(gap, at_go_live, 21.0), [2 + 100 / (121 * 1.21 ** (-3 / 12))])


def test_carbon_over_each_horizon_and_its_break_even_by_hand():
    # 1,000 cameras: 1,000 × CLOUD_KG a month in the cloud; the edge's one device emits 1,150 kg when bought and
    # EDGE_KG a month: its emissions are paid back after 1,150 ÷ (1,000 × CLOUD_KG − EDGE_KG) ≈ 12.2 months
    c = costs.evaluate(
        costs.batch([flat(cameras=1000, horizon_months=12), flat(cameras=1000, horizon_months=24)]), carbon=True
    )
    kg = finance.carbon(c)
    np.testing.assert_allclose(kg.cloud_total, [12 * 1000 * CLOUD_KG, 24 * 1000 * CLOUD_KG])
    np.testing.assert_allclose(kg.edge_total, [1150 + 12 * EDGE_KG, 1150 + 24 * EDGE_KG])
    assert np.isnan(kg.break_even_month[0])  # not within 12 months
    assert kg.break_even_month[1] == pytest.approx(1150 / (1000 * CLOUD_KG - EDGE_KG))
    totals_only = finance.carbon(c, "accounting", break_even=False)
    assert totals_only.view == "accounting" and totals_only.break_even_month is None
    np.testing.assert_allclose(totals_only.cloud_monthly.sum(axis=1), kg.cloud_total)  # its monthly series too


@pytest.mark.parametrize("view", ["cash", "accounting"])
def test_an_edge_that_emits_nothing_pays_back_at_once_and_nothing_emitted_has_nothing_to_pay_back(view):
    clean_edge = dict(cameras=1000, grid_kgco2e_per_kwh=0, device_embodied_kgco2e=0)
    clean_cloud = dict(cloud_grid_kgco2e_per_kwh=0, cloud_embodied_kgco2e_per_accelerator_hour=0)
    c = costs.evaluate(costs.batch([flat(**clean_edge), flat(**clean_edge, **clean_cloud)]), carbon=True)
    kg = finance.carbon(c, view)
    np.testing.assert_allclose(kg.cloud_total, [36 * 1000 * CLOUD_KG, 0.0])
    assert kg.edge_total.tolist() == [0.0, 0.0]
    assert kg.break_even_month[0] == 0.0 and np.isnan(kg.break_even_month[1])


def test_whole_flows_are_undiscounted_unless_a_rate_is_given():
    zeros = np.zeros((1, 3))
    f = finance.analyse_flows(
        np.array([[100.0, 100, 100]]), zeros, np.array([[40.0, 40, 40]]), np.array([[90.0, 0, 0]])
    )
    assert f.npv_savings.tolist() == [3 * 60 - 90.0]


def test_a_row_with_one_sign_change_keeps_its_single_irr_beside_rows_with_several():
    # row 0 changes sign twice (−100, +230, −132), row 1 once (−100, 0, +110): its rate is irr_percent's, bit for bit,
    # at the iterations asked
    gap, capex = np.array([[230.0, -132.0], [0.0, 110.0]]), np.array([[100.0, 0.0], [100.0, 0.0]])
    for iterations in (80, 3):
        _, rates = finance.irr_all_percent(gap, capex, iterations)
        assert rates[1, 0] == finance.irr_percent(gap[1:], capex[1:], iterations)[0]
    coarse = finance.irr_all_percent(gap, capex, 3)[1][1, 0]
    assert abs(coarse - (1.1**6 - 1) * 100) > 1  # three halvings of the search range are far from 77.16 %


def test_every_irr_of_more_rows_than_one_block_holds():
    # 400 rows of −100, +230, −132 (rates where 1 + monthly rate = 1.1 and 1.2): more than one block of rows
    gap, capex = np.tile([[230.0, -132.0]], (400, 1)), np.tile([[100.0, 0.0]], (400, 1))
    changes, rates = finance.irr_all_percent(gap, capex)
    assert changes.tolist() == [2] * 400 and rates.shape == (400, 2)
    np.testing.assert_allclose(rates, np.tile([(1.1**12 - 1) * 100, (1.2**12 - 1) * 100], (400, 1)), rtol=1e-6)


def test_flows_that_change_sign_twice_without_a_rate_have_one_empty_column():
    # −1, +3, −3: NPV = −1 + 3x − 3x² with x = (1 + monthly rate)^−1 has no root (9 − 12 < 0)
    changes, rates = finance.irr_all_percent(np.array([[3.0, -3.0]]), np.array([[1.0, 0.0]]))
    assert changes.tolist() == [2] and rates.shape == (1, 1) and np.isnan(rates[0, 0])


def test_flows_that_start_with_nothing_then_a_payment_change_sign_once():
    # 0, −1, +2: the leading zero is no sign, one change
    assert finance.sign_changes(np.array([[0.0, -1.0, 2.0]])).tolist() == [1]


def test_a_rate_in_the_last_cell_of_the_search_grid_is_found():
    # NPV = (x − e^−1)(x − e^−19.97), x = (1 + monthly rate)^−1: ρ = ln(1 + monthly rate) of 1 and 19.97, the second
    # between the grid's last two points (19.93 and the bound 20); flows x1·x2, −(x1 + x2), 1
    x1, x2 = np.exp(-1.0), np.exp(-19.97)
    changes, rates = finance.irr_all_percent(np.array([[-(x1 + x2), 1.0]]), np.array([[-x1 * x2, 0.0]]))
    assert changes.tolist() == [2]
    np.testing.assert_allclose(rates[0], [np.expm1(12 * 1.0) * 100, np.expm1(12 * 19.97) * 100], rtol=1e-6)
