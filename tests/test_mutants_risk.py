"""Risk's inputs, ranges, headlines and refusals with figures computed by hand (fast tier, read by
`make mutation`)."""

import numpy as np
import pandas as pd
import pytest

from planner.catalogs import catalog
from planner.model import risk
from planner.schema.scenario import replace

pytestmark = pytest.mark.unit

RETAIL = catalog.preset("retail")


def test_key_inputs_add_the_lines_set_and_the_instance_rate():
    base = replace(RETAIL, **{name: 0 for name in risk.LINE_INPUTS + risk.LINK_INPUTS})
    assert risk.key_inputs(base)[: len(risk.KEY_INPUTS)] == risk.KEY_INPUTS
    assert "spares_percent" not in risk.key_inputs(base)
    with_lines = replace(base, spares_percent=5, link_allowance_gb=100)
    choices = tuple(risk.CHOICE_INPUTS)  # the two-way rows (terminal value) come last
    assert risk.key_inputs(with_lines)[len(risk.KEY_INPUTS) :] == ("spares_percent", "link_allowance_gb", *choices)
    assert "instance_inferences_per_s" not in risk.key_inputs(base)
    spot = replace(base, inference_pricing="instances", instance_commitment="spot")
    assert risk.key_inputs(spot)[-2 - len(choices) :] == (
        "instance_spot_per_hour",
        "instance_inferences_per_s",
        *choices,
    )


def test_default_range_is_a_percentage_or_a_span_around_zero():
    base = replace(RETAIL, cameras=50, workload_growth_percent_per_year=0, install_per_device=0, device_price=400)
    assert risk.default_range(base, "cameras", 20) == pytest.approx((40.0, 60.0))
    assert risk.default_range(base, "cameras", 50) == pytest.approx((25.0, 75.0))
    # 20 points at ±20 %, so 10 points at ±10 %
    assert risk.default_range(base, "workload_growth_percent_per_year", 10) == pytest.approx((-10.0, 10.0))
    # installation at 0: up to the percentage of the device's price, 400 × 25 % = 100
    assert risk.default_range(base, "install_per_device", 25) == pytest.approx((0.0, 100.0))
    growing = replace(base, workload_growth_percent_per_year=10)
    assert risk.default_range(growing, "workload_growth_percent_per_year", 20) == pytest.approx((8.0, 12.0))


def test_clip_keeps_the_fields_bounds_and_rounds_whole_inputs():
    assert risk._clip("cameras", [-5, 2.6, 10**9]).tolist() == [0.0, 3.0, 100_000.0]
    assert risk._clip("analysed_fps", [2.6]).tolist() == [2.6]
    with pytest.raises(risk.RiskInputError, match="'currency' is not an input that can be varied"):
        risk._clip("currency", [1])
    with pytest.raises(risk.RiskInputError, match="'fx_rate' is not an input that can be varied"):
        risk._spec("fx_rate")


def carbon_table(rows):
    return pd.DataFrame(rows, columns=["label", "kgco2e_avoided_low", "kgco2e_avoided_high", "kgco2e_swing"])


def test_carbon_tornado_text_names_the_largest_swings_in_tonnes():
    table = carbon_table(
        [
            ("Cameras", -1_200.0, 3_400.0, 4_600.0),
            ("Hours", 100.0, 600.0, 500.0),
            ("Price", 0.0, 0.4, 0.4),  # under half a kilogram: no swing
            ("Power", 2_000.0, 12_000.0, 10_000.0),
            ("Fps", 0.0, 0.5, 0.5),
        ]
    )
    assert risk.carbon_tornado_text(table) == (
        "Emissions avoided by the edge over the horizon (cloud − edge) move most with Power (2.0 → 12.0 t CO₂e), "
        "Cameras (-1.2 → 3.4 t CO₂e), Hours (0.1 → 0.6 t CO₂e)."
    )
    assert risk.carbon_tornado_text(table, most=1).endswith("move most with Power (2.0 → 12.0 t CO₂e).")
    assert risk.carbon_tornado_text(table, most=5).endswith("Fps (0.0 → 0.0 t CO₂e).")
    assert risk.carbon_tornado_text(carbon_table([("Price", 0.0, 0.4, 0.4)])) == (
        "No input moves the emissions avoided over these ranges."
    )


def result(break_even, horizon=36, avoided=None, carbon_be=None):
    n = len(break_even)
    return risk.MonteCarlo(
        draws=n,
        seed=0,
        horizon=horizon,
        break_even=np.array(break_even, dtype=float),
        savings_total=np.zeros(n),
        bands=np.zeros((3, horizon)),
        kgco2e_avoided=None if avoided is None else np.array(avoided, dtype=float),
        carbon_break_even=None if carbon_be is None else np.array(carbon_be, dtype=float),
    )


def test_headline_shares_and_the_first_payback_month_within_the_horizon():
    mc = result([5.0, 12.0, 12.5, 30.0, np.nan], horizon=36)
    assert mc.never_share == pytest.approx(1 / 5)
    assert mc.probability_within(12) == pytest.approx(2 / 5)  # exactly 12 counts
    assert mc.probability_within(30) == pytest.approx(4 / 5)
    assert mc.headline() == "The edge pays back within 12 months in 40% of 5 simulated futures"
    assert (
        result([5.0, 30.0], horizon=11).headline()
        == "The edge pays back within 11 months in 50% of 2 simulated futures"
    )
    assert result([5.0, 30.0], horizon=12).headline().startswith("The edge pays back within 12 months")


def test_carbon_headline_by_hand():
    # avoided > 0 in 3 of 4 (median of −500, 1000, 2000, 9000 is 1500 kg = 1.5 t); paid back in 2 of 4
    mc = result(
        [1.0, 2.0, 3.0, 4.0], horizon=24, avoided=[-500, 1_000, 2_000, 9_000], carbon_be=[3.0, np.nan, 20.0, np.nan]
    )
    assert mc.carbon_headline() == (
        "The edge emits less than the cloud over 24 months in 75% of 4 simulated futures (median avoided "
        "1.5 t CO₂e; its devices' embodied emissions paid back within the horizon in 50%)"
    )


def test_a_full_house_of_simulations_is_refused_at_once(monkeypatch):
    monkeypatch.setattr(risk, "SIMULATION_WAIT_S", 0.01)
    taken = [risk._simulation_slots.acquire(timeout=1) for _ in range(risk.MAX_CONCURRENT_SIMULATIONS)]
    try:
        assert all(taken)
        with pytest.raises(risk.SimulationBusy, match="busy with 2 other simulations"):
            risk.monte_carlo(RETAIL, {}, draws=1)
    finally:
        for _ in taken:
            risk._simulation_slots.release()
    assert risk.monte_carlo(replace(RETAIL, horizon_months=3), {}, draws=1).draws == 1  # the slots are free again


def test_a_chunk_never_exceeds_the_cell_budget():
    # MAX_CHUNK_CELLS ÷ 240 months = 4,166 draws a chunk: 4,200 draws report two steps
    done = []
    base = replace(RETAIL, horizon_months=240)
    risk.monte_carlo(base, {}, draws=4_200, progress=done.append)
    assert done == [pytest.approx(4_166 / 4_200), 1.0]
