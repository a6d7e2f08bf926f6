"""Sensitivity and uncertainty: tornado, two-input maps and Monte Carlo, each one batch of the model.

Every what-if is a row of one `costs.batch`: the base scenario with some numeric inputs overridden.
"Never pays back within the horizon" is NaN in break-even arrays, as in `finance`.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd

from planner.model import costs, finance
from planner.schema.scenario import FIELD_BY_NAME, NUMBER_FIELDS, NumberField, Scenario

KEY_INPUTS = (
    "cameras",
    "analysed_fps",
    "hours_per_day",
    "bitrate_mbps",
    "uplink_per_gb",
    "ingest_per_gb",
    "inference_discount_percent",
    "storage_per_gb_month",
    "device_price",
    "device_throughput_ips",
    "install_per_device",
    "management_per_month",
    "electricity_per_kwh",
    "useful_life_months",
    "workload_growth_percent_per_year",
    "bandwidth_price_change_percent_per_year",
    "cloud_fee_change_percent_per_year",
    "inflation_percent_per_year",
    "discount_percent_per_year",
)
LINK_INPUTS = (  # in the tornado when set
    "link_allowance_gb",
    "link_upgrade_install",
    "link_upgrade_per_month",
    "link_upgrade_allowance_gb",
    "link_upgrade_per_gb",
)
INSTANCE_RATE = {
    "one_year": "instance_committed_per_hour",
    "three_year": "instance_committed_per_hour",
    "spot": "instance_spot_per_hour",
    "on_demand": "instance_per_hour",
}


# The inputs of the deployment lines (spares, support, labour, licences, storage requests): 0 unless a scenario
# sets them, so they join the tornado only where they cost something.
LINE_INPUTS = (
    "spares_percent",
    "hardware_support_per_device_year",
    "install_per_site",
    "truck_roll_per_visit",
    "licence_per_device_year",
    "licence_per_gpu_year",
    "storage_put_per_1000",
    "storage_get_per_1000",
    "retraining_gpu_hours_per_month",
    "retraining_per_gpu_hour",
    "labelling_per_image",
    "load_balancer_per_hour",
    "load_balancer_per_gb",
    "nat_gateway_per_hour",
    "nat_gateway_per_gb",
    "logging_per_gb",
)


# Choices the tornado sets to each of two options (low, high) whatever the scenario's own: the value kept at the
# horizon, none or the book value, moves the savings, the NPV and a break-even in the horizon's last month.
CHOICE_INPUTS = {"terminal_value": ("none", "book_value")}


def key_inputs(base: Scenario) -> tuple[str, ...]:
    """The tornado's inputs for a scenario: KEY_INPUTS, the deployment lines' inputs it sets (LINE_INPUTS above 0),
    the site line's allowance and upgrade when set, the tax rate when set (it moves the after-tax NPV only), on cloud
    GPU instances the hourly rate it pays and the instance throughput, and the CHOICE_INPUTS."""
    inputs = KEY_INPUTS + tuple(
        name for name in LINE_INPUTS + LINK_INPUTS + ("tax_rate_percent",) if getattr(base, name) > 0
    )
    if base.inference_pricing == "instances":
        inputs += (INSTANCE_RATE[base.instance_commitment], "instance_inferences_per_s")
    return inputs + tuple(CHOICE_INPUTS)


# The grid needs one horizon; the exchange rate only converts inputs (it enters no cost), so varying it means nothing.
VARIABLE_INPUTS = tuple(f.name for f in NUMBER_FIELDS if f.name not in ("horizon_months", "fx_rate"))
MAX_DRAWS = 200_000
MAX_GRID_CELLS = 250_000
# Memory of one Monte Carlo run: the savings curves are kept as float32 (draws × months × 4 bytes: 192 MB at
# the maximum of 200,000 draws × 240 months), draws are evaluated at most MAX_CHUNK_CELLS (draws × months)
# at a time, and percentiles are taken a few months at a time.
MAX_CHUNK_CELLS = 1_000_000
PERCENTILE_MONTHS_PER_BLOCK = 8
# At most this many simulations run at once in one server process, whichever sessions ask; another request
# waits up to SIMULATION_WAIT_S for a free slot, then gets a "busy" message.
MAX_CONCURRENT_SIMULATIONS = 2
SIMULATION_WAIT_S = 5.0
_simulation_slots = threading.BoundedSemaphore(MAX_CONCURRENT_SIMULATIONS)
PAYBACK_WITHIN_MONTHS = (12, 24, 36)


class RiskInputError(ValueError):
    """A what-if request that cannot be evaluated; the message is for a person."""


class SimulationBusy(RiskInputError):
    """Every simulation slot of the process is taken: try again shortly."""


def _spec(name: str) -> NumberField:
    spec = FIELD_BY_NAME.get(name)
    if not isinstance(spec, NumberField) or name not in VARIABLE_INPUTS:
        raise RiskInputError(f"{name!r} is not an input that can be varied")
    return spec


def _clip(name: str, values) -> np.ndarray:
    spec = _spec(name)
    values = np.clip(np.asarray(values, dtype=float), spec.min, spec.max)
    return np.round(values) if spec.integer else values


def evaluate(
    base: Scenario,
    overrides: dict[str, np.ndarray],
    view: str = "cash",
    keep_savings_curve: bool = False,
    choices: dict[str, np.ndarray] | None = None,
    carbon: bool = True,
    npv: bool = True,
) -> finance.Finance:
    """Finance of the base scenario with `overrides` (arrays of equal length n) and `choices` (arrays of options),
    in one batch; its emissions are `finance.carbon(result.costs, view)` (with `carbon`). What the caller reads is
    what is built: the savings curve with `keep_savings_curve`, the emissions lines with `carbon`, the NPV with
    `npv`."""
    b = costs.batch([base], choices, **{k: _clip(k, v) for k, v in overrides.items()})
    return finance.analyse(
        costs.evaluate(b, base.horizon_months, carbon=carbon),
        view,
        b["discount_percent_per_year"],
        keep_savings_curve,
        npv=npv,
    )


# ── Tornado ─────────────────────────────────────────────────────────────────────────────────────────
# Inputs whose usual value is 0 (± a percentage of 0 is 0): their swing in points at ±20 %, scaled with the
# percentage. Installation at 0 swings up to the same percentage of the device's price.
ZERO_SPANS_AT_20_PERCENT = {
    "workload_growth_percent_per_year": 20.0,
    "bandwidth_price_change_percent_per_year": 10.0,
    "cloud_fee_change_percent_per_year": 10.0,
    "inference_discount_percent": 10.0,
    "inflation_percent_per_year": 5.0,
}


def default_range(base: Scenario, name: str, percent: float) -> tuple[float, float]:
    """An input's tornado range: ± `percent` of its value, or an absolute span around 0 (see above)."""
    value = float(getattr(base, name))
    if value == 0 and name in ZERO_SPANS_AT_20_PERCENT:
        span = ZERO_SPANS_AT_20_PERCENT[name] * percent / 20
        return -span, span
    if value == 0 and name == "install_per_device":
        return 0.0, float(base.device_price) * percent / 100
    return value * (1 - percent / 100), value * (1 + percent / 100)


def tornado(
    base: Scenario,
    inputs=None,
    percent: float = 20.0,
    custom: dict[str, tuple[float, float]] | None = None,
    view: str = "cash",
) -> pd.DataFrame:
    """Break-even, savings, NPV of savings and emissions avoided (cloud − edge kg CO₂e over the horizon) at a
    low and a high value of each input, sorted by savings swing.

    `inputs` defaults to `key_inputs(base)`. Low/high are base × (1 ∓ percent/100), or `default_range`'s
    span for an input at 0, clipped to the field's bounds, unless `custom` gives them.
    """
    custom = custom or {}
    rows = []
    for name in key_inputs(base) if inputs is None else inputs:
        if name in CHOICE_INPUTS:  # its two options, as text
            rows.append((name, getattr(base, name), *CHOICE_INPUTS[name]))
            continue
        value = float(getattr(base, name))
        low, high = custom.get(name, default_range(base, name, percent))
        rows.append((name, value, *_clip(name, [low, high])))
    k = len(rows)
    varied = {name: np.full(2 * k, value, dtype=object if name in CHOICE_INPUTS else float) for name, value, *_ in rows}
    for i, (name, _, low, high) in enumerate(rows):
        varied[name][2 * i : 2 * i + 2] = (low, high)
    choices = {name: v for name, v in varied.items() if name in CHOICE_INPUTS}
    f = evaluate(base, {name: v for name, v in varied.items() if name not in choices}, view, choices=choices)
    be, savings, npv = (f.break_even_month.reshape(k, 2), f.savings_total.reshape(k, 2), f.npv_savings.reshape(k, 2))
    discount = varied.get("discount_percent_per_year", base.discount_percent_per_year)
    npv_after_tax = f.npv_after_tax(discount).reshape(k, 2)
    avoided = finance.carbon(f.costs, view, break_even=False).savings_total.reshape(k, 2)
    table = pd.DataFrame(
        {
            "input": [r[0] for r in rows],
            "label": [FIELD_BY_NAME[r[0]].label for r in rows],
            "unit": [FIELD_BY_NAME[r[0]].unit_for(base.currency) if r[0] not in CHOICE_INPUTS else "" for r in rows],
            "base": [r[1] for r in rows],
            "low": [r[2] for r in rows],
            "high": [r[3] for r in rows],
            "break_even_low": be[:, 0],
            "break_even_high": be[:, 1],
            "savings_low": savings[:, 0],
            "savings_high": savings[:, 1],
            "npv_low": npv[:, 0],
            "npv_high": npv[:, 1],
            "npv_after_tax_low": npv_after_tax[:, 0],  # the NPV itself without a tax rate
            "npv_after_tax_high": npv_after_tax[:, 1],
            "kgco2e_avoided_low": avoided[:, 0],
            "kgco2e_avoided_high": avoided[:, 1],
        }
    )
    table["swing"] = (table["savings_high"] - table["savings_low"]).abs()
    table["kgco2e_swing"] = (table["kgco2e_avoided_high"] - table["kgco2e_avoided_low"]).abs()
    return table.sort_values("swing", ascending=False, kind="stable").reset_index(drop=True)


def carbon_tornado_text(table: pd.DataFrame, most: int = 3) -> str:
    """'Emissions avoided over the horizon (cloud − edge) move most with Cameras (−1.2 → 3.4 t CO₂e), …'."""
    ranked = table[table["kgco2e_swing"] >= 0.5].sort_values("kgco2e_swing", ascending=False, kind="stable").head(most)
    if ranked.empty:
        return "No input moves the emissions avoided over these ranges."
    parts = [
        f"{row.label} ({row.kgco2e_avoided_low / 1000:,.1f} → {row.kgco2e_avoided_high / 1000:,.1f} t CO₂e)"
        for row in ranked.itertuples()
    ]
    return "Emissions avoided by the edge over the horizon (cloud − edge) move most with " + ", ".join(parts) + "."


# ── Two-input map ───────────────────────────────────────────────────────────────────────────────────
def grid_map(base: Scenario, x: str, x_values, y: str, y_values, view: str = "cash") -> tuple[np.ndarray, np.ndarray]:
    """Break-even months and savings over a grid: arrays (len(y_values), len(x_values))."""
    if x == y:
        raise RiskInputError("choose two different inputs")
    xs, ys = _clip(x, x_values), _clip(y, y_values)
    if xs.size * ys.size > MAX_GRID_CELLS:
        raise RiskInputError(f"{xs.size} × {ys.size} cells is more than {MAX_GRID_CELLS:,}")
    gx, gy = np.meshgrid(xs, ys)
    f = evaluate(base, {x: gx.ravel(), y: gy.ravel()}, view, carbon=False, npv=False)
    return f.break_even_month.reshape(gy.shape), f.savings_total.reshape(gy.shape)


# ── Monte Carlo ─────────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Distribution:
    """An uncertain input: fixed, uniform(low, high), triangular(low, likely, high) or
    lognormal(median = likely, sigma = spread of log values)."""

    kind: str
    low: float = 0.0
    likely: float = 0.0
    high: float = 0.0
    sigma: float = 0.25

    def check(self, name: str) -> None:
        spec = _spec(name)
        if self.kind not in ("fixed", "uniform", "triangular", "lognormal"):
            raise RiskInputError(f"{name}: unknown distribution {self.kind!r}")
        values = {
            "fixed": [self.likely],
            "uniform": [self.low, self.high],
            "triangular": [self.low, self.likely, self.high],
            "lognormal": [self.likely],
        }[self.kind]
        if not all(np.isfinite(values)) or any(v < spec.min or v > spec.max for v in values):
            raise RiskInputError(f"{name}: values must lie within {spec.min:g} to {spec.max:g} {spec.unit_for()}")
        if self.kind == "uniform" and self.low > self.high:
            raise RiskInputError(f"{name}: low is above high")
        if self.kind == "triangular" and not self.low <= self.likely <= self.high:
            raise RiskInputError(f"{name}: needs low ≤ likely ≤ high")
        if self.kind == "lognormal" and not (0 < self.sigma <= 3 and self.likely > 0):
            raise RiskInputError(f"{name}: lognormal needs a median > 0 and 0 < sigma ≤ 3")

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        if self.kind == "fixed" or (self.kind != "lognormal" and self.high == self.low):
            return np.full(n, self.likely if self.kind == "fixed" else self.low)
        from scipy import stats  # here: the app's first page and the command line need no SciPy

        width = self.high - self.low
        dist = {
            "uniform": lambda: stats.uniform(loc=self.low, scale=width),
            "triangular": lambda: stats.triang((self.likely - self.low) / width, loc=self.low, scale=width),
            "lognormal": lambda: stats.lognorm(s=self.sigma, scale=self.likely),
        }[self.kind]()
        return dist.rvs(size=n, random_state=rng)


@dataclass(frozen=True)
class MonteCarlo:
    draws: int
    seed: int
    horizon: int
    break_even: np.ndarray  # (draws,) months; NaN = not within the horizon
    savings_total: np.ndarray  # (draws,)
    bands: np.ndarray  # (3, horizon): P10, P50, P90 of cumulative savings at each month's end
    kgco2e_avoided: np.ndarray | None = None  # (draws,) cloud − edge emissions over the horizon [kg CO₂e]
    carbon_break_even: np.ndarray | None = None  # (draws,) months; NaN = not within the horizon

    @property
    def never_share(self) -> float:
        return float(np.isnan(self.break_even).mean())

    def probability_within(self, months: float) -> float:
        """Share of futures in which the edge pays back within `months` (never counts as no)."""
        return float(np.mean(np.nan_to_num(self.break_even, nan=np.inf) <= months))

    def headline(self) -> str:
        """'The edge pays back within 12 months in 87% of 10,000 simulated futures'."""
        months = min((m for m in PAYBACK_WITHIN_MONTHS if m <= self.horizon), default=self.horizon)
        return (
            f"The edge pays back within {months} months in {share_text(self.probability_within(months))} of "
            f"{self.draws:,} simulated futures"
        )

    def carbon_headline(self) -> str:
        """'The edge emits less than the cloud over 36 months in 62% of 10,000 simulated futures (median
        avoided 12.3 t CO₂e; its devices' emissions paid back within the horizon in 58%)'."""
        avoided = self.kgco2e_avoided
        paid = float(np.mean(~np.isnan(self.carbon_break_even)))
        return (
            f"The edge emits less than the cloud over {self.horizon} months in "
            f"{share_text(float(np.mean(avoided > 0)))} of {self.draws:,} simulated futures (median avoided "
            f"{np.median(avoided) / 1000:,.1f} t CO₂e; its devices' embodied emissions paid back within the "
            f"horizon in {share_text(paid)})"
        )


def share_text(p: float) -> str:
    """'87%'; a rare outcome is never rounded away: '<1%', '>99%'."""
    if p <= 0 or p >= 1:
        return f"{p:.0%}"
    return "<1%" if p <= 0.005 else ">99%" if p >= 0.995 else f"{p:.0%}"  # 0.005 would print "0%"


def monte_carlo(
    base: Scenario,
    distributions: dict[str, Distribution],
    draws: int = 10_000,
    seed: int = 0,
    view: str = "cash",
    chunk: int = 25_000,
    progress: Callable[[float], None] | None = None,
) -> MonteCarlo:
    """Sample every uncertain input, evaluate all draws, summarise. Same inputs and seed → same figures.

    Inputs are drawn in schema order from one seeded generator; samples are clipped to each field's
    bounds. Evaluation runs in chunks (for a progress indicator and bounded memory); chunking does not
    change results. Raises SimulationBusy when MAX_CONCURRENT_SIMULATIONS runs are already going.
    """
    if not 1 <= draws <= MAX_DRAWS:
        raise RiskInputError(f"draws must be between 1 and {MAX_DRAWS:,}, not {draws:,}")
    for name, dist in distributions.items():
        dist.check(name)
    if not _simulation_slots.acquire(timeout=SIMULATION_WAIT_S):
        raise SimulationBusy(
            f"The server is busy with {MAX_CONCURRENT_SIMULATIONS} other simulations: try again in a moment."
        )
    try:
        return _simulate(base, distributions, draws, seed, view, chunk, progress)
    finally:
        _simulation_slots.release()


def _simulate(
    base: Scenario,
    distributions: dict[str, Distribution],
    draws: int,
    seed: int,
    view: str,
    chunk: int,
    progress: Callable[[float], None] | None,
) -> MonteCarlo:
    horizon = base.horizon_months
    chunk = max(1, min(chunk, MAX_CHUNK_CELLS // horizon))
    rng = np.random.default_rng(seed)
    samples = {name: distributions[name].sample(draws, rng) for name in VARIABLE_INPUTS if name in distributions}
    be, savings, avoided, carbon_be = [], [], [], []
    curves = np.empty((horizon, draws), dtype=np.float32)  # months × draws: quantiles along contiguous rows
    for start in range(0, draws, chunk):
        part = {k: v[start : start + chunk] for k, v in samples.items()}
        if not part:
            part = {"cameras": np.full(min(chunk, draws - start), base.cameras)}
        f = evaluate(base, part, view, keep_savings_curve=True, npv=False)  # no NPV: not summarised
        be.append(f.break_even_month)
        savings.append(f.savings_total)
        kg = finance.carbon(f.costs, view)
        avoided.append(kg.savings_total)
        carbon_be.append(kg.break_even_month)
        curves[:, start : start + chunk] = f.savings_curve.T
        del f  # free this chunk's grids before the next is built
        if progress:
            progress(min(1.0, (start + chunk) / draws))
    return MonteCarlo(
        draws,
        seed,
        horizon,
        np.concatenate(be),
        np.concatenate(savings),
        percentile_bands(curves),
        np.concatenate(avoided),
        np.concatenate(carbon_be),
    )


BAND_PERCENTS = (10, 50, 90)


def percentile_bands(curves: np.ndarray) -> np.ndarray:
    """(3, months) P10, P50, P90 of float32 curves (months, draws) along the draws: np.percentile's figures (its
    linear method, in float64), PERCENTILE_MONTHS_PER_BLOCK months at a time. The two order statistics each
    percentile interpolates between are selected on the float32 values (each is exactly a float64) rather than on a
    float64 copy, and interpolated as np.percentile does ((draws − 1) × q, its `_lerp`); a block with a NaN is left
    to np.percentile."""
    months, draws = curves.shape
    virtual = (draws - 1) * (np.asarray(BAND_PERCENTS, dtype=float) / 100)
    below = np.floor(virtual)
    gamma = (virtual - below)[:, None]
    below = below.astype(int)
    above = np.where(virtual >= draws - 1, draws - 1, below + 1)
    below = np.where(virtual >= draws - 1, draws - 1, below)
    picked = np.unique(np.concatenate((below, above)))
    bands = np.empty((len(BAND_PERCENTS), months))
    for m in range(0, months, PERCENTILE_MONTHS_PER_BLOCK):
        block = curves[m : m + PERCENTILE_MONTHS_PER_BLOCK]
        if np.isnan(block).any():
            bands[:, m : m + len(block)] = np.percentile(block.astype(np.float64), BAND_PERCENTS, axis=1)
            continue
        block = np.partition(block, picked, axis=1)
        low, high = block[:, below].T.astype(np.float64), block[:, above].T.astype(np.float64)
        step = high - low
        lerp = low + step * gamma
        np.subtract(high, step * (1 - gamma), out=lerp, where=gamma >= 0.5)
        bands[:, m : m + len(block)] = lerp
    return bands


def break_even_histogram(result: MonteCarlo, bins: int = 24) -> pd.DataFrame:
    """Counts of break-even month per bin, plus a final 'never' row."""
    paid = result.break_even[~np.isnan(result.break_even)]
    edges = np.linspace(0, result.horizon, bins + 1)
    counts, _ = np.histogram(paid, bins=edges)
    table = pd.DataFrame({"from_month": edges[:-1], "to_month": edges[1:], "draws": counts})
    never = pd.DataFrame(
        {"from_month": [np.nan], "to_month": [np.nan], "draws": [int(np.isnan(result.break_even).sum())]}
    )
    return pd.concat([table, never], ignore_index=True)
