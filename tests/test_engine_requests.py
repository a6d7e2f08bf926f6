"""What the engine builds is what its caller asks for (issue 30), and the faster ways it builds it give the same
figures: a totals-only request equals the sum of the full components, tiered lines kept linear where no scenario
crosses a tier, sums of terms a block of rows at a time, and per-month profiles from yearly exponentials."""

from __future__ import annotations

import numpy as np
import pytest

from planner.catalogs import catalog
from planner.model import costs, designs, finance, risk
from planner.model.costs import Component, batch, evaluate, side_components
from planner.model.pricing import tiered_cost
from planner.schema.scenario import replace

pytestmark = pytest.mark.unit

RETAIL = catalog.preset("retail")
PRICINGS = (
    dict(inference_pricing="per_image"),
    dict(inference_pricing="serverless"),
    dict(inference_pricing="instances", instance_commitment="one_year", instance_upfront="partial"),
)
VARIANTS = (
    {},
    dict(workload_growth_percent_per_year=15, inflation_percent_per_year=3, terminal_value="book_value"),
    dict(carbon_price_per_tonne=80, horizon_months=30, link_allowance_gb=100, cloud_support_plan="business"),
)


def scenarios() -> list:
    return [
        replace(preset, **pricing, **variant)
        for preset in catalog.presets().values()
        for pricing in PRICINGS
        for variant in VARIANTS
    ]


def summed_components(full: costs.Costs, side: str) -> np.ndarray:
    """Σ over the side's cash lines of each line's monthly values within each scenario's horizon, by hand."""
    within = np.arange(full.months)[None, :] < full.horizon[:, None]
    return sum((full.values(c.key) * within).sum(axis=1) for c in side_components(side, "cash"))


@pytest.mark.parametrize("side", ["cloud", "edge"])
def test_a_totals_only_request_equals_the_sum_of_the_full_components(side):
    b = batch(scenarios())
    full = evaluate(b)
    only = evaluate(b, carbon=False, sides=(side,))
    np.testing.assert_allclose(finance.total(only, side), summed_components(full, side), rtol=1e-12, atol=1e-9)
    for c in side_components(side, "cash") + side_components(side, "accounting"):  # each line as the full one
        np.testing.assert_allclose(only.values(c.key), full.values(c.key), rtol=1e-12, atol=1e-12)


def test_a_side_not_asked_for_is_refused_not_priced_at_zero():
    only_cloud = evaluate(batch([RETAIL]), sides=("cloud",))
    with pytest.raises(ValueError, match="without the edge's lines"):
        finance.total(only_cloud, "edge")
    assert "devices" not in only_cloud.quantities and not any(k in only_cloud.carbon for k in ("edge_energy",))
    with pytest.raises(ValueError, match="sides must be"):
        evaluate(batch([RETAIL]), sides=("fog",))


def test_analyse_without_npv_and_carbon_without_break_even_give_the_rest_unchanged():
    b = batch(scenarios())
    evaluated = evaluate(b)
    full, lean = (finance.analyse(evaluated, "cash", b["discount_percent_per_year"], npv=npv) for npv in (True, False))
    assert lean.npv_savings is None and full.npv_savings is not None
    for name in ("break_even_month", "payback_months", "cloud_total", "edge_total", "capex_total"):
        np.testing.assert_array_equal(getattr(lean, name), getattr(full, name))
    kg, kg_totals = finance.carbon(evaluated), finance.carbon(evaluated, break_even=False)
    assert kg_totals.break_even_month is None
    np.testing.assert_array_equal(kg_totals.savings_total, kg.savings_total)


def test_monte_carlo_and_the_map_ask_for_no_npv_and_the_cloud_search_for_no_edge(monkeypatch):
    asked = []
    analyse = finance.analyse

    def recording(*args, npv=True, **kwargs):
        asked.append(npv)
        return analyse(*args, npv=npv, **kwargs)

    monkeypatch.setattr(finance, "analyse", recording)
    risk.monte_carlo(RETAIL, {"cameras": risk.Distribution("uniform", low=10, high=90)}, draws=50)
    risk.grid_map(RETAIL, "cameras", [10, 20], "device_price", [1000, 2000])
    assert asked and not any(asked)

    def no_fleet(*args, **kwargs):
        raise AssertionError("the edge's fleet built for a search among cloud designs")

    monkeypatch.setattr(costs, "_fleet", no_fleet)
    found = designs.cheapest_per_row(RETAIL, {"cameras": np.array([5.0, 20, 80])}, {}, np.full(3, 1000.0))
    assert np.isfinite(found.cloud_total).all() and (found.cloud_total > 0).all()


def test_tiered_lines_equal_the_schedule_on_every_month_whether_a_scenario_crosses_a_tier_or_not():
    """Cameras from 1 to 400 with 30 %/year growth: some scenarios stay within one egress and per-image tier over the
    60 months, some cross one; each line equals the schedule applied to its monthly quantity (`tiered_cost`)."""
    n = 40
    b = batch(
        [replace(RETAIL, workload_growth_percent_per_year=30, inference_pricing="per_image")],
        cameras=np.linspace(1, 400, n).round(),
        horizon_months=np.full(n, 60),
    )
    evaluated = evaluate(b, 60, carbon=False)
    images, result_gb = evaluated.values("images"), evaluated.values("result_gb")
    egress_starts, prices = b.egress_tiers
    egress = tiered_cost(result_gb, egress_starts, prices) * evaluated.values("bandwidth_change")
    np.testing.assert_allclose(evaluated.values("results_egress"), egress, rtol=1e-12, atol=1e-9)
    starts, prices = b.inference_tiers
    inference = (
        (1 - b["inference_discount_percent"][:, None] / 100)
        * tiered_cost(images, starts, prices / 1000)
        * evaluated.values("fee_change")
    )
    np.testing.assert_allclose(evaluated.values("inference"), inference, rtol=1e-12, atol=1e-9)
    tier = np.searchsorted(egress_starts[0], result_gb, side="right")
    assert (tier[:, 0] == tier[:, -1]).any() and (tier[:, 0] != tier[:, -1]).any()  # both kinds of scenario


def test_sum_terms_by_blocks_equals_the_terms_added_one_by_one():
    rng = np.random.default_rng(3)
    n, months = costs.SUM_ROWS * 2 + 7, 13  # blocks and a remainder
    shared = rng.uniform(0, 2, (1, months))
    dense = rng.uniform(0, 2, (n, months))
    terms = [
        Component(rng.uniform(-5, 5, (n, 1)), shared),
        Component(rng.uniform(-5, 5, (n, 1)), costs.ONE),
        Component(rng.uniform(-5, 5, (n, 1)), dense),
        Component(np.ones((n, 1)), rng.uniform(0, 2, (n, months))),
        Component(rng.uniform(-5, 5, (n, 1)), shared),
    ]
    by_hand = sum(t.amount * np.broadcast_to(t.factor, (n, months)) for t in terms)
    np.testing.assert_allclose(costs.sum_terms(terms, n, months), by_hand, rtol=1e-12, atol=1e-12)
    weights = rng.uniform(0, 1, (1, months))
    sums = costs.WeightedSums(n, w=weights, per_row=rng.uniform(0, 1, (n, months)))
    np.testing.assert_allclose(sums(terms, "w"), (by_hand * weights).sum(axis=1), rtol=1e-12)
    np.testing.assert_allclose(sums(terms, "w"), costs.weighted_sums(terms, n, weights), rtol=1e-12)


@pytest.mark.parametrize("months", [1, 11, 12, 60, 241])
def test_compounded_profiles_equal_the_monthly_exponential(months):
    log_rate = np.log1p(np.array([[-0.5], [0.0], [0.1], [1.0]]))
    by_month = np.exp(log_rate * np.arange(months) / 12)
    np.testing.assert_allclose(costs.compounded(log_rate, months), by_month, rtol=1e-14)


@pytest.mark.parametrize("draws", [1, 2, 3, 11, 1001])
def test_monte_carlo_bands_are_numpys_percentiles_of_the_curves(draws):
    rng = np.random.default_rng(draws)
    curves = rng.normal(0, 1e5, (19, draws)).astype(np.float32)  # months × draws, blocks and a remainder
    curves[:, ::3] = curves[:, :1]  # ties
    by_numpy = np.percentile(curves.astype(np.float64), risk.BAND_PERCENTS, axis=1)
    np.testing.assert_array_equal(risk.percentile_bands(curves), by_numpy)
    curves[4, 0] = np.nan
    by_numpy = np.percentile(curves.astype(np.float64), risk.BAND_PERCENTS, axis=1)
    np.testing.assert_array_equal(risk.percentile_bands(curves), by_numpy)
