"""Risk's inputs, ranges, headlines and refusals with figures computed by hand (fast tier, read by
`make mutation`)."""

import numpy as np
import pandas as pd
import pytest
from flat_scenario import CLOUD_KG, EDGE_KG, flat

from planner.catalogs import catalog
from planner.model import finance, risk
from planner.schema.scenario import replace

pytestmark = pytest.mark.unit

RETAIL = catalog.preset("retail")
D = risk.Distribution


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


def test_key_inputs_count_any_line_above_zero_and_keep_the_key_inputs_on_instances():
    base = replace(RETAIL, **{name: 0 for name in risk.LINE_INPUTS + risk.LINK_INPUTS + ("tax_rate_percent",)})
    choices = tuple(risk.CHOICE_INPUTS)
    assert risk.key_inputs(replace(base, spares_percent=0.5)) == (*risk.KEY_INPUTS, "spares_percent", *choices)
    one_year = replace(base, inference_pricing="instances", instance_commitment="one_year")
    assert risk.key_inputs(one_year) == (
        *risk.KEY_INPUTS,
        "instance_committed_per_hour",
        "instance_inferences_per_s",
        *choices,
    )


def test_clip_returns_floats_for_whole_numbers():
    clipped = risk._clip("cameras", [5, 7])
    assert clipped.dtype == np.float64 and clipped.tolist() == [5.0, 7.0]


def test_default_range_of_other_inputs_is_the_percentage_even_at_zero():
    base = replace(RETAIL, management_per_month=0, install_per_device=50, device_price=400)
    assert risk.default_range(base, "management_per_month", 20) == (0.0, 0.0)  # ± 20 % of 0
    # installation set: ± 20 % of 50, not a share of the device's price
    assert risk.default_range(base, "install_per_device", 20) == pytest.approx((40.0, 60.0))


def test_evaluate_builds_no_npv_or_emissions_unless_asked():
    f = risk.evaluate(flat(), {"cameras": np.array([1.0])}, carbon=False, npv=False)
    assert f.npv_savings is None
    with pytest.raises(ValueError, match="evaluated without their emissions"):
        finance.carbon(f.costs)


def test_tornado_choice_row_by_hand():
    # flat, the value kept at the horizon none → book value: the device (900, no salvage, 48-month life) is 36
    # months old, book value 900 × (1 − 36/48) = 225 credited in the last month: savings 36 × 320 − 900 = 10,620
    # → 10,845; the break-even 900 / 320 stays; the emissions avoided do not move. The numeric row after it stays.
    table = risk.tornado(flat(), inputs=("terminal_value", "management_per_month"), percent=50)
    assert table["input"].tolist() == ["management_per_month", "terminal_value"]  # swing 1,440, then 225
    row = table.set_index("input").loc["terminal_value"]
    assert (row["base"], row["low"], row["high"], row["unit"]) == ("none", "none", "book_value", "")
    assert row[["savings_low", "savings_high", "npv_low", "npv_high"]].tolist() == [10_620, 10_845, 10_620, 10_845]
    assert row[["break_even_low", "break_even_high"]].tolist() == [2.8125, 2.8125]
    avoided = 36 * (CLOUD_KG - EDGE_KG) - 1_150
    assert row[["kgco2e_avoided_low", "kgco2e_avoided_high"]].tolist() == pytest.approx([avoided, avoided])
    assert row["swing"] == 225


def test_tornado_emissions_low_and_high_by_hand():
    # flat, bitrate 8 ± 50 % → 4 / 12 Mbps: 180 / 540 GB a month instead of 360 at 1 USD/GB; the cloud's network
    # emissions move by 180 GB × 0.001 kWh/GB × 0.379069 kg/kWh a month each way, the edge's do not
    row = risk.tornado(flat(), inputs=("bitrate_mbps",), percent=50).iloc[0]
    assert row[["savings_low", "savings_high"]].tolist() == [36 * (180 - 40) - 900, 36 * (540 - 40) - 900]
    assert row[["break_even_low", "break_even_high"]].tolist() == pytest.approx([900 / 140, 900 / 500])
    network_kg = 180 * 0.001 * 0.379069
    assert row["kgco2e_avoided_low"] == pytest.approx(36 * (CLOUD_KG - network_kg - EDGE_KG) - 1_150)
    assert row["kgco2e_avoided_high"] == pytest.approx(36 * (CLOUD_KG + network_kg - EDGE_KG) - 1_150)
    assert row["kgco2e_swing"] == pytest.approx(36 * 2 * network_kg)


def test_tornado_in_the_accounting_view_by_hand():
    # flat, accounting view: the device is depreciated over 48 months, 900 × 36/48 = 675 within the horizon, and so
    # are its 1,150 kg of embodied emissions (862.5 kg); management 40 ± 50 % → 20 / 60
    row = risk.tornado(flat(), inputs=("management_per_month",), percent=50, view="accounting").iloc[0]
    assert row[["savings_low", "savings_high"]].tolist() == [36 * 340 - 675, 36 * 300 - 675]
    avoided = 36 * (CLOUD_KG - EDGE_KG) - 862.5
    assert row[["kgco2e_avoided_low", "kgco2e_avoided_high"]].tolist() == pytest.approx([avoided, avoided])
    _, savings = risk.grid_map(flat(), "management_per_month", [20, 60], "device_price", [900], view="accounting")
    assert savings.tolist() == [[36 * 340 - 675, 36 * 300 - 675]]


def test_tornado_npv_after_tax_discounts_each_row_at_its_own_rate():
    # flat taxed at 25 %: each month's savings 320 less 25 % × (360 − 40 − 900/48 depreciation) = 244.6875 after
    # tax. Discount 0 → 36 × 244.6875 − 900 = 7,908.75; 1 % a month → 244.6875 × (1 − 1.01⁻³⁶) / 0.01 − 900,
    # whatever the scenario's own rate (1 % a month here)
    monthly = (1.01**12 - 1) * 100
    taxed = flat(tax_rate_percent=25, discount_percent_per_year=monthly)
    row = risk.tornado(
        taxed, inputs=("discount_percent_per_year",), custom={"discount_percent_per_year": (0, monthly)}
    ).iloc[0]
    annuity = (1 - 1.01**-36) / 0.01
    assert row["npv_after_tax_low"] == pytest.approx(36 * 244.6875 - 900)
    assert row["npv_after_tax_high"] == pytest.approx(244.6875 * annuity - 900)
    assert row[["npv_low", "npv_high"]].tolist() == pytest.approx([36 * 320 - 900, 320 * annuity - 900])


# At ± 20 % the uplink price (1 ± 0.2 USD/GB × 360 GB) and the hours (10 ± 2 h: 360 ± 72 GB at 1 USD/GB) move
# flat's savings by 2 × 72 × 36 = 5,184 each, management (40 ± 8) by 2 × 8 × 36 = 576; electricity, storage,
# ingest, discount and the deployment lines are 0 (± 20 % of 0) and move nothing. Equal swings keep the order
# asked for (a sort that is not stable mixes them).
TIED_INPUTS = (
    "spares_percent",
    "uplink_per_gb",
    "electricity_per_kwh",
    "storage_per_gb_month",
    "ingest_per_gb",
    "discount_percent_per_year",
    "licence_per_device_year",
    "hours_per_day",
    "truck_roll_per_visit",
    "logging_per_gb",
    "management_per_month",
    "labelling_per_image",
)


def test_tornado_keeps_the_order_asked_for_among_equal_swings():
    table = risk.tornado(flat(), inputs=TIED_INPUTS)
    moved = ["uplink_per_gb", "hours_per_day", "management_per_month"]
    assert table["input"].tolist() == moved + [name for name in TIED_INPUTS if name not in moved]
    assert table["swing"].tolist()[:4] == pytest.approx([5_184, 5_184, 576, 0])


def test_carbon_tornado_text_keeps_the_order_among_equal_swings_and_divides_by_1000():
    # twelve rows, every other one swinging 2 kg, the rest 1 kg: the first three of the 2 kg rows in table order
    rows = [(f"Input {i}", 0.0, 2.0 if i % 2 else 1.0, 2.0 if i % 2 else 1.0) for i in range(12)]
    assert risk.carbon_tornado_text(carbon_table(rows)).endswith(
        "move most with Input 1 (0.0 → 0.0 t CO₂e), Input 3 (0.0 → 0.0 t CO₂e), Input 5 (0.0 → 0.0 t CO₂e)."
    )
    large = carbon_table([("Fleet", 150_000.0, 1_250_000.0, 1_100_000.0)])
    assert risk.carbon_tornado_text(large).endswith("move most with Fleet (150.0 → 1,250.0 t CO₂e).")


def test_grid_map_accepts_exactly_the_cell_limit(monkeypatch):
    monkeypatch.setattr(risk, "MAX_GRID_CELLS", 4)
    be, _ = risk.grid_map(flat(), "management_per_month", [20, 60], "device_price", [900, 1_800])
    # 900 / (360 − 20), 900 / 300; 1,800 / 340, 1,800 / 300
    assert be == pytest.approx(np.array([[900 / 340, 3.0], [1_800 / 340, 6.0]]))
    with pytest.raises(risk.RiskInputError, match="2 × 3 cells is more than 4"):
        risk.grid_map(flat(), "management_per_month", [20, 60], "device_price", [900, 1_800, 2_700])


def test_a_fixed_distribution_ignores_its_low_and_high():
    assert D("fixed", low=1, likely=7, high=9).sample(3, np.random.default_rng(0)).tolist() == [7.0, 7.0, 7.0]


def test_carbon_headline_counts_strictly_positive_savings_and_paid_back_draws():
    # avoided > 0 in 5 of 7 (0 is not avoided, 0.5 kg is); median 100,000 kg = 100.0 t; paid back in 5 of 7
    mc = result(
        [1.0] * 7,
        horizon=36,
        avoided=[-10, 0, 0.5, 100_000, 100_000, 100_000, 400_000],
        carbon_be=[3.0, np.nan, 20.0, 30.0, np.nan, 1.0, 2.0],
    )
    assert mc.carbon_headline() == (
        "The edge emits less than the cloud over 36 months in 71% of 7 simulated futures (median avoided "
        "100.0 t CO₂e; its devices' embodied emissions paid back within the horizon in 71%)"
    )


def test_monte_carlo_default_seed_chunk_and_draw_limit(monkeypatch):
    assert risk.monte_carlo(flat(horizon_months=1), {}, draws=1).seed == 0
    done = []  # 25,000 draws a chunk by default: 25,001 draws report two steps
    risk.monte_carlo(flat(horizon_months=1), {}, draws=25_001, progress=done.append)
    assert done == [25_000 / 25_001, 1.0]
    monkeypatch.setattr(risk, "MAX_DRAWS", 2)
    assert risk.monte_carlo(flat(horizon_months=1), {}, draws=2).draws == 2  # the limit itself is accepted
    with pytest.raises(risk.RiskInputError, match="between 1 and 2, not 3"):
        risk.monte_carlo(flat(horizon_months=1), {}, draws=3)


def test_a_chunk_of_one_draw_is_one_step():
    done = []
    risk.monte_carlo(flat(horizon_months=2), {}, draws=3, chunk=1, progress=done.append)
    assert done == [1 / 3, 2 / 3, 1.0]


def test_monte_carlo_in_the_accounting_view_by_hand():
    # flat, accounting view: 360 − 40 − 900/48 = 301.25 a month of savings from month 1 (the curve of the bands),
    # 36 × 301.25 = 10,845 in all; emissions avoided 36 × (cloud − edge) − 1,150 × 36/48 kg (device depreciated);
    # the edge emits more every month, so its devices' emissions are never paid back
    mc = risk.monte_carlo(flat(), {}, draws=2, view="accounting")
    assert mc.savings_total.tolist() == [10_845.0, 10_845.0]
    assert mc.kgco2e_avoided.tolist() == pytest.approx([36 * (CLOUD_KG - EDGE_KG) - 862.5] * 2)
    assert mc.carbon_break_even.shape == (2,) and np.isnan(mc.carbon_break_even).all()
    for band in mc.bands:
        assert band.tolist() == [301.25 * month for month in range(1, 37)]


def test_monte_carlo_bands_are_percentiles_of_float32_curves():
    # management 40.1: −900 + 319.9 × month, kept as float32 (4 bytes a cell) before the percentiles
    mc = risk.monte_carlo(flat(management=40.1), {}, draws=3)
    by_hand = np.float32(-900 + 319.9 * np.arange(1, 37)).astype(np.float64)
    assert not np.array_equal(by_hand, -900 + 319.9 * np.arange(1, 37))  # float32 rounds these figures
    for band in mc.bands:
        assert band == pytest.approx(by_hand, rel=1e-12, abs=0)


def shuffled_months(sorted_draws, months, rng_seed=0):
    """(months, draws) float32: month m holds `sorted_draws` + 100 m in a shuffled order."""
    rng = np.random.default_rng(rng_seed)
    rows = [rng.permutation(np.asarray(sorted_draws, dtype=float) + 100 * m) for m in range(months)]
    return np.array(rows, dtype=np.float32)


def test_percentile_bands_of_five_draws_by_hand():
    # 5 draws: the order statistics s0 … s4 sit at 0, 25, 50, 75, 100 %: P10 is 0.4 of the way from s0 to s1,
    # P50 is s2, P90 0.6 of the way from s3 to s4. Draws 0, 10, 20, 30, 40 (+ 100 a month) → 4, 20, 36.
    # Ten months: a block of 8 and one of 2.
    bands = risk.percentile_bands(shuffled_months([0, 10, 20, 30, 40], 10))
    offset = 100 * np.arange(10)
    assert bands.shape == (3, 10)
    for band, by_hand in zip(bands, (4, 20, 36)):
        assert band == pytest.approx(by_hand + offset, rel=1e-12)


def test_percentile_bands_of_one_two_and_three_draws_by_hand():
    # one draw: every band is it; two: P10, P50, P90 at 0.1, 0.5, 0.9 of the way from the lower to the upper;
    # three: at 0.2 of the way from s0 to s1, s1, 0.8 of the way from s1 to s2
    one = risk.percentile_bands(np.array([[7.0], [-3.0]], dtype=np.float32))
    assert one.tolist() == [[7.0, -3.0]] * 3
    two = risk.percentile_bands(np.array([[10.0, 0.0]], dtype=np.float32))
    assert two[:, 0] == pytest.approx([1.0, 5.0, 9.0], rel=1e-12)
    three = risk.percentile_bands(np.array([[50.0, 0.0, 10.0]], dtype=np.float32))
    assert three[:, 0] == pytest.approx([2.0, 10.0, 42.0], rel=1e-12)


def test_percentile_bands_with_a_missing_value_by_hand():
    # a NaN in month 3: that month's bands are NaN (np.percentile's); the block's other months and the next
    # block keep their figures
    curves = shuffled_months([0, 10, 20, 30, 40], 10) + 7  # other figures than the test above's
    curves[3, 2] = np.nan
    bands = risk.percentile_bands(curves)
    assert np.isnan(bands[:, 3]).all()
    offset = 100 * np.arange(10)
    months = [m for m in range(10) if m != 3]
    for band, by_hand in zip(bands, (11, 27, 43)):
        assert band[months] == pytest.approx(by_hand + offset[months], rel=1e-12)


def test_percentile_bands_interpolate_to_the_last_bit_as_numpy():
    # np.percentile interpolates a + (b − a) g below g = 0.5 and b − (b − a)(1 − g) from 0.5 up; these draws make
    # the two forms differ in the last bit: 5 draws (g = 0.4, 0, 0.6) and 6 draws (g = 0.5) far apart
    five = np.array([[1_250.0, -580.1, 1_270.0, 1_234.5, 1_260.0]], dtype=np.float32)
    six = np.array([[0.001, 3e7, 3e7, 6e7, 6e7 + 4, 6e7 + 8]], dtype=np.float32)
    for curves in (five, six):
        by_numpy = np.percentile(curves.astype(np.float64), risk.BAND_PERCENTS, axis=1)
        np.testing.assert_array_equal(risk.percentile_bands(curves), by_numpy)
