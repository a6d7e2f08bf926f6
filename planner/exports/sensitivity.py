"""What-ifs around one scenario, ready to show and export (pure: no Streamlit).

`planner.model.risk` evaluates; this module prepares its inputs and reads its results: the inputs a what-if may
vary, default map ranges and Monte Carlo distributions, custom tornado ranges, the tornado's order, and the
tornado, map and Monte Carlo tables and CSVs. The Sensitivity page lays these out; a script can use them
without Streamlit. "Never pays back within the horizon" (NaN from `planner.model.risk`) is 'never' in CSVs and
'never within N months' in display tables.
"""

from __future__ import annotations

import io
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd

from planner.exports.report import sources
from planner.model import risk
from planner.model.finance import Finance
from planner.schema.format import (
    RESULTS,
    break_even_short,
    break_even_value_text,
    input_value_text,
    money,
    number_text,
    result_name,
    result_unit,
)
from planner.schema.safe_csv import frame_rows, write_csv_rows
from planner.schema.scenario import FIELD_BY_NAME, Scenario, applies, condition_text

INPUT_ORDER = risk.KEY_INPUTS + tuple(n for n in risk.VARIABLE_INPUTS if n not in risk.KEY_INPUTS)
MAP_SPREAD, MC_SPREAD = 0.5, 0.3  # default map range ±50 %, default triangular ±30 % of the current value
MC_DEFAULT_INPUTS, MC_MAX_INPUTS = 4, 12


# ── Values and defaults ────────────────────────────────────────────────────────────────────────────
def input_label(name: str, currency: str = "USD") -> str:
    """'Stream bitrate (Mbps)'; the unit is left out where the label says it already ('Cameras')."""
    spec = FIELD_BY_NAME[name]
    unit = spec.unit_for(currency)
    return spec.label if unit in ("", "×") or unit.lower() in spec.label.lower() else f"{spec.label} ({unit})"


def value_with_unit(name: str, value: float, currency: str = "USD") -> str:
    return f"{number_text(value)} {FIELD_BY_NAME[name].unit_for(currency)}".rstrip()


def _round(value: float, digits: int = 4) -> float:
    """To `digits` significant digits: defaults a person would type, not 0.006999999."""
    return float(f"{value:.{digits}g}")


def clip(name: str, value: float) -> float:
    """Within the input's bounds, a whole number for integer inputs."""
    spec = FIELD_BY_NAME[name]
    value = min(max(float(value), spec.min), spec.max)
    return float(round(value)) if spec.integer else value


def default_range(name: str, value: float) -> tuple[float, float]:
    """The map's default axis range: ±50 % of the current value, clipped to the input's bounds. An input
    at 0 gets a tenth of its allowed range either side of 0 (within bounds)."""
    spec = FIELD_BY_NAME[name]
    if value:
        ends = (clip(name, _round(value * (1 - MAP_SPREAD))), clip(name, _round(value * (1 + MAP_SPREAD))))
    else:
        tenth = _round((spec.max - spec.min) / 10)
        ends = (clip(name, -tenth), clip(name, tenth))
    low, high = sorted(ends)
    return (low, high) if low < high else (float(spec.min), float(spec.max))


def axis_values(name: str, low: float, high: float, points: int) -> np.ndarray:
    """`points` values from low to high; whole and distinct for integer inputs (cameras)."""
    values = np.linspace(low, high, points)
    return np.unique(np.round(values)) if FIELD_BY_NAME[name].integer else values


def default_distribution(name: str, value: float) -> risk.Distribution:
    """Triangular ±30 % around the current value (clipped to bounds). At 0: a yearly change gets ±10
    percentage points, anything else stays fixed at 0 (no relative spread exists)."""
    spec = FIELD_BY_NAME[name]
    value = float(value)
    if value:
        low, high = sorted((clip(name, _round(value * (1 - MC_SPREAD))), clip(name, _round(value * (1 + MC_SPREAD)))))
        return risk.Distribution("triangular", min(low, value), value, max(high, value))
    if spec.unit.startswith("%/") and spec.min < 0:
        return risk.Distribution("triangular", clip(name, -10), 0.0, clip(name, 10))
    return risk.Distribution("fixed", 0.0, 0.0, 0.0)


def distribution_text(name: str, d: risk.Distribution, currency: str = "USD") -> str:
    """'Cameras: triangular 35 / 50 / 65 cameras'."""
    unit = FIELD_BY_NAME[name].unit_for(currency)
    values = {
        "fixed": f"{number_text(d.likely)}",
        "uniform": f"{number_text(d.low)} to {number_text(d.high)}",
        "triangular": f"{number_text(d.low)} / {number_text(d.likely)} / {number_text(d.high)}",
        "lognormal": f"median {number_text(d.likely)}, sigma {d.sigma:g}",
    }[d.kind]
    return f"{FIELD_BY_NAME[name].label}: {d.kind} {values} {unit}".rstrip()


def relevance_note(name: str, scenario: Scenario) -> str | None:
    """Why an input cannot move this scenario's results ('used when … is …'), or None."""
    if applies(scenario, name):
        return None
    return f"{FIELD_BY_NAME[name].label} has no effect here: it is used when {condition_text(scenario, name)}."


# ── Tornado ────────────────────────────────────────────────────────────────────────────────────────
def custom_frame(scenario: Scenario) -> pd.DataFrame:
    """The editor of custom low/high values: one row per key input, Low and High blank (= ± percentage)."""
    cur = scenario.currency
    return pd.DataFrame(
        {
            "input": list(risk.KEY_INPUTS),
            "Input": [FIELD_BY_NAME[n].label for n in risk.KEY_INPUTS],
            "Unit": [FIELD_BY_NAME[n].unit_for(cur) for n in risk.KEY_INPUTS],
            "Current": [number_text(getattr(scenario, n)) for n in risk.KEY_INPUTS],
            "Low": np.full(len(risk.KEY_INPUTS), np.nan),
            "High": np.full(len(risk.KEY_INPUTS), np.nan),
        }
    )


def custom_ranges(edited: pd.DataFrame, scenario: Scenario, percent: float) -> tuple[tuple, list[str]]:
    """((input, low, high), …) for rows with a Low or a High (a blank side keeps ± percent), and notes on
    values outside an input's bounds (the model clips them)."""
    ranges, notes = [], []
    for row in edited.itertuples():
        given = {side: getattr(row, side) for side in ("Low", "High")}
        if all(v is None or pd.isna(v) for v in given.values()):
            continue
        spec, base = FIELD_BY_NAME[row.input], float(getattr(scenario, row.input))
        low = float(given["Low"]) if pd.notna(given["Low"]) else base * (1 - percent / 100)
        high = float(given["High"]) if pd.notna(given["High"]) else base * (1 + percent / 100)
        for v in (low, high):
            if not spec.min <= v <= spec.max:
                notes.append(
                    f"{spec.label}: {number_text(v)} is outside {number_text(spec.min)} to "
                    f"{number_text(spec.max)} {spec.unit_for(scenario.currency)}; the nearest bound is used."
                )
        ranges.append((row.input, low, high))
    return tuple(ranges), notes


FINANCE_OF = {"savings": "savings_total", "npv": "npv_savings", "break_even": "break_even_month"}  # RESULTS in Finance


def current_result(f: Finance, metric: str, discount_percent_per_year: float = 0.0) -> float:
    """The one-scenario finance `f`'s value of `metric`, one of RESULTS (a break-even of NaN: never); the NPV after
    tax at the scenario's `discount_percent_per_year`."""
    if metric == "npv_after_tax":
        return float(f.npv_after_tax(discount_percent_per_year)[0])
    return float(getattr(f, FINANCE_OF[metric])[0])


def results_offered(scenario: Scenario) -> dict[str, str]:
    """The tornado's results for a scenario: RESULTS, the NPV after tax only where a tax rate is set."""
    return {k: v for k, v in RESULTS.items() if k != "npv_after_tax" or scenario.tax_rate_percent > 0}


def result_in_sentence(result: str) -> str:
    """'savings', 'NPV of savings', 'break-even': a result's name inside a sentence."""
    name = RESULTS[result]
    return name if name[:2].isupper() else name.lower()


def tornado_order(table: pd.DataFrame, metric: str, horizon: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows whose low or high value moves `metric` (one of RESULTS), largest swing first (a break-even
    that never comes counts as the horizon; money moves by a cent or more), and the rows that move nothing."""
    if metric == "break_even":
        swing = (table["break_even_high"].fillna(horizon) - table["break_even_low"].fillna(horizon)).abs()
        moves = swing > 1e-6
    else:
        swing = (table[f"{metric}_high"] - table[f"{metric}_low"]).abs()
        moves = swing >= 0.005
    shown = table.assign(_swing=swing)[moves].sort_values("_swing", ascending=False, kind="stable")
    return shown.drop(columns="_swing").reset_index(drop=True), table[~moves].reset_index(drop=True)


def default_map_inputs(table: pd.DataFrame, horizon: int) -> tuple[str, str]:
    """The map's default axes: the two inputs of the tornado `table` with the largest savings swing (cameras
    and device price when fewer than two move the savings)."""
    ranked = [n for n in tornado_order(table, "savings", horizon)[0]["input"] if n in risk.VARIABLE_INPUTS]
    first, second = list(dict.fromkeys([*ranked, "cameras", "device_price"]))[:2]
    return first, second


def default_uncertain_inputs(table: pd.DataFrame, scenario: Scenario) -> list[str]:
    """The Monte Carlo's default inputs: the MC_DEFAULT_INPUTS of the tornado `table` with the largest savings
    swing, leaving out inputs at 0 (a relative spread of 0 is no uncertainty)."""
    ranked = tornado_order(table, "savings", scenario.horizon_months)[0]["input"]
    return [n for n in ranked if n in risk.VARIABLE_INPUTS and getattr(scenario, n)][:MC_DEFAULT_INPUTS]


MONEY_COLUMNS = {"savings": "Savings", "npv": "NPV", "npv_after_tax": "NPV after tax"}  # by chosen output


def tornado_display(table: pd.DataFrame, horizon: int, currency: str, output: str = "savings") -> pd.DataFrame:
    """The tornado as text a reader can scan: ranges with units, the money result at low and high and its
    swing (NPV of savings when that is the chosen `output`, else savings), break-even ('never within …')."""

    def be(v):
        return break_even_value_text(v, horizon)

    key = output if output in MONEY_COLUMNS else "savings"
    name = MONEY_COLUMNS[key]
    return pd.DataFrame(
        {
            "Input": table["label"],
            "Low → high": [
                f"{input_value_text(n, lo)} → {input_value_text(n, hi)} {u}".rstrip()
                for n, lo, hi, u in zip(table["input"], table["low"], table["high"], table["unit"])
            ],
            f"{name} at low": [money(v, currency) for v in table[f"{key}_low"]],
            f"{name} at high": [money(v, currency) for v in table[f"{key}_high"]],
            f"{name} swing": [money(v, currency) for v in (table[f"{key}_high"] - table[f"{key}_low"]).abs()],
            "Break-even at low": [be(v) for v in table["break_even_low"]],
            "Break-even at high": [be(v) for v in table["break_even_high"]],
        }
    )


def _never(values, horizon: int) -> list:
    """Break-even months for a CSV: the number, or 'never' (does not pay back within the horizon)."""
    return [v if math.isfinite(v) else "never" for v in np.asarray(values, dtype=float)]


def _title_rows(title: str, scenario: Scenario, view: str) -> list[list]:
    """What a CSV was computed from: scenario, view, horizon, and the source and date of its catalog figures."""
    return [
        [title],
        ["scenario", scenario.name],
        ["view", view],
        ["horizon_months", scenario.horizon_months],
        ["break-even", f"months from go-live; 'never' = does not pay back within {scenario.horizon_months} months"],
        *([f"source: {' '.join(p.fields)}", p.cited(), p.as_of] for p in sources(scenario)),
    ]


def _money_columns(table: pd.DataFrame, key: str, currency: str) -> dict[str, pd.Series]:
    """`<key>_low`, `<key>_high` and `<key>_swing` (|high − low|) in the currency, to the cent."""
    low, high = table[f"{key}_low"], table[f"{key}_high"]
    return {
        f"{key}_low [{currency}]": low.round(2),
        f"{key}_high [{currency}]": high.round(2),
        f"{key}_swing [{currency}]": (high - low).abs().round(2),
    }


def tornado_frame(table: pd.DataFrame, scenario: Scenario, output: str = "savings") -> pd.DataFrame:
    """The tornado as exported: one row per input, in the order of the chosen `output` (one of RESULTS; inputs
    that do not move it last), with its low/high values and the break-even ('never'), savings and NPV of
    savings at each."""
    cur, h = scenario.currency, scenario.horizon_months
    table = pd.concat(tornado_order(table, output, h), ignore_index=True)
    return pd.DataFrame(
        {
            "input": table["input"],
            "label": table["label"],
            "unit": table["unit"],
            "current": table["base"],
            "low": table["low"],
            "high": table["high"],
            "break_even_low [months]": _never(table["break_even_low"], h),
            "break_even_high [months]": _never(table["break_even_high"], h),
            **_money_columns(table, "savings", cur),
            **_money_columns(table, "npv", cur),
            **(_money_columns(table, "npv_after_tax", cur) if scenario.tax_rate_percent > 0 else {}),
        }
    )


def tornado_csv(table: pd.DataFrame, scenario: Scenario, view: str, percent: float, output: str = "savings") -> str:
    """The tornado table (`tornado_frame`), spreadsheet-safe, under what it was computed from and the output
    its rows are ordered by (name and unit)."""
    frame = tornado_frame(table, scenario, output)
    out = io.StringIO()
    write_csv_rows(
        [
            *_title_rows("Tornado", scenario, view),
            ["range", f"±{percent:g}% unless a custom low/high is set"],
            ["output", result_name(output, scenario.horizon_months), result_unit(output, scenario.currency)],
            [],
        ],
        out,
    )
    write_csv_rows(frame_rows(frame), out)
    return out.getvalue()


# ── Map ────────────────────────────────────────────────────────────────────────────────────────────
def map_frame(x: str, xs, y: str, ys, break_even: np.ndarray, savings: np.ndarray, scenario: Scenario) -> pd.DataFrame:
    """Every grid cell as a row: x value, y value, break-even month ('never'), savings."""
    cur, h = scenario.currency, scenario.horizon_months
    gx, gy = np.meshgrid(np.asarray(xs, float), np.asarray(ys, float))
    return pd.DataFrame(
        {
            f"{x} [{FIELD_BY_NAME[x].unit_for(cur)}]": gx.ravel(),
            f"{y} [{FIELD_BY_NAME[y].unit_for(cur)}]": gy.ravel(),
            "break_even [months]": _never(np.asarray(break_even).ravel(), h),
            f"savings [{cur}]": np.round(np.asarray(savings).ravel(), 2),
        }
    )


def map_problems(
    x: str, x_range: tuple[float, float], y: str, y_range: tuple[float, float], currency: str = "USD"
) -> list[str]:
    """Why a map cannot be drawn: one input on both axes, or a range whose “from” is not below its “to”."""
    problems = ["Choose two different inputs."] if x == y else []
    return problems + [
        f"{input_label(n, currency)}: “from” must be below “to”."
        for n, r in ((x, x_range), (y, y_range))
        if r[0] >= r[1]
    ]


def map_notes(
    x: str,
    x_range: tuple[float, float],
    y: str,
    y_range: tuple[float, float],
    break_even: np.ndarray,
    metric: str,
    scenario: Scenario,
) -> str:
    """What to read under the map: inputs that cannot move this scenario, the share of the grid that never pays
    back, and whether the current scenario lies outside the ranges."""
    h = scenario.horizon_months
    never = float(np.isnan(break_even).mean())
    notes = [relevance_note(n, scenario) for n in (x, y)]
    grey = " (grey)" if metric == "break_even" else ""
    notes.append(
        f"Never pays back within {h} months in {risk.share_text(never)} of the grid{grey}."
        if never
        else f"Every cell pays back within {h} months."
    )
    current = (float(getattr(scenario, x)), float(getattr(scenario, y)))
    if not (x_range[0] <= current[0] <= x_range[1] and y_range[0] <= current[1] <= y_range[1]):
        notes.append("The current scenario lies outside these ranges.")
    return " ".join(filter(None, notes))


def map_csv(x: str, xs, y: str, ys, break_even: np.ndarray, savings: np.ndarray, scenario: Scenario, view: str) -> str:
    """The map's cells (`map_frame`) under what they were computed from."""
    frame = map_frame(x, xs, y, ys, break_even, savings, scenario)
    out = io.StringIO()
    write_csv_rows([*_title_rows("Break-even map", scenario, view), []], out)
    write_csv_rows(frame_rows(frame), out)
    return out.getvalue()


# ── Monte Carlo ────────────────────────────────────────────────────────────────────────────────────
def histogram_bins(horizon: int, most: int = 60) -> int:
    """Bins of a whole number of months (one month each up to a 60-month horizon)."""
    width = next(w for w in range(max(1, math.ceil(horizon / most)), horizon + 1) if horizon % w == 0)
    return horizon // width


def percentiles(result: risk.MonteCarlo) -> np.ndarray:
    """P10, P50, P90 of savings over the horizon."""
    return np.percentile(result.savings_total, [10, 50, 90])


def median_break_even(result: risk.MonteCarlo) -> float:
    """Median break-even month; NaN when half the futures or more never pay back within the horizon."""
    month = float(np.median(np.nan_to_num(result.break_even, nan=np.inf)))
    return month if math.isfinite(month) else math.nan


def median_sentence(month: float, horizon: int) -> str:
    """'Half the futures pay back by month 3.' / '… from day one.' / 'Half or more do not pay back within …'."""
    if not math.isfinite(month):
        return f"Half the futures or more do not pay back within {horizon} months."
    when = "from day one" if month == 0 else f"by {break_even_short(month, horizon).lower()}"
    return f"Half the futures pay back {when}."


def simulation_text(
    result: risk.MonteCarlo, distributions: dict[str, risk.Distribution], view: str, currency: str
) -> str:
    """'2,000 futures, seed 7, cash view. Cameras: triangular 35 / 50 / 65 cameras; …'."""
    described = "; ".join(distribution_text(n, d, currency) for n, d in distributions.items()) or "no uncertain inputs"
    return f"{result.draws:,} futures, seed {result.seed}, {view} view. {described}."


def payback_cards(result: risk.MonteCarlo) -> list[tuple[str, str, str]]:
    """(label, value, help) of each payback card: the share of futures paying back within 12, 24 and 36 months
    ('—' past the horizon), and the share that never does."""
    h = result.horizon
    cards = [
        (
            f"Within {m} months",
            risk.share_text(result.probability_within(m)) if m <= h else "—",
            f"Share of the simulated futures with a break-even in the first {m} months."
            if m <= h
            else f"Beyond the {h}-month horizon: not simulated.",
        )
        for m in risk.PAYBACK_WITHIN_MONTHS
    ]
    return cards + [
        (
            f"Never in {h} months",
            risk.share_text(result.never_share),
            "Share of the futures in which the edge does not pay back within the horizon.",
        )
    ]


def savings_sentence(result: risk.MonteCarlo, currency: str) -> str:
    """The median break-even and the P10 / P50 / P90 savings over the horizon, as one paragraph."""
    h = result.horizon
    p10, p50, p90 = percentiles(result)
    return (
        f"{median_sentence(median_break_even(result), h)} Savings over {h} months: {money(p10, currency)} "
        f"(P10) · {money(p50, currency)} (median) · {money(p90, currency)} (P90) — 8 futures in 10 lie between "
        "the first and the last."
    )


def cumulative_savings(f: Finance) -> np.ndarray:
    """Cumulative savings of a one-scenario finance at each month's end of its horizon [currency]."""
    h = int(f.horizon[0])
    return f.cloud_cumulative[0, :h] - f.edge_cumulative[0, :h]


def monte_carlo_csv(
    result: risk.MonteCarlo, distributions: dict[str, risk.Distribution], scenario: Scenario, view: str
) -> str:
    """The simulation: summary, uncertain inputs, break-even histogram and savings bands, one section each
    (title row, header, rows, blank line — like the scenario report)."""
    cur, h = scenario.currency, scenario.horizon_months
    p10, p50, p90 = percentiles(result)
    summary = [
        ("draws", result.draws),
        ("seed", result.seed),
        ("headline", result.headline()),
        *(
            (f"P(pays back within {m} months)", result.probability_within(m) if m <= h else "beyond the horizon")
            for m in risk.PAYBACK_WITHIN_MONTHS
        ),
        (f"share never paying back within {h} months", result.never_share),
        ("median break-even [months]", _never([median_break_even(result)], h)[0]),
        (f"P10 savings over the horizon [{cur}]", round(p10, 2)),
        (f"P50 savings [{cur}]", round(p50, 2)),
        (f"P90 savings [{cur}]", round(p90, 2)),
    ]
    inputs = pd.DataFrame(
        [
            (
                n,
                FIELD_BY_NAME[n].label,
                FIELD_BY_NAME[n].unit_for(cur),
                d.kind,
                d.low,
                d.likely,
                d.high,
                d.sigma if d.kind == "lognormal" else None,
            )
            for n, d in distributions.items()
        ],
        columns=["input", "label", "unit", "distribution", "low", "likely", "high", "sigma"],
    )
    hist = risk.break_even_histogram(result, histogram_bins(h))
    never = hist["from_month"].isna()
    hist = hist.assign(
        from_month=hist["from_month"].astype(object).where(~never, "never"),
        to_month=hist["to_month"].astype(object).where(~never, "never"),
        share=hist["draws"] / result.draws,
    )
    bands = bands_frame(result, cur)
    out = io.StringIO()
    write_csv_rows([*_title_rows("Monte Carlo", scenario, view), *summary, []], out)
    for title, frame in (
        ("Uncertain inputs", inputs),
        ("Break-even months", hist),
        ("Cumulative savings at each month's end", bands),
    ):
        write_csv_rows([[title]], out)
        write_csv_rows(frame_rows(frame), out)
        out.write("\n")
    return out.getvalue()


def bands_frame(result: risk.MonteCarlo, currency: str) -> pd.DataFrame:
    """P10/P50/P90 cumulative savings at each month's end."""
    return pd.DataFrame(
        {
            "month": np.arange(1, result.bands.shape[1] + 1),
            **{f"{p} [{currency}]": result.bands[i].round(2) for i, p in enumerate(("P10", "P50", "P90"))},
        }
    )


def draws_csv(result: risk.MonteCarlo, currency: str) -> str:
    """One row per simulated future: break-even month ('never') and savings over the horizon."""
    out = io.StringIO()
    write_csv_rows([["draw", "break_even [months]", f"savings [{currency}]"]], out)
    write_csv_rows(
        zip(range(1, result.draws + 1), _never(result.break_even, result.horizon), np.round(result.savings_total, 2)),
        out,
    )
    return out.getvalue()


def distributions_from(rows: Sequence[tuple]) -> dict[str, risk.Distribution]:
    """{input: Distribution} from the cache-key tuples (input, kind, low, likely, high, sigma)."""
    return {name: risk.Distribution(kind, low, likely, high, sigma) for name, kind, low, likely, high, sigma in rows}


def check_distributions(rows: Sequence[tuple]) -> list[str]:
    """Each bad row's `RiskInputError` message, naming the input by its label."""
    problems = []
    for name, d in distributions_from(rows).items():
        try:
            d.check(name)
        except risk.RiskInputError as exc:
            problems.append(str(exc).replace(f"{name}:", f"{FIELD_BY_NAME[name].label}:", 1))
    return problems
