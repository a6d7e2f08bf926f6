"""Sensitivity and Monte Carlo: hand-checked swings, equivalence with deterministic runs, seeding."""

import re

import numpy as np
import pytest
from flat_scenario import CLOUD_KG, EDGE_KG, flat

from planner.catalogs import catalog
from planner.exports import report
from planner.model import risk
from planner.schema.scenario import FIELD_BY_NAME, replace

pytestmark = pytest.mark.unit

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
    numeric = table[~table["input"].isin(risk.CHOICE_INPUTS)]  # a choice's low and high are its two options
    floors = numeric["input"].map(lambda name: FIELD_BY_NAME[name].min)
    assert (numeric["low"] >= floors).all()  # 200 % below would be negative: clipped at the bound
    assert table.set_index("input").loc["cameras", "low"] == FIELD_BY_NAME["cameras"].min
    hours = table.set_index("input").loc["hours_per_day"]
    assert hours["high"] == 24  # 12 h × 3 = 36 h, clipped to the field's 24 h


def test_grid_map_cells_equal_single_runs():
    be, savings = risk.grid_map(RETAIL, "cameras", [10, 80], "device_price", [500, 9_000])
    assert be.shape == (2, 2)
    single = report.analyse_one(replace(RETAIL, cameras=80, device_price=500)).cash
    assert be[0, 1] == pytest.approx(single.break_even_month[0])
    assert savings[0, 1] == pytest.approx(single.savings_total[0])


def test_fixed_distributions_equal_the_deterministic_result():
    mc = risk.monte_carlo(
        RETAIL, {"cameras": D("fixed", likely=50), "device_price": D("fixed", likely=2000)}, draws=50, seed=3
    )
    cash = report.analyse_one(RETAIL).cash
    assert np.allclose(mc.break_even, cash.break_even_month[0])
    curve = cash.cloud_cumulative[0] - cash.edge_cumulative[0]
    for band in mc.bands:
        assert np.allclose(band, curve)


def test_same_seed_same_figures_other_seed_other_figures():
    dists = {"cameras": D("triangular", 10, 50, 90), "uplink_per_gb": D("lognormal", likely=0.02, sigma=0.8)}
    a = risk.monte_carlo(RETAIL, dists, draws=2_000, seed=11)
    b = risk.monte_carlo(RETAIL, dists, draws=2_000, seed=11, chunk=300)  # chunking changes nothing
    c = risk.monte_carlo(RETAIL, dists, draws=2_000, seed=12)
    assert np.array_equal(a.break_even, b.break_even, equal_nan=True) and np.array_equal(a.bands, b.bands)
    assert not np.array_equal(a.savings_total, c.savings_total)


def test_share_paying_back_of_a_uniform_price_by_hand():
    # flat: 360 GB a month at u USD/GB, u ~ uniform(0.5, 1.5); capex 2,700; management 40 a month.
    # Pays back within N months when N × (360u − 40) ≥ 2,700, i.e. u ≥ (2,700/N + 40) / 360:
    #   N = 12: u ≥ 0.7361 → P = 1.5 − 0.7361 = 0.7639;  N = 6: u ≥ 1.3611 → P = 0.1389
    base = flat(device_price=2_700, horizon_months=12)
    mc = risk.monte_carlo(base, {"uplink_per_gb": D("uniform", low=0.5, high=1.5)}, draws=20_000, seed=5)
    for months in (12, 6):
        threshold = (2_700 / months + 40) / 360
        # binomial standard error √(p(1 − p)/20,000) ≤ 0.0036: allow 3 of them
        assert mc.probability_within(months) == pytest.approx(1.5 - threshold, abs=0.011), months
    assert mc.never_share == pytest.approx(1 - mc.probability_within(12))
    assert mc.headline().startswith("The edge pays back within 12 months in 76% of 20,000 simulated futures")
    hist = risk.break_even_histogram(mc)
    assert hist["draws"].sum() == 20_000 and hist["draws"].iloc[-1] == round(mc.never_share * 20_000)


def test_probability_within_counts_a_payback_of_exactly_that_many_months():
    # flat with management 60: −900 + 3 × (360 − 60) = 0 at the end of month 3 → break-even 3.0 exactly
    mc = risk.monte_carlo(flat(management=60), {"management_per_month": D("fixed", likely=60)}, draws=10, seed=0)
    assert mc.break_even.tolist() == [3.0] * 10
    assert mc.probability_within(3) == 1.0
    assert mc.probability_within(2.99) == 0.0


def test_bands_of_a_uniform_input_match_the_closed_form():
    # Cumulative savings at the end of month k + 1 are linear in the price u (USD/GB):
    #   S_k(u) = 360 u (k + 1) − 900 − 40 (k + 1), increasing in u, so its P10/P50/P90 are S_k at the
    #   10th/50th/90th percentiles of u ~ uniform(0.5, 1.5): 0.6, 1.0, 1.4.
    mc = risk.monte_carlo(
        flat(horizon_months=6), {"uplink_per_gb": D("uniform", low=0.5, high=1.5)}, draws=50_000, seed=9
    )
    months = np.arange(1, 7)
    for band, quantile in zip(mc.bands, (0.6, 1.0, 1.4)):
        implied_u = (band + 900 + 40 * months) / (360 * months)
        # a sample quantile's standard error here is √(p(1 − p)/n) × width ≤ 0.0022 USD/GB; one percentile
        # off (P11, P51, P91) would be 0.01 off
        assert implied_u == pytest.approx(np.full(6, quantile), abs=0.005)
    assert mc.seed == 9 and mc.draws == 50_000 and mc.horizon == 6


def test_a_lognormal_is_centred_on_its_likely_value():
    # median = likely = 3,000; log values spread with standard deviation sigma = 0.5
    values = D("lognormal", likely=3_000, sigma=0.5).sample(100_000, np.random.default_rng(1))
    # the median of 100,000 draws has a standard error of 1.2533 × 0.5 / √100,000 = 0.002 in log terms
    assert np.log(np.median(values)) == pytest.approx(np.log(3_000), abs=0.01)
    assert np.std(np.log(values)) == pytest.approx(0.5, abs=0.01)
    assert values.min() > 0


def test_a_triangular_stays_within_low_and_high_with_the_right_mean():
    # triangular(10, 20, 60): mean (10 + 20 + 60) / 3 = 30, mode 20;
    # variance (10² + 20² + 60² − 10·20 − 10·60 − 20·60) / 18 = 116.7 → standard error 10.8 / √100,000 = 0.034
    values = D("triangular", 10, 20, 60).sample(100_000, np.random.default_rng(2))
    assert values.min() >= 10 and values.max() <= 60
    assert values.min() < 10.5 and values.max() > 58  # the whole range is used
    assert values.mean() == pytest.approx(30, abs=0.15)
    # P(X ≤ mode) = (mode − low) / (high − low) = 10 / 50 = 0.2
    assert np.mean(values <= 20) == pytest.approx(0.2, abs=0.006)


def test_a_uniform_covers_low_to_high_evenly():
    values = D("uniform", low=2, high=6).sample(100_000, np.random.default_rng(3))
    assert values.min() >= 2 and values.max() <= 6
    # mean 4, P10 2.4, P90 5.6 (standard error of each ≤ 0.004)
    assert values.mean() == pytest.approx(4, abs=0.02)
    assert np.percentile(values, [10, 90]) == pytest.approx([2.4, 5.6], abs=0.02)


def test_a_fixed_distribution_or_a_zero_width_range_is_that_value():
    rng = np.random.default_rng(0)
    assert D("fixed", likely=7).sample(3, rng).tolist() == [7.0, 7.0, 7.0]
    assert D("uniform", low=4, high=4).sample(2, rng).tolist() == [4.0, 4.0]
    assert D("triangular", 5, 5, 5).sample(2, rng).tolist() == [5.0, 5.0]


@pytest.mark.parametrize(
    "bad, message",
    [
        (dict(distributions={"cameras": D("uniform", low=10, high=5)}), "cameras: low is above high"),
        (dict(distributions={"cameras": D("triangular", 1, 100, 50)}), "cameras: needs low ≤ likely ≤ high"),
        (dict(distributions={"cameras": D("lognormal", likely=5, sigma=0)}), "cameras: lognormal needs a median > 0"),
        (dict(distributions={"cameras": D("lognormal", likely=5, sigma=3.01)}), "0 < sigma ≤ 3"),
        (dict(distributions={"cameras": D("lognormal", likely=0)}), "cameras: lognormal needs a median > 0"),
        (dict(distributions={"cameras": D("gaussian", likely=5)}), "cameras: unknown distribution 'gaussian'"),
        (
            dict(distributions={"cameras": D("uniform", low=0, high=10**9)}),
            "cameras: values must lie within 0 to 100000",
        ),
        (
            dict(distributions={"horizon_months": D("fixed", likely=12)}),
            "'horizon_months' is not an input that can be varied",
        ),
        (dict(distributions={}, draws=10**7), "draws must be between 1 and 200,000, not 10,000,000"),
        (dict(distributions={}, draws=0), "draws must be between 1 and 200,000, not 0"),
    ],
)
def test_bad_requests_are_refused_with_a_message(bad, message):
    with pytest.raises(risk.RiskInputError, match=re.escape(message)):
        risk.monte_carlo(RETAIL, **{"draws": 10, **bad})


def test_requests_at_the_limits_are_accepted():
    # the field's own bounds (cameras 0 … 100,000), likely at either end, sigma 3, a single draw
    for dist in (
        D("uniform", low=0, high=100_000),
        D("triangular", 0, 0, 10),
        D("triangular", 0, 10, 10),
        D("lognormal", likely=100_000, sigma=3),
    ):
        dist.check("cameras")
    assert risk.monte_carlo(flat(), {}, draws=1).draws == 1
    D("uniform", low=5, high=5).check("cameras")  # a zero-width range is a value


def test_monte_carlo_defaults_and_view():
    # 10,000 draws by default; the break-even is on cash flows in either view: 900 / 320 = 2.8125 months, even
    # where the accounting view's 360 − 40 − 900/12 = 245 > 0 from day one
    yearly = flat(useful_life_months=12)
    assert risk.monte_carlo(yearly, {}).draws == 10_000
    assert risk.monte_carlo(yearly, {}, draws=2, view="accounting").break_even.tolist() == [2.8125, 2.8125]
    assert risk.monte_carlo(yearly, {}, draws=2).break_even.tolist() == [2.8125, 2.8125]
    # a horizon under 12 months is the headline's horizon
    assert (
        risk.monte_carlo(flat(horizon_months=6), {}, draws=3).headline()
        == "The edge pays back within 6 months in 100% of 3 simulated futures"
    )


def test_without_uncertain_inputs_every_draw_is_the_scenario_itself():
    # flat: 900 / (360 − 40) = 2.8125 months; chunks of 2 over 5 draws (2, 2, 1) report 0.4, 0.8, 1.0 done
    done = []
    mc = risk.monte_carlo(flat(), {}, draws=5, chunk=2, progress=done.append)
    assert mc.break_even.tolist() == [2.8125] * 5
    assert mc.savings_total.tolist() == pytest.approx([36 * 320 - 900] * 5)
    assert done == [0.4, 0.8, 1.0]


def test_break_even_histogram_by_hand():
    # 12 months in 4 bins of 3: 0.5 and 1.5 in the first, 11.9 in the last; two never pay back
    mc = risk.MonteCarlo(
        draws=5,
        seed=0,
        horizon=12,
        break_even=np.array([0.5, 1.5, 11.9, np.nan, np.nan]),
        savings_total=np.zeros(5),
        bands=np.zeros((3, 12)),
    )
    hist = risk.break_even_histogram(mc, bins=4)
    assert hist.index.tolist() == [0, 1, 2, 3, 4]
    assert list(hist.columns) == ["from_month", "to_month", "draws"]
    assert hist["from_month"].tolist()[:4] == [0, 3, 6, 9] and hist["to_month"].tolist()[:4] == [3, 6, 9, 12]
    assert hist.iloc[4][["from_month", "to_month"]].isna().all()
    assert hist["draws"].tolist() == [2, 0, 0, 1, 2]
    assert len(risk.break_even_histogram(mc)) == 24 + 1  # 24 half-month bins by default, then never


@pytest.mark.parametrize(
    "p, text",
    [
        (0.0, "0%"),
        (1.0, "100%"),
        (0.87, "87%"),
        (0.0049, "<1%"),
        (0.005, "<1%"),  # 1 in 200 is rare, not none (0.005 would print "0%")
        (0.0051, "1%"),
        (0.9949, "99%"),
        (0.995, ">99%"),
        (0.999, ">99%"),
    ],
)
def test_share_text_never_rounds_a_rare_outcome_away(p, text):
    assert risk.share_text(p) == text


def test_tornado_row_by_hand():
    # flat, management 40 ± 50 % → 20 / 60: break-even 900 / (360 − 20) = 2.647 and 900 / 300 = 3.0;
    # savings over 36 months 36 × 340 − 900 = 11,340 and 36 × 300 − 900 = 9,900; swing 1,440; at a 0 % discount
    # rate the NPV of savings is the savings (tests/test_sensitivity.py discounts them by hand)
    row = risk.tornado(flat(), inputs=("management_per_month",), percent=50).iloc[0].to_dict()
    assert row == pytest.approx(
        {
            "input": "management_per_month",
            "label": "Management software",
            "unit": "USD/month per site or device",
            "base": 40.0,
            "low": 20.0,
            "high": 60.0,
            "break_even_low": 900 / 340,
            "break_even_high": 3.0,
            "savings_low": 11_340.0,
            "savings_high": 9_900.0,
            "npv_low": 11_340.0,
            "npv_high": 9_900.0,
            "npv_after_tax_low": 11_340.0,  # no tax rate: the NPV itself
            "npv_after_tax_high": 9_900.0,
            "swing": 1_440.0,
            # the fee moves no emissions: 36 months × (cloud − edge kg/month, as in test_report) − 1,150 kg of device
            "kgco2e_avoided_low": 36 * (CLOUD_KG - EDGE_KG) - 1_150,
            "kgco2e_avoided_high": 36 * (CLOUD_KG - EDGE_KG) - 1_150,
            "kgco2e_swing": 0.0,
        }
    )
    # 20 % by default, or the range given
    assert risk.tornado(flat(), inputs=("management_per_month",))[["low", "high"]].values.tolist() == [[32.0, 48.0]]
    custom = risk.tornado(flat(), inputs=("management_per_month",), custom={"management_per_month": (10, 100)})
    assert custom[["low", "high"]].values.tolist() == [[10.0, 100.0]]


def test_tornado_rounds_whole_inputs_and_keeps_the_view():
    # cameras 50 ± 3 % = 48.5 / 51.5 → whole cameras 48 / 52 (to even)
    table = risk.tornado(RETAIL, inputs=("cameras", "management_per_month"), percent=3)
    assert table.set_index("input").loc["cameras", ["low", "high"]].tolist() == [48.0, 52.0]
    assert table.index.tolist() == [0, 1]
    # accounting view, life 12: the break-even is still the cash one, 900 / (360 − 20) and 900 / (360 − 60)
    yearly = flat(useful_life_months=12)
    accounting = risk.tornado(yearly, inputs=("management_per_month",), percent=50, view="accounting")
    assert accounting[["break_even_low", "break_even_high"]].values.tolist() == [[pytest.approx(900 / 340), 3.0]]
    be, _ = risk.grid_map(yearly, "management_per_month", [20, 60], "device_price", [900], view="accounting")
    assert be.tolist() == [[pytest.approx(900 / 340), 3.0]]


def test_evaluate_discounts_and_keeps_the_curve_only_on_request():
    # 1 % a month over 3 months: −900 + 320 × (1/1.01 + 1/1.01² + 1/1.01³) = 41.1152663
    base = flat(horizon_months=3, discount_percent_per_year=(1.01**12 - 1) * 100)
    f = risk.evaluate(base, {"cameras": np.array([1])})
    assert f.npv_savings[0] == pytest.approx(41.1152663, abs=1e-6)
    assert f.view == "cash" and f.savings_curve is None


def test_grid_map_refuses_too_many_cells_and_one_input_twice():
    with pytest.raises(risk.RiskInputError, match="^choose two different inputs$"):
        risk.grid_map(RETAIL, "cameras", [1], "cameras", [2])
    with pytest.raises(risk.RiskInputError, match="501 × 500 cells is more than 250,000"):
        risk.grid_map(RETAIL, "cameras", np.arange(501), "device_price", np.arange(500))
