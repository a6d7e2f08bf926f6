"""Sensitivity & risk page pieces: the tornado, the two-input map and the Monte Carlo sections.

Each section is an `st.fragment` (its widgets rerun that section alone) and its computation a bounded
`st.cache_data` keyed by the scenario's JSON text plus the section's parameters. So moving the tornado
slider never reruns the Monte Carlo, and a rerun of the page re-uses the last simulation (its request is
kept in `st.session_state`, its result in the cache). "Never pays back within the horizon" (NaN from
`planner.risk`) is shown and exported as an outcome of its own, labelled, everywhere.

The helpers up to "Sections" are pure (no Streamlit calls); widget keys start with `sensitivity.`.
"""
from __future__ import annotations

import io
import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import streamlit as st

from .. import charts, risk
from ..report import frame_rows, sources, table_csv, write_csv_rows
from ..scenario import FIELD_BY_NAME, RELEVANT_WHEN, Scenario, parse_json, to_json
from . import pieces, state
from .format import break_even_short, md, money
from .inputs import decimals
from .tables import number_text, slug

INPUT_ORDER = risk.KEY_INPUTS + tuple(n for n in risk.VARIABLE_INPUTS if n not in risk.KEY_INPUTS)
METRICS = {"savings": "Savings", "break_even": "Break-even"}
TORNADO_PERCENT = 20                      # default ± [%]
MAP_POINTS = (5, 60, 21)                  # grid points per axis: min, max, default (odd: the middle is the current)
MAP_SPREAD, MC_SPREAD = 0.5, 0.3          # default map range ±50 %, default triangular ±30 % of the current value
MC_DEFAULT_INPUTS, MC_MAX_INPUTS = 4, 12
DRAW_CHOICES = tuple(n for n in (1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000) if n < risk.MAX_DRAWS) + (
    risk.MAX_DRAWS,)
DEFAULT_DRAWS = 10_000
PROGRESS_STEPS = 20
KINDS = {"triangular": "Triangular (low, likely, high)", "uniform": "Uniform (low to high)",
         "lognormal": "Lognormal (median = likely, sigma)", "fixed": "Fixed (likely)"}
REQUEST = "sensitivity.mc.request"        # the last simulation run: (scenario JSON, view, distributions, draws, seed)
CENTRES = "sensitivity.mc.centres"        # {input: the value its distribution row was centred on}


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
    values = {"fixed": f"{number_text(d.likely)}", "uniform": f"{number_text(d.low)} to {number_text(d.high)}",
              "triangular": f"{number_text(d.low)} / {number_text(d.likely)} / {number_text(d.high)}",
              "lognormal": f"median {number_text(d.likely)}, sigma {d.sigma:g}"}[d.kind]
    return f"{FIELD_BY_NAME[name].label}: {d.kind} {values} {unit}".rstrip()


def relevance_note(name: str, scenario: Scenario) -> str | None:
    """Why an input cannot move this scenario's results ('used when … is …'), or None."""
    if name not in RELEVANT_WHEN:
        return None
    choice, option = RELEVANT_WHEN[name]
    if getattr(scenario, choice) == option:
        return None
    spec = FIELD_BY_NAME[choice]
    return f"{FIELD_BY_NAME[name].label} has no effect here: it is used when {spec.label} is {spec.options[option]}."


# ── Tornado ────────────────────────────────────────────────────────────────────────────────────────
def custom_frame(scenario: Scenario) -> pd.DataFrame:
    """The editor of custom low/high values: one row per key input, Low and High blank (= ± percentage)."""
    cur = scenario.currency
    return pd.DataFrame({
        "input": list(risk.KEY_INPUTS),
        "Input": [FIELD_BY_NAME[n].label for n in risk.KEY_INPUTS],
        "Unit": [FIELD_BY_NAME[n].unit_for(cur) for n in risk.KEY_INPUTS],
        "Current": [number_text(getattr(scenario, n)) for n in risk.KEY_INPUTS],
        "Low": np.full(len(risk.KEY_INPUTS), np.nan), "High": np.full(len(risk.KEY_INPUTS), np.nan),
    })


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
                notes.append(f"{spec.label}: {number_text(v)} is outside {number_text(spec.min)} to "
                             f"{number_text(spec.max)} {spec.unit_for(scenario.currency)}; the nearest bound is used.")
        ranges.append((row.input, low, high))
    return tuple(ranges), notes


def tornado_order(table: pd.DataFrame, metric: str, horizon: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The rows whose low or high value moves `metric`, largest swing first (a break-even that never comes
    counts as the horizon), and the rows that move nothing."""
    if metric == "break_even":
        swing = (table["break_even_high"].fillna(horizon) - table["break_even_low"].fillna(horizon)).abs()
        moves = swing > 1e-6
    else:
        swing, moves = table["swing"], table["swing"] >= 0.005
    shown = table.assign(_swing=swing)[moves].sort_values("_swing", ascending=False, kind="stable")
    return shown.drop(columns="_swing").reset_index(drop=True), table[~moves].reset_index(drop=True)


def tornado_display(table: pd.DataFrame, horizon: int, currency: str) -> pd.DataFrame:
    """The tornado as text a reader can scan: ranges with units, money, break-even ('never within …')."""
    be = lambda v: charts.break_even_value_text(v, horizon)   # noqa: E731
    return pd.DataFrame({
        "Input": table["label"],
        "Low → high": [f"{number_text(lo)} → {number_text(hi)} {u}"
                       for lo, hi, u in zip(table["low"], table["high"], table["unit"])],
        "Savings at low": [money(v, currency) for v in table["savings_low"]],
        "Savings at high": [money(v, currency) for v in table["savings_high"]],
        "Savings swing": [money(v, currency) for v in table["swing"]],
        "Break-even at low": [be(v) for v in table["break_even_low"]],
        "Break-even at high": [be(v) for v in table["break_even_high"]],
    })


def _never(values, horizon: int) -> list:
    """Break-even months for a CSV: the number, or 'never' (does not pay back within the horizon)."""
    return [v if math.isfinite(v) else "never" for v in np.asarray(values, dtype=float)]


def _title_rows(title: str, scenario: Scenario, view: str) -> list[list]:
    """What a CSV was computed from: scenario, view, horizon, and the source and date of its catalog figures."""
    return [[title], ["scenario", scenario.name], ["view", view], ["horizon_months", scenario.horizon_months],
            ["break-even", f"months from go-live; 'never' = does not pay back within {scenario.horizon_months} months"],
            *([f"source: {' '.join(p.fields)}", p.cited(), p.as_of] for p in sources(scenario))]


def tornado_frame(table: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """The tornado as exported: one row per input, low/high values, break-even ('never') and savings at each."""
    cur, h = scenario.currency, scenario.horizon_months
    return pd.DataFrame({
        "input": table["input"], "label": table["label"], "unit": table["unit"], "current": table["base"],
        "low": table["low"], "high": table["high"],
        "break_even_low [months]": _never(table["break_even_low"], h),
        "break_even_high [months]": _never(table["break_even_high"], h),
        f"savings_low [{cur}]": table["savings_low"].round(2), f"savings_high [{cur}]": table["savings_high"].round(2),
        f"savings_swing [{cur}]": table["swing"].round(2)})


def tornado_csv(table: pd.DataFrame, scenario: Scenario, view: str, percent: float) -> str:
    """The tornado table, spreadsheet-safe, with what it was computed from."""
    frame = tornado_frame(table, scenario)
    out = io.StringIO()
    write_csv_rows([*_title_rows("Tornado", scenario, view),
                    ["range", f"±{percent:g}% unless a custom low/high is set"], []], out)
    write_csv_rows(frame_rows(frame), out)
    return out.getvalue()


# ── Map ────────────────────────────────────────────────────────────────────────────────────────────
def map_frame(x: str, xs, y: str, ys, break_even: np.ndarray, savings: np.ndarray, scenario: Scenario) -> pd.DataFrame:
    """Every grid cell as a row: x value, y value, break-even month ('never'), savings."""
    cur, h = scenario.currency, scenario.horizon_months
    gx, gy = np.meshgrid(np.asarray(xs, float), np.asarray(ys, float))
    return pd.DataFrame({f"{x} [{FIELD_BY_NAME[x].unit_for(cur)}]": gx.ravel(),
                          f"{y} [{FIELD_BY_NAME[y].unit_for(cur)}]": gy.ravel(),
                          "break_even [months]": _never(np.asarray(break_even).ravel(), h),
                          f"savings [{cur}]": np.round(np.asarray(savings).ravel(), 2)})


def map_csv(x: str, xs, y: str, ys, break_even: np.ndarray, savings: np.ndarray, scenario: Scenario,
            view: str) -> str:
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
    return f"Half the futures pay back {'from day one' if month == 0 else f'by {break_even_short(month, horizon).lower()}'}."


def monte_carlo_csv(result: risk.MonteCarlo, distributions: dict[str, risk.Distribution], scenario: Scenario,
                    view: str) -> str:
    """The simulation: summary, uncertain inputs, break-even histogram and savings bands, one section each
    (title row, header, rows, blank line — like the scenario report)."""
    cur, h = scenario.currency, scenario.horizon_months
    p10, p50, p90 = percentiles(result)
    summary = [("draws", result.draws), ("seed", result.seed), ("headline", result.headline()),
               *((f"P(pays back within {m} months)", result.probability_within(m) if m <= h else "beyond the horizon")
                 for m in risk.PAYBACK_WITHIN_MONTHS),
               (f"share never paying back within {h} months", result.never_share),
               ("median break-even [months]", _never([median_break_even(result)], h)[0]),
               (f"P10 savings over the horizon [{cur}]", round(p10, 2)), (f"P50 savings [{cur}]", round(p50, 2)),
               (f"P90 savings [{cur}]", round(p90, 2))]
    inputs = pd.DataFrame([(n, FIELD_BY_NAME[n].label, FIELD_BY_NAME[n].unit_for(cur), d.kind, d.low, d.likely, d.high,
                            d.sigma if d.kind == "lognormal" else None) for n, d in distributions.items()],
                          columns=["input", "label", "unit", "distribution", "low", "likely", "high", "sigma"])
    hist = risk.break_even_histogram(result, histogram_bins(h))
    never = hist["from_month"].isna()
    hist = hist.assign(from_month=hist["from_month"].astype(object).where(~never, "never"),
                       to_month=hist["to_month"].astype(object).where(~never, "never"),
                       share=hist["draws"] / result.draws)
    bands = bands_frame(result, cur)
    out = io.StringIO()
    write_csv_rows([*_title_rows("Monte Carlo", scenario, view), *summary, []], out)
    for title, frame in (("Uncertain inputs", inputs), ("Break-even months", hist),
                         ("Cumulative savings at each month's end", bands)):
        write_csv_rows([[title]], out)
        write_csv_rows(frame_rows(frame), out)
        out.write("\n")
    return out.getvalue()


def bands_frame(result: risk.MonteCarlo, currency: str) -> pd.DataFrame:
    """P10/P50/P90 cumulative savings at each month's end."""
    return pd.DataFrame({"month": np.arange(1, result.bands.shape[1] + 1),
                         **{f"{p} [{currency}]": result.bands[i].round(2) for i, p in enumerate(("P10", "P50", "P90"))}})


def draws_csv(result: risk.MonteCarlo, currency: str) -> str:
    """One row per simulated future: break-even month ('never') and savings over the horizon."""
    out = io.StringIO()
    write_csv_rows([["draw", "break_even [months]", f"savings [{currency}]"]], out)
    write_csv_rows(zip(range(1, result.draws + 1), _never(result.break_even, result.horizon),
                       np.round(result.savings_total, 2)), out)
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


# ── Cached computations (keyed by the scenario JSON text and the section's parameters) ────────────
@st.cache_data(max_entries=32, show_spinner="Computing the tornado: every key input at its low and high value…")
def tornado_table(scenario_json: str, view: str, percent: float, custom: tuple = ()) -> pd.DataFrame:
    return risk.tornado(parse_json(scenario_json), percent=percent,
                        custom={name: (low, high) for name, low, high in custom}, view=view)


@st.cache_data(max_entries=16, show_spinner="Computing the break-even map…")
def sensitivity_map(scenario_json: str, view: str, x: str, x_range: tuple[float, float], y: str,
                    y_range: tuple[float, float], points: int) -> tuple[np.ndarray, np.ndarray]:
    return risk.grid_map(parse_json(scenario_json), x, axis_values(x, *x_range, points), y,
                         axis_values(y, *y_range, points), view)


@st.cache_data(max_entries=8, show_spinner=False)
def simulate(scenario_json: str, view: str, distributions: tuple, draws: int, seed: int) -> risk.MonteCarlo:
    """The Monte Carlo, with a progress bar while it runs. The bar is created and removed inside, so a
    cache hit replays nothing visible."""
    bar = st.progress(0.0, text=f"Simulating {draws:,} futures…")
    try:
        return risk.monte_carlo(parse_json(scenario_json), distributions_from(distributions), draws, seed, view,
                                chunk=max(1_000, math.ceil(draws / PROGRESS_STEPS)),
                                progress=lambda done: bar.progress(done, text=f"Simulating {draws:,} futures… "
                                                                               f"{done:.0%}"))
    finally:
        bar.empty()


# ── Sections ───────────────────────────────────────────────────────────────────────────────────────
def _base_result(scenario: Scenario, view: str, metric: str) -> float:
    f = state.analysis(scenario).finance(view)
    return float(f.break_even_month[0] if metric == "break_even" else f.savings_total[0])


def _metric_picker(key: str, label: str, default: str) -> str:
    return st.segmented_control(label, list(METRICS), format_func=METRICS.get, default=default, required=True,
                                key=key, persist_state="session")


@st.fragment
def tornado_section(scenario: Scenario, view: str) -> None:
    cur, h = scenario.currency, scenario.horizon_months
    st.subheader("Tornado: which inputs move the result most")
    st.caption("Each input is set to its low and then its high value, every other input as it is now. The longest "
               "bars are the assumptions worth checking first.")
    left, right = st.columns([3, 2], gap="large", vertical_alignment="bottom")
    with left:
        percent = st.slider("Vary each input by", 5, 90, TORNADO_PERCENT, 5, format="±%d%%",
                            key="sensitivity.tornado.percent", persist_state="session",
                            help="Low = current value × (1 − p), high = × (1 + p), within each input's bounds.")
    with right:
        metric = _metric_picker("sensitivity.tornado.metric", "Result", "savings")
    with st.expander("Custom low and high values"):
        st.caption(f"Type a low and/or a high for any input; a blank keeps ±{percent}%. Inputs at 0 have no ± "
                   "range: give them a low and a high here to see their effect.")
        edited = st.data_editor(
            custom_frame(scenario), key="sensitivity.tornado.custom", hide_index=True, width="stretch",
            placeholder=f"±{percent}%",                       # a blank Low or High: what it stands for
            column_order=("Input", "Unit", "Current", "Low", "High"), disabled=("Input", "Unit", "Current"),
            column_config={
                "Low": st.column_config.NumberColumn("Low", help="Blank: current value minus the percentage"),
                "High": st.column_config.NumberColumn("High", help="Blank: current value plus the percentage")})
    custom, notes = custom_ranges(edited, scenario, percent)
    for note in notes:
        st.warning(md(note))
    table = tornado_table(to_json(scenario), view, float(percent), custom)
    shown, still = tornado_order(table, metric, h)
    st.plotly_chart(charts.tornado_figure(shown, metric, _base_result(scenario, view, metric), h, cur),
                    config=pieces.CHART_CONFIG)
    if len(still):
        st.caption(md(f"No effect on the {METRICS[metric].lower()} over these ranges (last in the table): "
                      f"{', '.join(still['label'])}."))
    st.table(tornado_display(pd.concat([shown, still], ignore_index=True), h, cur), hide_index=True)
    st.caption(md(risk.carbon_tornado_text(table)))
    st.download_button("Tornado CSV", tornado_csv(table, scenario, view, percent).encode("utf-8"),
                       f"{slug(scenario.name)}-tornado.csv", "text/csv", key="sensitivity.tornado.download",
                       on_click="ignore", help="Every key input's low and high value with the savings and "
                                               "break-even at each ('never' = not within the horizon).")
    st.download_button("Tornado table CSV", lambda: table_csv(tornado_frame(table, scenario)).encode("utf-8"),
                       f"{slug(scenario.name)}-tornado-table.csv", "text/csv", key="sensitivity.tornado.table",
                       on_click="ignore", help="The same table alone, one header row: pandas.read_csv reads it as is.")


def _range_inputs(axis: str, name: str, scenario: Scenario) -> tuple[float, float]:
    spec, value = FIELD_BY_NAME[name], float(getattr(scenario, name))
    low, high = default_range(name, value)
    kind = int if spec.integer else float
    places = max(decimals(spec), *(len(f"{v:.10f}".rstrip("0").split(".")[1]) for v in (low, high)))
    number = {"min_value": kind(spec.min), "max_value": kind(spec.max), "step": kind(spec.step),
              "format": "%d" if spec.integer else f"%.{min(places, 10)}f", "persist_state": "session"}
    key = f"sensitivity.map.{axis}.{name}.{value!r}"        # a new input or a new current value: fresh defaults
    first, second = st.columns(2)
    low = first.number_input(f"{axis.upper()} from", value=kind(low), key=f"{key}.from", **number)
    high = second.number_input(f"{axis.upper()} to", value=kind(high), key=f"{key}.to", **number)
    return float(low), float(high)


@st.fragment
def map_section(scenario: Scenario, view: str) -> None:
    cur, h = scenario.currency, scenario.horizon_months
    st.subheader("Break-even map: two inputs at once")
    st.caption("The result over a grid of two inputs, every other input as it is now. The star is the current "
               f"scenario; each axis defaults to ±{MAP_SPREAD:.0%} of its current value.")
    ranked = tornado_order(tornado_table(to_json(scenario), view, float(TORNADO_PERCENT)), "savings", h)[0]["input"]
    first, second = list(dict.fromkeys([*ranked, "cameras", "device_price"]))[:2]
    label = lambda n: input_label(n, cur)                     # noqa: E731
    x_col, y_col, option_col = st.columns(3, gap="large")
    with x_col:
        x = st.selectbox("Across (x axis)", INPUT_ORDER, index=INPUT_ORDER.index(first), format_func=label,
                         key="sensitivity.map.x", persist_state="session")
        x_range = _range_inputs("x", x, scenario)
    with y_col:
        y = st.selectbox("Up (y axis)", INPUT_ORDER, index=INPUT_ORDER.index(second), format_func=label,
                         key="sensitivity.map.y", persist_state="session")
        y_range = _range_inputs("y", y, scenario)
    with option_col:
        metric = _metric_picker("sensitivity.map.metric", "Colour by", "break_even")
        points = st.slider("Grid points per axis", *MAP_POINTS, key="sensitivity.map.points", persist_state="session",
                           help=f"Up to {MAP_POINTS[1]} × {MAP_POINTS[1]} what-ifs, evaluated in one batch.")
    problems = ["Choose two different inputs." if x == y else None] + [
        f"{input_label(n, cur)}: “from” must be below “to”." if r[0] >= r[1] else None
        for n, r in ((x, x_range), (y, y_range))]
    if any(problems):
        for problem in filter(None, problems):
            st.error(md(problem))
        return
    try:
        break_even, savings = sensitivity_map(to_json(scenario), view, x, x_range, y, y_range, points)
    except risk.RiskInputError as exc:
        st.error(md(str(exc)))
        return
    xs, ys = axis_values(x, *x_range, points), axis_values(y, *y_range, points)
    current = (float(getattr(scenario, x)), float(getattr(scenario, y)))
    st.plotly_chart(charts.sensitivity_map_figure(xs, ys, break_even if metric == "break_even" else savings, metric,
                                                  label(x), label(y), current, h, cur), config=pieces.CHART_CONFIG)
    never = float(np.isnan(break_even).mean())
    notes = [relevance_note(n, scenario) for n in (x, y)]
    grey = " (grey)" if metric == "break_even" else ""
    notes.append(f"Never pays back within {h} months in {risk.share_text(never)} of the grid{grey}." if never
                 else f"Every cell pays back within {h} months.")
    if not (x_range[0] <= current[0] <= x_range[1] and y_range[0] <= current[1] <= y_range[1]):
        notes.append("The current scenario lies outside these ranges.")
    st.caption(md(" ".join(filter(None, notes))))
    st.download_button("Map CSV", map_csv(x, xs, y, ys, break_even, savings, scenario, view).encode("utf-8"),
                       f"{slug(scenario.name)}-map-{x}-{y}.csv", "text/csv", key="sensitivity.map.download",
                       on_click="ignore", help="One row per grid cell: both input values, the break-even month "
                                               "('never' = not within the horizon) and the savings.")
    st.download_button("Map table CSV",
                       lambda: table_csv(map_frame(x, xs, y, ys, break_even, savings, scenario)).encode("utf-8"),
                       f"{slug(scenario.name)}-map-{x}-{y}-table.csv", "text/csv", key="sensitivity.map.table",
                       on_click="ignore", help="The grid alone, one header row: pandas.read_csv reads it as is.")


def _key(name: str, part: str) -> str:
    return f"sensitivity.mc.{name}.{part}"


def _centre_rows(names: Sequence[str], scenario: Scenario) -> None:
    """Give each row its default distribution the first time, and again whenever its input's current value
    changes (a row follows its input); edits otherwise stay for the session."""
    centres = st.session_state.setdefault(CENTRES, {})
    for name in names:
        value = float(getattr(scenario, name))
        if centres.get(name) == value and _key(name, "kind") in st.session_state:
            continue
        d, spec = default_distribution(name, value), FIELD_BY_NAME[name]
        kind = int if spec.integer else float
        for part, v in (("kind", d.kind), ("low", kind(d.low)), ("likely", kind(d.likely)), ("high", kind(d.high)),
                        ("sigma", d.sigma)):
            st.session_state[_key(name, part)] = v
        centres[name] = value


COLUMNS = [2.4, 2.2, 1.2, 1.2, 1.2, 0.9]


def _distribution_row(name: str, scenario: Scenario) -> None:
    spec = FIELD_BY_NAME[name]
    kind = int if spec.integer else float
    values = [st.session_state[_key(name, p)] for p in ("low", "likely", "high")]
    places = max(decimals(spec), *(len(f"{float(v):.10f}".rstrip("0").split(".")[1]) for v in values))
    number = {"min_value": kind(spec.min), "max_value": kind(spec.max), "step": kind(spec.step),
              "format": "%d" if spec.integer else f"%.{min(places, 10)}f", "label_visibility": "collapsed",
              "persist_state": "session"}
    cells = st.columns(COLUMNS, vertical_alignment="center")
    cells[0].markdown(md(input_label(name, scenario.currency)) +
                      f"  \n:gray[now {md(value_with_unit(name, getattr(scenario, name), scenario.currency))}]")
    cells[1].selectbox(f"{spec.label}: distribution", list(KINDS), format_func=KINDS.get, key=_key(name, "kind"),
                       label_visibility="collapsed", persist_state="session")
    for cell, part in zip(cells[2:5], ("low", "likely", "high")):
        cell.number_input(f"{spec.label}: {part}", key=_key(name, part), **number)
    cells[5].number_input(f"{spec.label}: sigma", 0.01, 3.0, step=0.05, format="%.2f", key=_key(name, "sigma"),
                          label_visibility="collapsed", persist_state="session",
                          help="Lognormal only: the spread of log values (0.25 ≈ ±25 %).")


def _requested_rows(names: Sequence[str]) -> tuple:
    return tuple((name, st.session_state[_key(name, "kind")],
                  *(float(st.session_state[_key(name, p)]) for p in ("low", "likely", "high", "sigma")))
                 for name in names)


@st.fragment
def monte_carlo_section(scenario: Scenario, view: str) -> None:
    cur = scenario.currency
    st.subheader("Monte Carlo: how sure is the payback?")
    st.caption("Give each uncertain input a distribution; every simulated future draws all of them at once. "
               "The same inputs and seed always give the same figures.")
    if "sensitivity.mc.inputs" not in st.session_state:
        ranked = tornado_order(tornado_table(to_json(scenario), view, MC_SPREAD * 100), "savings",
                               scenario.horizon_months)[0]
        st.session_state["sensitivity.mc.inputs"] = [n for n in ranked["input"] if getattr(scenario, n)][
            :MC_DEFAULT_INPUTS]
    names = st.multiselect("Uncertain inputs", INPUT_ORDER, format_func=lambda n: input_label(n, cur),
                           key="sensitivity.mc.inputs", max_selections=MC_MAX_INPUTS, persist_state="session",
                           help="Inputs not chosen stay at their current value. Defaults: the inputs with the "
                                "largest tornado swing, triangular ±30 % around their current value.")
    _centre_rows(names, scenario)
    with st.form("sensitivity.mc.form"):
        if names:
            head = st.columns(COLUMNS)
            for cell, text in zip(head, ("Input", "Distribution", "Low", "Likely / median", "High", "Sigma")):
                cell.caption(f"**{text}**")
            for name in names:
                _distribution_row(name, scenario)
        else:
            st.caption("No uncertain inputs chosen: every future is the current scenario.")
        draws_col, seed_col, run_col = st.columns([3, 1, 1], gap="large", vertical_alignment="bottom")
        draws = draws_col.select_slider("Simulated futures", DRAW_CHOICES, value=DEFAULT_DRAWS,
                                        format_func=lambda n: f"{n:,}", key="sensitivity.mc.draws",
                                        persist_state="session")
        seed = seed_col.number_input("Random seed", 0, 2**31 - 1, 0, 1, key="sensitivity.mc.seed",
                                     persist_state="session", help="Same inputs and seed → the same figures.")
        run = run_col.form_submit_button("Run simulation", type="primary", width="stretch", key="sensitivity.mc.run")
    if run:
        rows = _requested_rows(names)
        problems = check_distributions(rows)
        for problem in problems:
            st.error(md(f"Not run: {problem}"))
        if not problems:
            st.session_state[REQUEST] = (to_json(scenario), view, rows, int(draws), int(seed))
        elif REQUEST in st.session_state:
            st.caption("The results below are from the previous run.")
    request = st.session_state.get(REQUEST)
    if request is None:
        st.info("Choose the uncertain inputs and their ranges, then press **Run simulation**.")
        return
    try:
        result = simulate(*request)
    except risk.RiskInputError as exc:                 # checked above; kept for requests from older sessions
        st.error(md(str(exc)))
        return
    monte_carlo_results(result, request, scenario, view)


def monte_carlo_results(result: risk.MonteCarlo, request: tuple, scenario: Scenario, view: str) -> None:
    """Headline, probabilities, histogram, fan chart and downloads of one simulation."""
    scenario_json, run_view, rows, _, _ = request
    simulated = parse_json(scenario_json)
    cur, h = simulated.currency, simulated.horizon_months
    if scenario_json != to_json(scenario) or run_view != view:
        st.warning("These results are for the scenario and view as they were when the simulation ran: press "
                   "**Run simulation** to update them.")
    st.markdown(f"#### {md(result.headline())}.")
    distributions = distributions_from(rows)
    described = "; ".join(distribution_text(n, d, cur) for n, d in distributions.items()) or "no uncertain inputs"
    st.caption(md(f"{result.draws:,} futures, seed {result.seed}, {run_view} view. {described}."))
    cards = [(f"Within {m} months", risk.share_text(result.probability_within(m)) if m <= h else "—",
              f"Share of the simulated futures with a break-even in the first {m} months." if m <= h
              else f"Beyond the {h}-month horizon: not simulated.") for m in risk.PAYBACK_WITHIN_MONTHS]
    cards += [(f"Never in {h} months", risk.share_text(result.never_share),
               "Share of the futures in which the edge does not pay back within the horizon.")]
    st.markdown("**Share of the simulated futures in which the edge pays back**")
    for column, (label, value, help_text) in zip(st.columns(len(cards)), cards):
        column.metric(label, value, help=help_text, border=True)
    p10, p50, p90 = percentiles(result)
    if result.kgco2e_avoided is not None:
        st.markdown(md(f"{result.carbon_headline()}."))
    st.markdown(md(f"{median_sentence(median_break_even(result), h)} Savings over {h} months: {money(p10, cur)} "
                   f"(P10) · {money(p50, cur)} (median) · {money(p90, cur)} (P90) — 8 futures in 10 lie between "
                   "the first and the last."))
    current = state.analysis(simulated).finance(run_view)
    curve = current.cloud_cumulative[0, :h] - current.edge_cumulative[0, :h]
    left, right = st.columns(2, gap="large")
    with left:
        st.plotly_chart(charts.break_even_histogram_figure(risk.break_even_histogram(result, histogram_bins(h)), h),
                        config=pieces.CHART_CONFIG)
    with right:
        st.plotly_chart(charts.savings_fan_figure(result.bands, cur, curve), config=pieces.CHART_CONFIG)
    name = slug(simulated.name)
    with st.container(horizontal=True):
        st.download_button("Simulation CSV",
                           monte_carlo_csv(result, distributions, simulated, run_view).encode("utf-8"),
                           f"{name}-monte-carlo.csv", "text/csv", key="sensitivity.mc.download", on_click="ignore",
                           help="Summary, uncertain inputs, break-even histogram and P10/P50/P90 savings by month.")
        st.download_button("Every draw CSV", lambda: draws_csv(result, cur).encode("utf-8"),
                           f"{name}-monte-carlo-draws.csv", "text/csv", key="sensitivity.mc.download_draws",
                           on_click="ignore", help="One row per simulated future: break-even month and savings.")
        st.download_button("Savings bands CSV", lambda: table_csv(bands_frame(result, cur)).encode("utf-8"),
                           f"{name}-monte-carlo-bands.csv", "text/csv", key="sensitivity.mc.download_bands",
                           on_click="ignore", help="P10/P50/P90 cumulative savings by month, one header row.")
