"""Sensitivity and Monte Carlo: hand-checked swings, equivalence with deterministic runs, seeding."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

from planner import catalog, report, risk
from planner.scenario import replace

RETAIL = catalog.preset("retail")
D = risk.Distribution


def test_tornado_swings_of_linear_inputs_by_hand():
    table = risk.tornado(RETAIL, inputs=("management_per_month", "electricity_per_kwh"), percent=20).set_index("input")
    # management 500 ± 20 % for 36 months: savings move by 2 × 100 × 36 = 7,200
    assert table.loc["management_per_month", "swing"] == pytest.approx(7_200)
    assert table.loc["management_per_month", "savings_low"] > table.loc["management_per_month", "savings_high"]
    # electricity: 5 × 250 W × (360 h + 30 % × 370.5 h) × 1.2 PUE = 706.725 kWh/month × 0.13 ± 20 % × 36
    assert table.loc["electricity_per_kwh", "swing"] == pytest.approx(706.725 * 0.052 * 36)


def test_tornado_is_sorted_by_swing_and_clips_to_bounds():
    table = risk.tornado(RETAIL, percent=200)
    assert list(table["swing"]) == sorted(table["swing"], reverse=True)
    assert (table["low"] >= 0).all()                      # 200 % below would be negative: clipped at 0
    hours = table.set_index("input").loc["hours_per_day"]
    assert hours["high"] == 24                             # 12 h × 3 = 36 h, clipped to the field's 24 h


def test_grid_map_cells_equal_single_runs():
    be, savings = risk.grid_map(RETAIL, "cameras", [10, 80], "device_price", [500, 9_000])
    assert be.shape == (2, 2)
    single = report.analyse_one(replace(RETAIL, cameras=80, device_price=500)).cash
    assert be[0, 1] == pytest.approx(single.break_even_month[0])
    assert savings[0, 1] == pytest.approx(single.savings_total[0])
    with pytest.raises(risk.RiskInputError):
        risk.grid_map(RETAIL, "cameras", [1], "cameras", [2])


def test_fixed_distributions_equal_the_deterministic_result():
    mc = risk.monte_carlo(RETAIL, {"cameras": D("fixed", likely=50), "device_price": D("fixed", likely=2000)},
                          draws=50, seed=3)
    cash = report.analyse_one(RETAIL).cash
    assert np.allclose(mc.break_even, cash.break_even_month[0])
    curve = cash.cloud_cumulative[0] - cash.edge_cumulative[0]
    for band in mc.bands:
        assert np.allclose(band, curve)


def test_same_seed_same_figures_other_seed_other_figures():
    dists = {"cameras": D("triangular", 10, 50, 90), "uplink_per_gb": D("lognormal", likely=0.02, sigma=0.8)}
    a = risk.monte_carlo(RETAIL, dists, draws=2_000, seed=11)
    b = risk.monte_carlo(RETAIL, dists, draws=2_000, seed=11, chunk=300)    # chunking changes nothing
    c = risk.monte_carlo(RETAIL, dists, draws=2_000, seed=12)
    assert np.array_equal(a.break_even, b.break_even, equal_nan=True) and np.array_equal(a.bands, b.bands)
    assert not np.array_equal(a.savings_total, c.savings_total)


def test_never_paying_back_is_counted_and_headline_reads_well():
    dear = replace(RETAIL, device_price=200_000, horizon_months=12)
    mc = risk.monte_carlo(dear, {"cameras": D("uniform", low=1, high=60)}, draws=500, seed=1)
    assert 0 < mc.never_share <= 1
    assert mc.probability_within(12) == pytest.approx(1 - mc.never_share)
    assert mc.headline().startswith("The edge pays back within 12 months in ")
    hist = risk.break_even_histogram(mc)
    assert hist["draws"].sum() == 500 and hist["draws"].iloc[-1] == round(mc.never_share * 500)


@pytest.mark.parametrize("bad", [
    dict(distributions={"cameras": D("uniform", low=10, high=5)}),
    dict(distributions={"cameras": D("triangular", 1, 100, 50)}),
    dict(distributions={"cameras": D("lognormal", likely=5, sigma=0)}),
    dict(distributions={"cameras": D("gaussian", likely=5)}),
    dict(distributions={"cameras": D("uniform", low=0, high=10**9)}),
    dict(distributions={"horizon_months": D("fixed", likely=12)}),
    dict(distributions={}, draws=10**7),
])
def test_bad_requests_are_refused_with_a_message(bad):
    with pytest.raises(risk.RiskInputError):
        risk.monte_carlo(RETAIL, **{"draws": 10, **bad})


@settings(max_examples=25, deadline=None)
@given(low=st.floats(1, 50), spread=st.floats(0, 200), sigma=st.floats(0.05, 2), seed=st.integers(0, 2**32 - 1))
def test_bands_are_ordered_and_probabilities_are_shares(low, spread, sigma, seed):
    mc = risk.monte_carlo(RETAIL, {"cameras": D("uniform", low=low, high=low + spread),
                                   "device_price": D("lognormal", likely=3_000, sigma=sigma)}, draws=300, seed=seed)
    assert np.all(mc.bands[0] <= mc.bands[1] + 1e-9) and np.all(mc.bands[1] <= mc.bands[2] + 1e-9)
    for months in (12, 24, 36):
        assert 0 <= mc.probability_within(months) <= 1
    assert 0 <= mc.never_share <= 1
