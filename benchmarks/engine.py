"""Engine speed: `make bench`. Prints `name: value` lines; nothing is asserted.

engine_100k_x_60_s   best-of-N seconds to evaluate 100,000 varied scenarios × 60 months: every cost
                     component of both sides, their totals, and the finance metrics (cash view), and every
                     carbon line with the carbon totals and the carbon break-even
numpy_floor_s        in the same run, twenty plain numpy multiply-add passes over a 100,000 × 60
                     float64 grid: about what streaming that grid through memory twenty times costs
engine_over_floor    their ratio (goal ≤ 1.0)
engine_varied_rates_100k_x_60_s   the same with growth and price-change rates varying per scenario
                     (every per-month profile becomes a full grid), and its ratio to the floor
montecarlo_100k_x_60_s   100,000 Monte Carlo draws × 60 months, from sampling to the break-even
                     distribution and percentile bands (goal ≤ 2 × numpy_floor_s), and its ratio
montecarlo_peak_200k_x_240_mb   peak memory allocated by one Monte Carlo run at the documented maximum
                     (200,000 draws × 240 months), as traced by tracemalloc (numpy reports its arrays to it)
cheapest_cloud_s     best-of-5 seconds to cost every cloud design of the retail preset (each pricing, commitment,
                     upfront, billing, upload and catalog region: one batch) and pick the cheapest the default
                     uplink carries (`report.cloud_designs`); goal: within one redraw of the Costs page
cheapest_cloud_10k_sites_s   best-of-3 seconds to find the cheapest cloud design each site's uplink carries over
                     the 10,000-row inventory (below) over 120 months: every design of its base set on every row
                     whose link carries it, the rows stacked in batches (`designs.cheapest_per_row`, what a fleet
                     with the cloud side `cheapest` prices its plans and its money vote with, here for every row)
xlsx_write_s         best-of-3 seconds to write the live-formula workbook of one 240-month scenario
                     (smart-city preset, 10 %/year growth: every helper column changes month by month)
python_loop_100k_s   a plain per-scenario Python loop over the same work, timed on a sample and scaled
speedup_over_loop    python_loop_100k_s / engine_100k_x_60_s
batch_equals_loop    on a sample of the timed batches' scenarios (both batches), whether the per-scenario
                     loop gives the same figures (break-even, payback, totals, capex, NPV) as the batch
                     that was timed, and the largest relative difference
plan_save_s, plan_open_s   median of 50 saves (each a new revision of one plan) and of 50 opens (read and
                     validated) of a fleet plan of 500 varied site rows (the inventory below), in a fresh
                     SQLite database
plan_scenario_save_s, plan_scenario_open_s   the same for the largest scenario plan: a scenario with the
                     advisor's answers and a full comparison set of 8 scenarios
fleet_100k_sites_x_120_s  best-of-N seconds to evaluate a 100,000-row site inventory over 120 programme months:
                     every site's costs, its placement by the advisor's rules and its sized devices, the
                     go-live shifts and counts, and the three plans' figures (`fleet_programme.evaluate`)
fleet_numpy_floor_s  in the same run, the floor's twenty multiply-add passes over a 100,000 × 120 grid
fleet_over_floor     their ratio (goal ≤ 2.0 before the fair comparison: see fleet_over_work_floor)
fleet_design_pairs   the (design, row) pairs the cheapest-feasible-design search costs in that evaluation: a row
                     whose link cannot carry its own design is costed under each design its link, or an upgrade,
                     carries (`designs.cheapest_per_row`; dominated and alike pairs skipped), each a scenario × 120
                     months
fleet_work_floor_s   the floor scaled to the work: fleet_numpy_floor_s × (rows + pairs) / rows, the same twenty passes
                     over every row's and every searched pair's 120 months (linear in rows: scaled, not run, as
                     1.5 million rows × 120 months × 3 grids would not fit in memory)
fleet_over_work_floor   fleet_100k_sites_x_120_s over it (goal ≤ 2.0)
fleet_peak_mb        peak memory allocated by one such evaluation (tracemalloc)
fleet_1k_sites_s, fleet_10k_sites_s   the same at 1,000 and 10,000 rows: growth is linear
fleet_catalog_10k_sites_x_120_s   the 10,000-row inventory with every row's `device` = catalog: the advisor's
                     device search per site (one batch per catalog device), then the fleet as above
Then each figure against the last recorded on this machine kind (benchmarks/baseline.py).
Only the fleet lines: `python -m benchmarks.engine fleet`; only the plan lines: `python -m benchmarks.engine plans`;
only the cheapest-cloud lines: `python -m benchmarks.engine cheapest`.
"""

from __future__ import annotations

import sys
import time
import tracemalloc

import numpy as np
import pandas as pd

from benchmarks import baseline
from planner.catalogs import catalog
from planner.exports import workbook
from planner.exports.report import analyse_one, cloud_designs
from planner.fleet import devices as fleet_devices
from planner.fleet import inventory as fleet_inventory
from planner.fleet import programme as fleet_programme
from planner.model import allocator, costs, designs, finance, risk
from planner.schema.scenario import replace

N, MONTHS, REPEATS = 100_000, 60, 5


def best_of(fn, repeats: int = REPEATS) -> float:
    best = float("inf")
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def varied_batch(n: int, seed: int = 0, varied_rates: bool = False) -> costs.Batch:
    """n what-ifs around the retail preset with 10% yearly growth and a falling bandwidth price.

    Per-scenario amounts (cameras, fps, bitrate, prices) always vary; with `varied_rates` the yearly
    rates (growth, bandwidth price change) vary per scenario too, so no per-month profile is shared.
    """
    rng = np.random.default_rng(seed)
    rates = dict(
        workload_growth_percent_per_year=rng.uniform(0, 30, n) if varied_rates else 10,
        bandwidth_price_change_percent_per_year=rng.uniform(-20, 5, n) if varied_rates else -10,
    )
    return costs.batch(
        [catalog.preset("retail")],
        cameras=rng.integers(1, 200, n),
        analysed_fps=rng.uniform(0.1, 2, n),
        bitrate_mbps=rng.uniform(1, 8, n),
        uplink_per_gb=rng.uniform(0, 0.5, n),
        device_price=rng.uniform(250, 5000, n),
        electricity_per_kwh=rng.uniform(0.08, 0.4, n),
        horizon_months=np.full(n, MONTHS),
        **rates,
    )


def run_engine(b: costs.Batch) -> tuple[finance.Finance, finance.Carbon]:
    evaluated = costs.evaluate(b, MONTHS)
    return finance.analyse(evaluated, "cash", b["discount_percent_per_year"]), finance.carbon(evaluated, "cash")


def run_monte_carlo(draws: int = N, months: int = MONTHS) -> risk.MonteCarlo:
    """Sampling, evaluation, break-even distribution and P10/P50/P90 bands for the retail preset."""
    base = replace(catalog.preset("retail"), horizon_months=months)
    D = risk.Distribution
    return risk.monte_carlo(
        base,
        {
            "cameras": D("triangular", 20, 50, 90),
            "analysed_fps": D("uniform", low=0.2, high=1.0),
            "uplink_per_gb": D("lognormal", likely=0.01, sigma=0.5),
            "device_price": D("triangular", 1500, 2000, 4000),
            "electricity_per_kwh": D("uniform", low=0.08, high=0.3),
            "workload_growth_percent_per_year": D("triangular", 0, 10, 40),
        },
        draws=draws,
        seed=7,
    )


def monte_carlo_peak_mb(draws: int = risk.MAX_DRAWS, months: int = 240) -> float:
    """Peak memory allocated while one Monte Carlo run of `draws` × `months` is going, in MB."""
    tracemalloc.start()
    try:
        run_monte_carlo(draws, months)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def numpy_floor() -> None:
    a, x, y = np.ones((N, MONTHS)), np.full((N, MONTHS), 1.0001), np.zeros((N, MONTHS))
    for _ in range(20):
        np.multiply(a, x, out=y)
        np.add(y, a, out=y)


def python_loop(b: costs.Batch, rows: int) -> None:
    """The same model one scenario at a time (the batch machinery on 1-row slices)."""
    for i in range(rows):
        one = costs.Batch(1, {k: v[i : i + 1] for k, v in b.columns.items()}, b.inference_tiers, b.egress_tiers)
        run_engine(one)


FIGURES = ("break_even_month", "payback_months", "cloud_total", "edge_total", "capex_total", "npv_savings")
CARBON_FIGURES = ("break_even_month", "cloud_total", "edge_total")


def loop_difference(b: costs.Batch, timed: tuple[finance.Finance, finance.Carbon], rows: np.ndarray) -> float:
    """Largest relative difference between the timed batch's figures (money and carbon) and the same scenarios
    run one at a time, over `rows`; inf when one says "never pays back" (NaN) and the other does not."""
    worst = 0.0
    pairs = [(0, name) for name in FIGURES] + [(1, name) for name in CARBON_FIGURES]
    for i in rows:
        one = run_engine(
            costs.Batch(1, {k: v[i : i + 1] for k, v in b.columns.items()}, b.inference_tiers, b.egress_tiers)
        )
        for part, name in pairs:
            batch_value, loop_value = getattr(timed[part], name)[i], getattr(one[part], name)[0]
            if np.isnan(batch_value) or np.isnan(loop_value):
                worst = max(worst, 0.0 if np.isnan(batch_value) and np.isnan(loop_value) else np.inf)
            else:
                worst = max(worst, abs(batch_value - loop_value) / max(abs(loop_value), 1.0))
    return worst


def xlsx_write_s(months: int = 240) -> float:
    scenario = replace(catalog.preset("smart_city"), horizon_months=months, workload_growth_percent_per_year=10)
    analysis = analyse_one(scenario)
    return best_of(lambda: workbook.workbook_bytes(analysis), 3)


FLEET_ROWS, FLEET_MONTHS = 100_000, 120


def cheapest_cloud_line() -> None:
    retail = catalog.preset("retail")
    cloud_designs(retail)  # warm up (catalog read, numpy paths)
    print(f"cheapest_cloud_s: {best_of(lambda: cloud_designs(retail)):.4f}")
    print(f"cheapest_cloud_10k_sites_s: {cheapest_per_site_s(varied_fleet(10_000)):.3f}")


def cheapest_per_site_s(f: fleet_inventory.Fleet) -> float:
    """Best-of-3 seconds of the cheapest cloud design of every row of a fleet (its batch's columns built once)."""
    rowwise = fleet_devices.row_inputs(f)
    columns = fleet_devices.with_devices(f, fleet_devices.choose_devices(f, rowwise), rowwise)
    link = rowwise.answer("uplink_mbps")
    designs.cheapest_per_row(f.base, *columns, link)  # warm up (the base's designs are built once)
    return best_of(lambda: designs.cheapest_per_row(f.base, *columns, link), 3)


def varied_fleet(rows: int, seed: int = 0, device: str = "") -> fleet_inventory.Fleet:
    """A varied inventory around the retail preset: sizes, links, privacy, waves over two years, counts; with
    `device`, a `device` column of it in every row (without, none: the rows' own device fields)."""
    rng = np.random.default_rng(seed)
    table = {
        "site": [f"site {i}" for i in range(rows)],
        "count": rng.integers(1, 41, rows),
        "go_live_month": rng.integers(0, 24, rows),
        "cameras": rng.integers(4, 120, rows),
        "analysed_fps": rng.uniform(0.1, 2, rows).round(2),
        "bitrate_mbps": rng.uniform(1, 8, rows).round(1),
        "uplink_per_gb": rng.choice([0, 0.01, 2.0], rows),
        "device_sizing": np.full(rows, "auto"),
        "device_throughput_ips": rng.choice([50, 100, 286], rows),
        "electricity_per_kwh": rng.uniform(0.08, 0.4, rows).round(3),
        "connectivity": rng.choice(["fiber", "broadband", "metered_5g"], rows),
        "privacy": rng.choice(["none", "anonymisable", "on_site"], rows, p=[0.4, 0.5, 0.1]),
        "uplink_mbps": rng.choice([20, 100, 1000], rows),
        "response_ms": rng.choice([100, 500, 2000], rows),
        "pin": rng.choice(["", "", "", "cloud"], rows),
    } | ({"device": np.full(rows, device)} if device else {})
    frame = pd.DataFrame({k: np.asarray(v).astype(str) for k, v in table.items()}).replace({"pin": {"": ""}})
    return fleet_inventory.make_fleet(frame, catalog.preset("retail"), months=FLEET_MONTHS)


def fleet_floor(rows: int = FLEET_ROWS) -> None:
    a, x, y = np.ones((rows, FLEET_MONTHS)), np.full((rows, FLEET_MONTHS), 1.0001), np.zeros((rows, FLEET_MONTHS))
    for _ in range(20):
        np.multiply(a, x, out=y)
        np.add(y, a, out=y)


def fleet_peak_mb(f: fleet_inventory.Fleet) -> float:
    tracemalloc.start()
    try:
        fleet_programme.evaluate(f)
        return tracemalloc.get_traced_memory()[1] / 1e6
    finally:
        tracemalloc.stop()


def fleet_lines() -> None:
    big = varied_fleet(FLEET_ROWS)
    assert not big.inventory.errors, big.inventory.errors[:3]
    found = fleet_programme.evaluate(big).cloud_design  # warm up
    pairs = found.pairs_costed if found is not None else 0
    seconds = best_of(lambda: fleet_programme.evaluate(big), 3)
    floor = best_of(fleet_floor, 3)
    work_floor = floor * (FLEET_ROWS + pairs) / FLEET_ROWS
    print(f"fleet_100k_sites_x_120_s: {seconds:.3f}")
    print(f"fleet_numpy_floor_s: {floor:.3f}")
    print(f"fleet_over_floor: {seconds / floor:.2f}")
    print(f"fleet_design_pairs: {pairs}")
    print(f"fleet_work_floor_s: {work_floor:.3f}")
    print(f"fleet_over_work_floor: {seconds / work_floor:.2f}")
    print(f"fleet_peak_mb: {fleet_peak_mb(big):.0f}")
    for rows, label in ((1_000, "1k"), (10_000, "10k")):
        small = varied_fleet(rows)
        print(f"fleet_{label}_sites_s: {best_of(lambda: fleet_programme.evaluate(small)):.4f}")
    searched = varied_fleet(10_000, device=fleet_inventory.DEVICE_SEARCH)
    print(f"fleet_catalog_10k_sites_x_120_s: {best_of(lambda: fleet_programme.evaluate(searched)):.4f}")


def main() -> None:
    b = varied_batch(N)
    run_engine(b)  # warm up
    timed: dict[str, tuple[finance.Finance, finance.Carbon]] = {}
    engine = best_of(lambda: timed.update(shared=run_engine(b)))
    floor = best_of(numpy_floor)
    sample = 500
    loop = best_of(lambda: python_loop(b, sample), 2) * N / sample
    varied = varied_batch(N, varied_rates=True)
    engine_varied = best_of(lambda: timed.update(varied=run_engine(varied)))
    checked = np.random.default_rng(1).choice(N, 200, replace=False)
    difference = max(loop_difference(b, timed["shared"], checked), loop_difference(varied, timed["varied"], checked))
    print(f"engine_100k_x_60_s: {engine:.3f}")
    print(f"numpy_floor_s: {floor:.3f}")
    print(f"engine_over_floor: {engine / floor:.2f}")
    print(f"engine_varied_rates_100k_x_60_s: {engine_varied:.3f}")
    print(f"engine_varied_rates_over_floor: {engine_varied / floor:.2f}")
    montecarlo = best_of(run_monte_carlo, 3)
    print(f"montecarlo_100k_x_60_s: {montecarlo:.3f}")
    print(f"montecarlo_over_floor: {montecarlo / floor:.2f}")
    print(f"montecarlo_peak_200k_x_240_mb: {monte_carlo_peak_mb():.0f}")
    cheapest_cloud_line()
    print(f"xlsx_write_s: {xlsx_write_s():.3f}")
    print(f"python_loop_100k_s: {loop:.1f}")
    print(f"speedup_over_loop: {loop / engine:.0f}")
    print(
        f"batch_equals_loop: {'yes' if difference <= 1e-9 else 'NO'}  "
        f"({2 * len(checked)} scenarios, largest relative difference {difference:.1e})"
    )
    plans_benchmark()
    fleet_lines()


def plans_benchmark(runs: int = 50) -> None:
    """plan_save_s and plan_open_s on SQLite (the default database), in a temporary directory."""
    from planner.advice import advisor
    from planner.plans.workspace import MAX_COMPARED, Workspace, of_fleet

    presets = list(catalog.presets().values())
    scenario_work = Workspace(
        presets[0],
        view="accounting",
        advisor=advisor.answers().model_dump(),
        comparison=tuple(replace(presets[i % len(presets)], cameras=10 + i) for i in range(MAX_COMPARED)),
    )
    fleet_work = of_fleet(varied_fleet(500))
    assert not fleet_work.fleet.inventory.errors
    for label, work in (("plan", fleet_work), ("plan_scenario", scenario_work)):
        saves, opens = save_and_open(work, runs)
        print(f"{label}_save_s: {saves:.4f}")
        print(f"{label}_open_s: {opens:.4f}")


def save_and_open(work, runs: int) -> tuple[float, float]:
    """Median seconds of `runs` saves (each a new revision) and opens of one plan, in a fresh SQLite file."""
    import statistics
    import tempfile
    from pathlib import Path

    from planner.plans.store import Store

    with tempfile.TemporaryDirectory() as directory:
        db = Store(f"sqlite:///{Path(directory) / 'plans.sqlite3'}")
        plan = db.save(work, "Benchmark").plan_id
        saves, opens = [], []
        for _ in range(runs):
            t0 = time.perf_counter()
            db.save(work, "Benchmark", plan_id=plan)
            saves.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            opened = db.open(plan)
            opens.append(time.perf_counter() - t0)
        assert opened.workspace == work
        db.close()
    return statistics.median(saves), statistics.median(opens)


if __name__ == "__main__":
    allocator.keep_freed_arrays()  # as the app and the command line do
    with baseline.compared("engine"):
        {"fleet": fleet_lines, "plans": plans_benchmark, "cheapest": cheapest_cloud_line}.get(
            " ".join(sys.argv[1:]), main
        )()
