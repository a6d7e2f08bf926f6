"""Sensitivity & risk page: the tornado, the two-input map and the Monte Carlo sections, laid out.

Each section is an `st.fragment` (its widgets rerun that section alone) and its computation a bounded
`st.cache_data` keyed by the scenario's JSON text plus the section's parameters. So moving the tornado
slider never reruns the Monte Carlo, and a rerun of the page re-uses the last simulation (its request is
kept in `st.session_state`, its result in the cache). Defaults, orderings, tables and CSVs come from
`planner.exports.sensitivity`, the figures from `planner.exports.charts`; widget keys start with `sensitivity.`.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np
import pandas as pd
import streamlit as st

from planner.exports import charts, printable
from planner.exports import sensitivity as model
from planner.model import risk
from planner.model.finance import discount_convention
from planner.schema.format import RESULTS, md
from planner.schema.safe_csv import table_csv
from planner.schema.scenario import FIELD_BY_NAME, Scenario, parse_json, to_json
from planner.ui import pieces, state
from planner.ui.inputs import decimals

TORNADO_PERCENT = 20  # default ± [%]
MAP_POINTS = (5, 60, 21)  # grid points per axis: min, max, default (odd: the middle is the current)
DRAW_CHOICES = tuple(n for n in (1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000) if n < risk.MAX_DRAWS) + (
    risk.MAX_DRAWS,
)
DEFAULT_DRAWS = 10_000
PROGRESS_STEPS = 20
REQUEST = "sensitivity.mc.request"  # the last simulation run: (scenario JSON, view, distributions, draws, seed)
TORNADO_RUN = "sensitivity.tornado.run"  # the last tornado shown: (scenario JSON, view, percent, custom, result)
CENTRES = "sensitivity.mc.centres"  # {input: the value its distribution row was centred on}
BUTTONS = {**RESULTS, "npv": "NPV", "npv_after_tax": "NPV after tax"}  # the result pickers' text: short enough
# for the buttons on a laptop
RESULT_HELP = (
    "Savings: cloud total minus edge total over the horizon. NPV: those savings discounted at the "
    "scenario's discount rate (after tax: with the scenario's tax rate, offered when one is set). Break-even: the "
    "month the edge's cumulative cost drops below the cloud's."
)
KINDS = {"triangular": "Triangular", "uniform": "Uniform", "lognormal": "Lognormal", "fixed": "Fixed"}
KIND_HELP = (
    "Triangular: low, likely, high. Uniform: any value from low to high. Lognormal: median = likely, "
    "spread = sigma. Fixed: the likely value."
)
PARTS = {"low": "Low", "likely": "Likely / median", "high": "High"}


# ── Cached computations (keyed by the scenario JSON text and the section's parameters) ────────────
@st.cache_data(max_entries=32, show_spinner="Computing the tornado: every key input at its low and high value…")
def tornado_table(scenario_json: str, view: str, percent: float, custom: tuple = ()) -> pd.DataFrame:
    return risk.tornado(
        parse_json(scenario_json), percent=percent, custom={name: (low, high) for name, low, high in custom}, view=view
    )


@st.cache_data(max_entries=16, show_spinner="Computing the break-even map…")
def sensitivity_map(
    scenario_json: str,
    view: str,
    x: str,
    x_range: tuple[float, float],
    y: str,
    y_range: tuple[float, float],
    points: int,
) -> tuple[np.ndarray, np.ndarray]:
    return risk.grid_map(
        parse_json(scenario_json),
        x,
        model.axis_values(x, *x_range, points),
        y,
        model.axis_values(y, *y_range, points),
        view,
    )


@st.cache_data(max_entries=8, show_spinner=False)
def simulate(scenario_json: str, view: str, distributions: tuple, draws: int, seed: int) -> risk.MonteCarlo:
    """The Monte Carlo, with a progress bar while it runs. The bar is created and removed inside, so a
    cache hit replays nothing visible."""
    bar = st.progress(0.0, text=f"Simulating {draws:,} futures…")
    try:
        return risk.monte_carlo(
            parse_json(scenario_json),
            model.distributions_from(distributions),
            draws,
            seed,
            view,
            chunk=max(1_000, math.ceil(draws / PROGRESS_STEPS)),
            progress=lambda done: bar.progress(done, text=f"Simulating {draws:,} futures… {done:.0%}"),
        )
    finally:
        bar.empty()


# ── Sections ───────────────────────────────────────────────────────────────────────────────────────
def _metric_picker(key: str, label: str, default: str, results: Sequence[str]) -> str:
    return st.segmented_control(
        label,
        list(results),
        format_func=BUTTONS.get,
        default=default,
        required=True,
        key=key,
        persist_state="session",
        help=RESULT_HELP,
    )


@st.fragment
def tornado_section(scenario: Scenario, view: str) -> None:
    cur, h = scenario.currency, scenario.horizon_months
    st.subheader("Tornado: which inputs move the result most")
    st.caption(
        "Each input is set to its low and then its high value, every other input as it is now. The longest "
        "bars are the assumptions worth checking first."
    )
    left, right = st.columns(2, gap="large", vertical_alignment="bottom")
    with left:
        percent = st.slider(
            "Vary each input by",
            5,
            90,
            TORNADO_PERCENT,
            5,
            format="±%d%%",
            key="sensitivity.tornado.percent",
            persist_state="session",
            help="Low = current value × (1 − p), high = × (1 + p), within each input's bounds.",
        )
    with right:
        offered = model.results_offered(scenario)
        if st.session_state.get("sensitivity.tornado.metric") not in (None, *offered):
            st.session_state["sensitivity.tornado.metric"] = "npv"  # after tax, and the tax rate set back to 0
        metric = _metric_picker("sensitivity.tornado.metric", "Result", "savings", offered)
    with st.expander("Custom low and high values"):
        st.caption(
            f"Type a low and/or a high for any input; a blank keeps ±{percent}%. Inputs at 0 have no ± "
            "range: give them a low and a high here to see their effect."
        )
        edited = st.data_editor(
            model.custom_frame(scenario),
            key="sensitivity.tornado.custom",
            hide_index=True,
            width="stretch",
            placeholder=f"±{percent}%",  # a blank Low or High: what it stands for
            column_order=("Input", "Unit", "Current", "Low", "High"),
            disabled=("Input", "Unit", "Current"),
            column_config={
                "Low": st.column_config.NumberColumn("Low", help="Blank: current value minus the percentage"),
                "High": st.column_config.NumberColumn("High", help="Blank: current value plus the percentage"),
            },
        )
    custom, notes = model.custom_ranges(edited, scenario, percent)
    for note in notes:
        st.warning(md(note))
    table = tornado_table(to_json(scenario), view, float(percent), custom)
    st.session_state[TORNADO_RUN] = (to_json(scenario), view, float(percent), custom, metric)  # for the report
    shown, still = model.tornado_order(table, metric, h)
    st.plotly_chart(
        charts.tornado_figure(
            shown,
            metric,
            model.current_result(state.analysis(scenario).finance(view), metric, scenario.discount_percent_per_year),
            h,
            cur,
        ),
        config=pieces.CHART_CONFIG,
    )
    if metric in ("npv", "npv_after_tax"):
        taxed = f" after tax at {scenario.tax_rate_percent:g} %" if metric == "npv_after_tax" else ""
        st.caption(
            md(
                f"NPV of savings{taxed}: discounted at {scenario.discount_percent_per_year:g} %/year "
                f"({discount_convention(scenario.discount_timing)}), as on the Costs page."
            )
        )
    if len(still):
        st.caption(
            md(
                f"No effect on the {model.result_in_sentence(metric)} over these ranges (last in the table): "
                f"{', '.join(still['label'])}."
            )
        )
    st.table(model.tornado_display(pd.concat([shown, still], ignore_index=True), h, cur, metric), hide_index=True)
    st.caption(md(risk.carbon_tornado_text(table)))
    st.download_button(
        "Tornado CSV",
        model.tornado_csv(table, scenario, view, percent, metric).encode("utf-8"),
        f"{state.file_stem()}-tornado.csv",
        "text/csv",
        key="sensitivity.tornado.download",
        on_click="ignore",
        help="Every key input's low and high value with the break-even, savings and "
        "NPV of savings at each ('never' = not within the horizon), in the "
        "order of the chosen result.",
    )
    st.download_button(
        "Tornado table CSV",
        lambda: table_csv(model.tornado_frame(table, scenario, metric)).encode("utf-8"),
        f"{state.file_stem()}-tornado-table.csv",
        "text/csv",
        key="sensitivity.tornado.table",
        on_click="ignore",
        help="The same table alone, one header row: pandas.read_csv reads it as is.",
    )


def _range_inputs(axis: str, name: str, scenario: Scenario) -> tuple[float, float]:
    spec, value = FIELD_BY_NAME[name], float(getattr(scenario, name))
    low, high = model.default_range(name, value)
    kind = int if spec.integer else float
    places = max(decimals(spec), *(len(f"{v:.10f}".rstrip("0").split(".")[1]) for v in (low, high)))
    number = {
        "min_value": kind(spec.min),
        "max_value": kind(spec.max),
        "step": kind(spec.step),
        "format": "%d" if spec.integer else f"%.{min(places, 10)}f",
        "persist_state": "session",
    }
    key = f"sensitivity.map.{axis}.{name}.{value!r}"  # a new input or a new current value: fresh defaults
    first, second = st.columns(2)
    low = first.number_input(f"{axis.upper()} from", value=kind(low), key=f"{key}.from", **number)
    high = second.number_input(f"{axis.upper()} to", value=kind(high), key=f"{key}.to", **number)
    return float(low), float(high)


@st.fragment
def map_section(scenario: Scenario, view: str) -> None:
    cur, h = scenario.currency, scenario.horizon_months
    st.subheader("Break-even map: two inputs at once")
    st.caption(
        "The result over a grid of two inputs, every other input as it is now. The star is the current "
        f"scenario; each axis defaults to ±{model.MAP_SPREAD:.0%} of its current value."
    )
    first, second = model.default_map_inputs(tornado_table(to_json(scenario), view, float(TORNADO_PERCENT)), h)

    def label(n):
        return model.input_label(n, cur)

    x_col, y_col, option_col = st.columns([2, 2, 3], gap="medium")  # room for the two result buttons
    with x_col:
        x = st.selectbox(
            "Across (x axis)",
            model.INPUT_ORDER,
            index=model.INPUT_ORDER.index(first),
            format_func=label,
            key="sensitivity.map.x",
            persist_state="session",
        )
        x_range = _range_inputs("x", x, scenario)
    with y_col:
        y = st.selectbox(
            "Up (y axis)",
            model.INPUT_ORDER,
            index=model.INPUT_ORDER.index(second),
            format_func=label,
            key="sensitivity.map.y",
            persist_state="session",
        )
        y_range = _range_inputs("y", y, scenario)
    with option_col:
        metric = _metric_picker("sensitivity.map.metric", "Colour by", "break_even", charts.MAP_RESULTS)
        points = st.slider(
            "Grid points per axis",
            *MAP_POINTS,
            key="sensitivity.map.points",
            persist_state="session",
            help=f"Up to {MAP_POINTS[1]} × {MAP_POINTS[1]} what-ifs, evaluated in one batch.",
        )
    problems = model.map_problems(x, x_range, y, y_range, cur)
    for problem in problems:
        st.error(md(problem))
    if problems:
        return
    try:
        break_even, savings = sensitivity_map(to_json(scenario), view, x, x_range, y, y_range, points)
    except risk.RiskInputError as exc:
        st.error(md(str(exc)))
        return
    xs, ys = model.axis_values(x, *x_range, points), model.axis_values(y, *y_range, points)
    current = (float(getattr(scenario, x)), float(getattr(scenario, y)))
    st.plotly_chart(
        charts.sensitivity_map_figure(
            xs, ys, break_even if metric == "break_even" else savings, metric, label(x), label(y), current, h, cur
        ),
        config=pieces.CHART_CONFIG,
    )
    st.caption(md(model.map_notes(x, x_range, y, y_range, break_even, metric, scenario)))
    st.download_button(
        "Map CSV",
        model.map_csv(x, xs, y, ys, break_even, savings, scenario, view).encode("utf-8"),
        f"{state.file_stem()}-map-{x}-{y}.csv",
        "text/csv",
        key="sensitivity.map.download",
        on_click="ignore",
        help="One row per grid cell: both input values, the break-even month "
        "('never' = not within the horizon) and the savings.",
    )
    st.download_button(
        "Map table CSV",
        lambda: table_csv(model.map_frame(x, xs, y, ys, break_even, savings, scenario)).encode("utf-8"),
        f"{state.file_stem()}-map-{x}-{y}-table.csv",
        "text/csv",
        key="sensitivity.map.table",
        on_click="ignore",
        help="The grid alone, one header row: pandas.read_csv reads it as is.",
    )


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
        d, spec = model.default_distribution(name, value), FIELD_BY_NAME[name]
        kind = int if spec.integer else float
        for part, v in (
            ("kind", d.kind),
            ("low", kind(d.low)),
            ("likely", kind(d.likely)),
            ("high", kind(d.high)),
            ("sigma", d.sigma),
        ):
            st.session_state[_key(name, part)] = v
        centres[name] = value


COLUMNS = [1.5, 1.2, 1.5, 1.2, 1.0]  # distribution, low, likely / median, high, sigma


def _distribution_row(name: str, scenario: Scenario) -> None:
    spec = FIELD_BY_NAME[name]
    kind = int if spec.integer else float
    values = [st.session_state[_key(name, p)] for p in ("low", "likely", "high")]
    places = max(decimals(spec), *(len(f"{float(v):.10f}".rstrip("0").split(".")[1]) for v in values))
    number = {
        "min_value": kind(spec.min),
        "max_value": kind(spec.max),
        "step": kind(spec.step),
        "format": "%d" if spec.integer else f"%.{min(places, 10)}f",
        "persist_state": "session",
    }
    # Every cell keeps its label: on a phone the cells stack and a header row would be far away.
    st.markdown(
        md(model.input_label(name, scenario.currency))
        + f" :gray[now {md(model.value_with_unit(name, getattr(scenario, name), scenario.currency))}]"
    )
    cells = st.columns(COLUMNS, vertical_alignment="bottom")
    cells[0].selectbox(
        "Distribution",
        list(KINDS),
        format_func=KINDS.get,
        key=_key(name, "kind"),
        persist_state="session",
        help=KIND_HELP,
    )
    for cell, part in zip(cells[1:4], PARTS):
        cell.number_input(PARTS[part], key=_key(name, part), **number)
    cells[4].number_input(
        "Sigma",
        0.01,
        3.0,
        step=0.05,
        format="%.2f",
        key=_key(name, "sigma"),
        persist_state="session",
        disabled=st.session_state[_key(name, "kind")] != "lognormal",
        help="Lognormal only: the spread of log values (0.25 ≈ ±25 %). Follows the "
        "distribution chosen once the simulation is run.",
    )


def _requested_rows(names: Sequence[str]) -> tuple:
    return tuple(
        (
            name,
            st.session_state[_key(name, "kind")],
            *(float(st.session_state[_key(name, p)]) for p in ("low", "likely", "high", "sigma")),
        )
        for name in names
    )


@st.fragment
def monte_carlo_section(scenario: Scenario, view: str) -> None:
    cur = scenario.currency
    st.subheader("Monte Carlo: how sure is the payback?")
    st.caption(
        "Give each uncertain input a distribution; every simulated future draws all of them at once. "
        "The same inputs and seed always give the same figures."
    )
    if "sensitivity.mc.inputs" not in st.session_state:
        st.session_state["sensitivity.mc.inputs"] = model.default_uncertain_inputs(
            tornado_table(to_json(scenario), view, model.MC_SPREAD * 100), scenario
        )
    names = st.multiselect(
        "Uncertain inputs",
        model.INPUT_ORDER,
        format_func=lambda n: model.input_label(n, cur),
        key="sensitivity.mc.inputs",
        max_selections=model.MC_MAX_INPUTS,
        persist_state="session",
        help="Inputs not chosen stay at their current value. Defaults: the inputs with the "
        "largest tornado swing, triangular ±30 % around their current value.",
    )
    _centre_rows(names, scenario)
    with st.form("sensitivity.mc.form"):
        if names:
            for name in names:
                _distribution_row(name, scenario)
        else:
            st.caption("No uncertain inputs chosen: every future is the current scenario.")
        draws_col, seed_col = st.columns([3, 2], gap="large", vertical_alignment="bottom")
        draws = draws_col.select_slider(
            "Simulated futures",
            DRAW_CHOICES,
            value=DEFAULT_DRAWS,
            format_func=lambda n: f"{n:,}",
            key="sensitivity.mc.draws",
            persist_state="session",
        )
        seed = seed_col.number_input(
            "Random seed",
            0,
            2**31 - 1,
            0,
            1,
            key="sensitivity.mc.seed",
            persist_state="session",
            help="Same inputs and seed → the same figures.",
        )
        run = st.form_submit_button("Run simulation", type="primary", key="sensitivity.mc.run")
    if run:
        rows = _requested_rows(names)
        problems = model.check_distributions(rows)
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
    except risk.RiskInputError as exc:  # checked above; kept for requests from older sessions
        st.error(md(str(exc)))
        return
    monte_carlo_results(result, request, scenario, view)


def monte_carlo_results(result: risk.MonteCarlo, request: tuple, scenario: Scenario, view: str) -> None:
    """Headline, probabilities, histogram, fan chart and downloads of one simulation."""
    scenario_json, run_view, rows, _, _ = request
    simulated = parse_json(scenario_json)
    cur, h = simulated.currency, simulated.horizon_months
    if scenario_json != to_json(scenario) or run_view != view:
        st.warning(
            "These results are for the scenario and view as they were when the simulation ran: press "
            "**Run simulation** to update them."
        )
    st.markdown(f"#### {md(result.headline())}.")
    distributions = model.distributions_from(rows)
    st.caption(md(model.simulation_text(result, distributions, run_view, cur)))
    cards = model.payback_cards(result)
    st.markdown("**Share of the simulated futures in which the edge pays back**")
    for column, (label, value, help_text) in zip(st.columns(len(cards)), cards):
        column.metric(label, value, help=help_text, border=True)
    if result.kgco2e_avoided is not None:
        st.markdown(md(f"{result.carbon_headline()}."))
    st.markdown(md(model.savings_sentence(result, cur)))
    curve = model.cumulative_savings(state.analysis(simulated).finance(run_view))
    left, right = st.columns(2, gap="large")
    with left:
        st.plotly_chart(
            charts.break_even_histogram_figure(risk.break_even_histogram(result, model.histogram_bins(h)), h),
            config=pieces.CHART_CONFIG,
        )
    with right:
        st.plotly_chart(charts.savings_fan_figure(result.bands, cur, curve), config=pieces.CHART_CONFIG)
    name = state.file_stem()
    with st.container(horizontal=True):
        st.download_button(
            "Simulation CSV",
            model.monte_carlo_csv(result, distributions, simulated, run_view).encode("utf-8"),
            f"{name}-monte-carlo.csv",
            "text/csv",
            key="sensitivity.mc.download",
            on_click="ignore",
            help="Summary, uncertain inputs, break-even histogram and P10/P50/P90 savings by month.",
        )
        st.download_button(
            "Every draw CSV",
            lambda: model.draws_csv(result, cur).encode("utf-8"),
            f"{name}-monte-carlo-draws.csv",
            "text/csv",
            key="sensitivity.mc.download_draws",
            on_click="ignore",
            help="One row per simulated future: break-even month and savings.",
        )
        st.download_button(
            "Savings bands CSV",
            lambda: table_csv(model.bands_frame(result, cur)).encode("utf-8"),
            f"{name}-monte-carlo-bands.csv",
            "text/csv",
            key="sensitivity.mc.download_bands",
            on_click="ignore",
            help="P10/P50/P90 cumulative savings by month, one header row.",
        )


# ── For the printed report ─────────────────────────────────────────────────────────────────────────
def report_risk_html(scenario: Scenario) -> str | None:
    """The tornado's top drivers and the Monte Carlo's probability of paying back, as last run in this session
    (None when neither was): for the current scenario only; one run on an earlier version of it is named instead."""
    tornado, request, now = st.session_state.get(TORNADO_RUN), st.session_state.get(REQUEST), to_json(scenario)
    parts = []
    if tornado is not None:
        scenario_json, view, percent, custom, metric = tornado
        parts.append("<h3>What moves the result most (tornado)</h3>")
        parts.append(
            printable.drivers_html(tornado_table(*tornado[:4]), metric, percent, bool(custom), view, scenario)
            if scenario_json == now
            else printable.not_current_html("tornado")
        )
    if request is not None:
        parts.append("<h3>How sure the payback is (Monte Carlo)</h3>")
        if request[0] != now:
            parts.append(printable.not_current_html("simulation"))
        else:
            try:
                result = simulate(*request)
                distributions = model.distributions_from(request[2])
                parts.append(printable.monte_carlo_html(result, distributions, request[1], scenario.currency))
            except risk.RiskInputError as exc:  # checked before a run; an older session's request may still fail
                parts.append(f"<p class='meta'>{printable.escape(exc)}</p>")
    return "".join(parts) or None
