"""Plotly figures for the app, built by pure functions from analyses and tables (no Streamlit).

Money axes and hover labels follow `planner.schema.format.money`: '$12,345' for USD, '12,345 EUR' for
any other currency label. Time is months from go-live (t = 0); capex shows as a vertical step.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import cycle

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from planner.exports.report import SIDES, Analysis, column_name
from planner.model.costs import COMPONENTS, side_components
from planner.model.finance import step_curve
from planner.schema.format import (
    RESULTS,
    SYMBOLS,
    break_even_text,
    break_even_value_text,
    carbon_break_even_text,
    input_value_text,
    money,
    ms_text,
    never_text,
    result_name,
)

SIDE_COLORS = {"cloud": "#2563eb", "edge": "#059669"}
MARKER_COLOR = "#64748b"  # marks and reference lines: a slate that reads on the light and the dark theme
LABEL_TEXT_COLOR = "#111827"  # text on a label's own white box
ZERO_LINE = {  # a thin line at y = 0 across the plot
    "type": "line",
    "xref": "x domain",
    "x0": 0,
    "x1": 1,
    "y0": 0,
    "y1": 0,
    "line": {"color": MARKER_COLOR, "width": 1},
}


def marker_line(x: float) -> dict:
    """A dashed vertical line at `x` across the plot (a target, the current scenario)."""
    return {
        "type": "line",
        "x0": x,
        "x1": x,
        "yref": "y domain",
        "y0": 0,
        "y1": 1,
        "line": {"color": MARKER_COLOR, "width": 2, "dash": "dash"},
    }


PALETTE = qualitative.D3 + qualitative.Bold + qualitative.Vivid + qualitative.Safe  # saturated enough to read on white
COMPONENT_COLORS = dict(zip((c.key for c in COMPONENTS), cycle(PALETTE)))  # one colour, one component, in every chart
MONTHS_AXIS = "Months from go-live"
LABEL_STYLE = {
    "font": {"color": LABEL_TEXT_COLOR, "size": 13},
    "bgcolor": "rgba(255,255,255,0.9)",
    "bordercolor": MARKER_COLOR,
    "borderpad": 4,
    "arrowcolor": MARKER_COLOR,
}


@dataclass(frozen=True)
class Curves:
    """Cumulative cost of one scenario over its horizon as step curves (t in months, y in currency)."""

    t: np.ndarray
    cloud: np.ndarray
    edge: np.ndarray
    break_even: float | None  # fractional months; None = not within the horizon
    horizon: int
    currency: str

    @property
    def savings(self) -> np.ndarray:
        return self.cloud - self.edge

    @property
    def headline(self) -> str:
        """'Pays back in month 1 (0.6 months)' / 'Does not pay back within 36 months'."""
        text = break_even_text(self.break_even, self.horizon)
        return text[0].upper() + text[1:]


def curves(a: Analysis, view: str = "cash") -> Curves:
    """Step curves of cloud and edge cumulative cost, capex paid at the start of its month."""
    f = a.finance(view)
    h = int(f.horizon[0])
    capex = f.edge_capex[0, :h]
    t, cloud = step_curve(f.cloud_running_monthly[0, :h], f.cloud_upfront[0, :h])
    _, edge = step_curve(f.edge_running_monthly[0, :h], capex)
    be = float(f.break_even_month[0])
    return Curves(t, cloud, edge, be if math.isfinite(be) else None, h, a.scenario.currency)


# ── Formatting ─────────────────────────────────────────────────────────────────────────────────────
def money_axis(currency: str) -> dict:
    """Plotly axis settings that print money like the app does: '-$10,000' or '-10,000 EUR'."""
    if SYMBOLS.get(currency) == "$":
        return {"tickformat": "$,.0f", "separatethousands": True}  # d3's currency format: sign first
    return {"tickformat": ",.0f", "ticksuffix": f" {currency}", "separatethousands": True}


def money_hover(currency: str, field: str = "y") -> str:
    """A hover value written like `format.money`: '-$1,234' or '-1,234 EUR'."""
    return f"%{{{field}:$,.0f}}" if SYMBOLS.get(currency) == "$" else f"%{{{field}:,.0f}} {currency}"


# Every figure's legend: at its foot, under the axis title however many rows it wraps to or however far rotated
# tick labels push the title down (Plotly makes room for it).
BOTTOM_LEGEND = {"orientation": "h", "yref": "container", "yanchor": "bottom", "y": 0, "x": 0, "xanchor": "left"}


def _layout(title: str, currency: str, y_title: str, height: int = 420, **changes) -> dict:
    """The layout of the money-over-months figures; `changes` replace whole top-level entries."""
    return {
        "title": {"text": title, "x": 0, "xanchor": "left"},
        "height": height,
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        "legend": BOTTOM_LEGEND,
        "hovermode": "x unified",
        "xaxis": {"title": {"text": MONTHS_AXIS}, "rangemode": "tozero"},
        "yaxis": {"title": {"text": f"{y_title} [{currency}]"}, **money_axis(currency)},
        **changes,
    }


def _figure(traces: list[dict], layout: dict) -> go.Figure:
    """A figure from plain trace and layout specs in one constructor call: plotly then validates the
    spec once, several times faster than building it call by call (add_*, update_*)."""
    return go.Figure(data=traces, layout=layout)


# ── Figures ────────────────────────────────────────────────────────────────────────────────────────
def cumulative_figure(c: Curves, title: str = "Cumulative cost: cloud vs edge", height: int = 420) -> go.Figure:
    """Cloud and edge cumulative cost with the break-even point marked and labelled."""
    traces = [
        {
            "type": "scatter",
            "x": c.t,
            "y": getattr(c, side),
            "mode": "lines",
            "name": SIDES[side],
            "line": {"color": SIDE_COLORS[side], "width": 3},
            "hovertemplate": f"{money_hover(c.currency)}<extra>{SIDES[side]}</extra>",
        }
        for side in ("cloud", "edge")
    ]
    if c.break_even is not None:
        y = float(np.interp(c.break_even, c.t, c.cloud))
        traces.append(
            {
                "type": "scatter",
                "x": [c.break_even],
                "y": [y],
                "mode": "markers",
                "name": "Break-even",
                "marker": {"color": MARKER_COLOR, "size": 12, "symbol": "diamond"},
                "hovertemplate": f"{c.headline}<extra></extra>",
            }
        )
        late = c.break_even > c.horizon / 2  # label on the side with room
        label = {
            "x": c.break_even,
            "y": y,
            "text": "<b>" + c.headline.replace(" (", "<br>(") + "</b>",
            "showarrow": True,
            "arrowhead": 2,
            "ax": -30 if late else 30,
            "ay": -60,
            "xanchor": "right" if late else "left",
            "align": "left",
            **LABEL_STYLE,
        }
    else:
        label = {
            "xref": "paper",
            "yref": "paper",
            "x": 0.02,
            "y": 0.98,
            "xanchor": "left",
            "yanchor": "top",
            "text": f"<b>{c.headline}</b>",
            "showarrow": False,
            **LABEL_STYLE,
        }
    return _figure(traces, _layout(title, c.currency, "Cumulative cost", height, annotations=[label]))


def components_figure(table: pd.DataFrame, side: str, view: str, currency: str, height: int = 400) -> go.Figure:
    """Monthly cost by component of one side, from `report.monthly_table`, as stacked steps (one filled
    area per component, each month's value held across the month; all-zero lines left out).

    Month m is drawn from m − ½ to m + ½, the first and the last month whole: each line is padded with
    its first and last value at the axis ends. A component has one colour in every figure
    (`COMPONENT_COLORS`), on either side and in either view.

    Areas rather than bars: one shape per component instead of one per month, so the browser draws it
    faster and the stack reads the same."""
    month = table["month"].to_numpy()
    x = np.r_[month[0] - 0.5, month, month[-1] + 0.5] if len(month) else month
    traces = []
    for info in side_components(side, view):
        column = column_name(side, info.label, currency)
        values = table[column].to_numpy() if column in table else np.zeros(0)  # a carbon price only when set
        if np.any(values != 0):
            color = COMPONENT_COLORS[info.key]
            traces.append(
                {
                    "type": "scatter",
                    "x": x,
                    "y": np.r_[values[0], values, values[-1]],
                    "name": info.label,
                    "mode": "lines",
                    "stackgroup": side,
                    "line": {"color": color, "width": 1, "shape": "hvh"},
                    "fillcolor": color,
                    "hovertemplate": f"{money_hover(currency)}<extra>{info.label}</extra>",
                }
            )
    ends = [float(x[0]), float(x[-1])] if len(x) else [0, 1]
    return _figure(
        traces,
        _layout(
            f"{SIDES[side]}: cost per month<br>by component",
            currency,
            "Cost per month",
            height,
            xaxis={"title": {"text": "Month"}, "range": ends},  # two lines: half a
            margin={"l": 10, "r": 10, "t": 70, "b": 10},
        ),
    )  # 1024 px screen


def comparison_figure(entries: Sequence[tuple[str, Curves]], measure: str = "savings", height: int = 460) -> go.Figure:
    """Scenarios overlaid: cumulative savings (one line each) or cloud (dashed) and edge (solid) cost.

    A label is user text: it goes into the hover as data (`meta`), never into the template, where `%{y}` in a
    scenario name would be expanded."""
    if measure not in ("savings", "costs"):
        raise ValueError(f"measure must be 'savings' or 'costs', not {measure!r}")
    currency = entries[0][1].currency if entries else "USD"
    traces = []
    for (label, c), color in zip(entries, PALETTE):
        hover = money_hover(c.currency)
        if measure == "savings":
            traces.append(
                {
                    "type": "scatter",
                    "x": c.t,
                    "y": c.savings,
                    "mode": "lines",
                    "name": label,
                    "meta": label,
                    "line": {"color": color, "width": 3},
                    "hovertemplate": f"{hover}<extra>%{{meta}}</extra>",
                }
            )
            continue
        for side, dash in (("edge", "solid"), ("cloud", "dash")):
            name = f"{label} · {SIDES[side]}"
            traces.append(
                {
                    "type": "scatter",
                    "x": c.t,
                    "y": getattr(c, side),
                    "mode": "lines",
                    "name": name,
                    "meta": name,
                    "legendgroup": label,
                    "line": {"color": color, "width": 2.5, "dash": dash},
                    "hovertemplate": f"{hover}<extra>%{{meta}}</extra>",
                }
            )
    if measure == "savings":
        return _figure(
            traces,
            _layout(
                "Cumulative savings of the edge over the cloud",
                currency,
                "Cumulative savings",
                height,
                shapes=[ZERO_LINE],
            ),
        )
    return _figure(traces, _layout("Cumulative cost (cloud dashed, edge solid)", currency, "Cumulative cost", height))


# ── Advisor ────────────────────────────────────────────────────────────────────────────────────────
# The architecture advisor's latency budget (planner.advice.advisor.cloud_latency / edge_latency, in ms).
LATENCY_PATHS = {"cloud": "Cloud path", "edge": "Edge path"}
LATENCY_SHADES = {
    "cloud": ("#1e3a8a", "#2563eb", "#38bdf8", "#818cf8", "#bfdbfe"),  # cool: the cloud
    "edge": ("#065f46", "#34d399", "#a7f3d0"),
}  # green: the edge
NO_EDGE_PATH = "no catalog device fits the site"
LATENCY_AXIS_ROOM = 1.5  # the axis runs to 1.5 × the longest bar or line: room for the totals' labels
SHARED_PART_COLOR = "#9ca3af"  # grey: a part both paths share (the wait for the next analysed frame)


def latency_budget_figure(
    cloud_ms: dict[str, float],
    edge_ms: dict[str, float],
    required_ms: float,
    title: str = "Latency budget: one event, to the decision",
    height: int = 400,
) -> go.Figure:
    """Cloud and edge response time as stacked horizontal bars of their parts [ms], against the required
    response time (a dashed vertical line).

    One trace per part (name = the part, x = [ms], y = [the path]), in the order given; each bar ends in
    its total, marked ✓ when within the requirement and ✗ when over. An empty `edge_ms` (no device fits
    the site) leaves the edge row empty with a note (one hidden zero-width trace named NO_EDGE_PATH keeps
    the row on the axis). The axis runs from 0 past the longest of the two
    paths and the requirement, so the line and both totals are always in view.
    """
    traces, totals = [], {}
    shared = set(cloud_ms) & set(edge_ms)  # a part of both paths (the sampling wait): one grey legend entry
    for side, parts in (("cloud", cloud_ms), ("edge", edge_ms)):
        path = LATENCY_PATHS[side]
        shades = LATENCY_SHADES[side]
        own = [part for part in parts if part not in shared]
        for part, value in parts.items():
            both = part in shared
            color = SHARED_PART_COLOR if both else shades[own.index(part) % len(shades)]
            traces.append(
                {
                    "type": "bar",
                    "x": [float(value)],
                    "y": [path],
                    "name": part,
                    "orientation": "h",
                    "legendgroup": "shared" if both else side,
                    "showlegend": not both or side == "cloud",
                    "marker": {"color": color, "line": {"color": "white", "width": 1}},
                    "hovertemplate": f"{part}: %{{x:,.1f}} ms<extra>{path}</extra>",
                }
            )
        if parts:
            totals[side] = float(sum(parts.values()))
        else:  # keep the path's row on the axis, for the note
            traces.append(
                {
                    "type": "bar",
                    "x": [0.0],
                    "y": [path],
                    "name": NO_EDGE_PATH,
                    "orientation": "h",
                    "showlegend": False,
                    "hoverinfo": "skip",
                }
            )
    top = max([required_ms, *totals.values()])
    labels = []
    for side, path in LATENCY_PATHS.items():
        if side in totals:
            total = totals[side]
            mark = "✓ within" if total <= required_ms else "✗ over"
            text = f"<b>{ms_text(total)}</b> {mark}"
        else:
            text = f"<i>{NO_EDGE_PATH}</i>"
        labels.append(
            {
                "x": totals.get(side, 0.0),
                "y": path,
                "text": text,
                "showarrow": False,
                "xanchor": "left",
                "xshift": 6,
                "font": {"color": LABEL_TEXT_COLOR, "size": 13},
                "bgcolor": "rgba(255,255,255,0.85)",
            }
        )
    labels.append(
        {
            "x": required_ms,
            "y": 1,
            "yref": "paper",
            "yanchor": "bottom",
            "showarrow": False,
            "text": f"<b>Required ≤ {ms_text(required_ms)}</b>",
            **LABEL_STYLE,
        }
    )
    required = marker_line(required_ms)
    return _figure(
        traces,
        {
            "barmode": "stack",
            "bargap": 0.35,
            "height": height,
            "hovermode": "closest",
            "title": {"text": title, "x": 0, "xanchor": "left"},
            "margin": {"l": 10, "r": 10, "t": 80, "b": 10},
            "legend": {**BOTTOM_LEGEND, "traceorder": "normal"},
            "xaxis": {
                "ticksuffix": " ms",
                "range": [0, top * LATENCY_AXIS_ROOM],
                "tickformat": ",.0f",
                "separatethousands": True,
                "zeroline": True,
            },
            "yaxis": {
                "categoryorder": "array",
                "categoryarray": [LATENCY_PATHS["edge"], LATENCY_PATHS["cloud"]],
                "ticksuffix": "  ",
            },
            "annotations": labels,
            "shapes": [required],
        },
    )


# ── Sensitivity and risk ───────────────────────────────────────────────────────────────────────────
# Figures of planner.model.risk's results: tornado, two-input map, break-even histogram, savings fan.
# Break-even is in months from go-live; NaN means "does not pay back within the horizon", which every
# figure draws and labels as an outcome of its own (never as a gap or a zero).

MAP_RESULTS = ("savings", "break_even")  # what colours the two-input map; the tornado shows any of RESULTS
TORNADO_COLORS = {"low": "#d97706", "high": "#4f46e5"}
TORNADO_NAMES = {"low": "Input at its low value", "high": "Input at its high value"}
NEVER_COLOR = "#9ca3af"
FAN_COLOR = SIDE_COLORS["edge"]
CURRENT_SCENARIO = "Current scenario"


def risk_value_text(value: float, metric: str, horizon: int, currency: str) -> str:
    return break_even_value_text(value, horizon) if metric == "break_even" else money(value, currency)


def _month_ticks(horizon: int) -> list[int]:
    step = 6 if horizon <= 48 else 12 if horizon <= 120 else 24
    return list(range(0, horizon + 1, step))


def never_position(horizon: int) -> float:
    """Where 'never within the horizon' sits on a months axis: its own tick, clear of the last month's."""
    return horizon * 1.14 + 1


def _months_axis_with_never(horizon: int, title: str) -> dict:
    ticks, never_x = _month_ticks(horizon), never_position(horizon)
    return {
        "title": {"text": title},
        "tickvals": [*ticks, never_x],
        "ticktext": [*map(str, ticks), "<b>Never</b>"],
        "tickangle": 0,
        "range": [0, never_x + horizon * 0.08 + 1],
    }


def _risk_axis(metric: str, horizon: int, currency: str, latest: float | None = None) -> dict:
    """The result axis. Break-even: up to the 'Never' tick, or when every value pays back (`latest`, the
    latest of them) just past the latest one, so bars under a month are not squeezed against 0."""
    if metric == "break_even" and latest is not None:
        return {
            "title": {"text": "Break-even [months from go-live]"},
            "range": [0, max(latest, 1e-3) * 1.15],
            "tickformat": ",~g",
            "rangemode": "tozero",
        }
    if metric == "break_even":
        return _months_axis_with_never(horizon, "Break-even [months from go-live]")
    return {"title": {"text": f"{result_name(metric, horizon)} [{currency}]"}, **money_axis(currency)}


def tornado_figure(
    table: pd.DataFrame, metric: str, base_value: float, horizon: int, currency: str, height: int | None = None
) -> go.Figure:
    """Horizontal bars from the current scenario's result to the result at each input's low and high value.

    `table` has `risk.tornado`'s columns (label, unit, low, high, `<metric>_low`, `<metric>_high`), drawn
    top to bottom in its order. For `metric='break_even'` a future that never pays back is drawn up to
    the 'Never' tick past the horizon (`never_position`), and its hover says so; `base_value` may be NaN
    for the same reason.
    """
    if metric not in RESULTS:
        raise ValueError(f"metric must be one of {list(RESULTS)}, not {metric!r}")
    be = metric == "break_even"
    rows = table.reset_index(drop=True)
    ticks = [
        f"<b>{r.label}</b><br><span style='font-size:11px'>{input_value_text(r.input, r.low)} – "
        f"{input_value_text(r.input, r.high)} {r.unit}</span>"
        for r in rows.itertuples()
    ]
    never_x = never_position(horizon)
    base_plot = never_x if be and not math.isfinite(base_value) else float(base_value)
    traces = []
    for side in ("low", "high"):
        raw = rows[f"{metric}_{side}"].to_numpy(dtype=float)
        plot = np.where(np.isnan(raw), never_x, raw) if be else raw
        custom = (
            np.column_stack(
                [
                    [
                        f"{input_value_text(n, v)} {u}".rstrip()
                        for n, v, u in zip(rows["input"], rows[side], rows["unit"])
                    ],
                    [risk_value_text(v, metric, horizon, currency) for v in raw],
                ]
            )
            if len(rows)
            else None
        )
        traces.append(
            {
                "type": "bar",
                "y": ticks,
                "x": plot - base_plot,
                "base": base_plot,
                "orientation": "h",
                "name": TORNADO_NAMES[side],
                "marker": {"color": TORNADO_COLORS[side]},
                "customdata": custom,
                "hovertemplate": f"%{{customdata[0]}} → %{{customdata[1]}}<extra>{TORNADO_NAMES[side]}</extra>",
            }
        )
    results = np.r_[base_value, rows["break_even_low"], rows["break_even_high"]] if be else np.array([])
    latest = float(results.max()) if be and np.isfinite(results).all() else None  # None: some never pay back
    ends = np.r_[base_plot, *(t["base"] + t["x"] for t in traces)]  # where every bar ends, and the current value
    lo, hi = (0.0, latest if latest is not None else horizon) if be else (float(ends.min()), float(ends.max()))
    where = (base_plot - lo) / (hi - lo) if hi > lo else 0.5  # the current value's place across the axis, 0 to 1
    side = "right" if where > 0.6 else "left" if where < 0.4 else "center"  # keep the label in view on a phone
    labels = [
        {
            "x": base_plot,
            "y": 1,
            "yref": "paper",
            "yanchor": "bottom",
            "xanchor": side,
            "showarrow": False,
            "text": f"<b>{CURRENT_SCENARIO}:<br>{risk_value_text(base_value, metric, horizon, currency)}</b>",
            **LABEL_STYLE,
        }
    ]
    if not len(rows):
        labels.append(
            {
                "xref": "paper",
                "yref": "paper",
                "x": 0.5,
                "y": 0.5,
                "showarrow": False,
                "text": "No input changes the result over these ranges",
                **LABEL_STYLE,
            }
        )
    title = f"{result_name(metric, horizon)}:<br>each input at its low and high value"  # two lines: fits a phone
    current = marker_line(base_plot)
    return _figure(
        traces,
        {
            "title": {"text": title, "x": 0, "xanchor": "left"},
            "height": height or 180 + 44 * max(len(rows), 3),
            "barmode": "overlay",
            "bargap": 0.3,
            "hovermode": "closest",
            "margin": {"l": 10, "r": 30, "t": 140, "b": 40},  # the title, and below it the two-line label
            "legend": BOTTOM_LEGEND,
            "xaxis": _risk_axis(metric, horizon, currency, latest),
            "yaxis": {"autorange": "reversed", "automargin": True, "ticksuffix": "  "},
            "annotations": labels,
            "shapes": [current],
        },
    )


def _few_ticks(values: np.ndarray, most: int = 12) -> dict:
    """A tick on every value of a short axis (3 cameras: 2, 3, 4 — never 2.5)."""
    return {"tickvals": list(values)} if len(values) <= most else {}


def sensitivity_map_figure(
    xs,
    ys,
    values,
    metric: str,
    x_title: str,
    y_title: str,
    current: tuple[float, float],
    horizon: int,
    currency: str,
    height: int = 520,
) -> go.Figure:
    """Heatmap of break-even month or savings over a grid of two inputs (`values`: len(ys) × len(xs)),
    with the current scenario marked.

    Break-even: cells that never pay back within the horizon are grey, in a trace of their own with a
    legend entry. Savings: diverging around 0, with the savings = 0 line drawn where the grid crosses it.
    """
    if metric not in MAP_RESULTS:
        raise ValueError(f"metric must be one of {list(MAP_RESULTS)}, not {metric!r}")
    xs, ys, values = np.asarray(xs, float), np.asarray(ys, float), np.asarray(values, float)
    be = metric == "break_even"
    name = result_name(metric, horizon)
    text = [[risk_value_text(v, metric, horizon, currency) for v in row] for row in values]
    hover = f"{x_title}: %{{x:,~g}}<br>{y_title}: %{{y:,~g}}<br><b>{name}: %{{text}}</b><extra></extra>"
    fig = go.Figure()
    if be:
        finite = values[np.isfinite(values)]
        top = float(finite.max()) if finite.size and finite.max() > 0 else float(horizon)
        fig.add_heatmap(
            x=xs,
            y=ys,
            z=values,
            name=name,
            text=text,
            hovertemplate=hover,
            zmin=0,
            zmax=top,
            colorscale="Greens",
            reversescale=True,
            colorbar={"title": {"text": "Break-even<br>[months]"}, "tickformat": ",~g"},
        )
        never = np.where(np.isnan(values), 1.0, np.nan)
        fig.add_heatmap(
            x=xs,
            y=ys,
            z=never,
            name=f"Does not pay back within {horizon} months",
            text=text,
            hovertemplate=hover,
            colorscale=[[0, NEVER_COLOR], [1, NEVER_COLOR]],
            showscale=False,
            showlegend=True,
        )
    else:
        finite = values[np.isfinite(values)]
        fig.add_heatmap(
            x=xs,
            y=ys,
            z=values,
            name=name,
            text=text,
            hovertemplate=hover,
            colorscale="RdYlGn",
            zmid=0,
            colorbar={"title": {"text": f"Savings<br>[{currency}]"}, **money_axis(currency)},
        )
        if finite.size and finite.min() < 0 < finite.max():
            fig.add_contour(
                x=xs,
                y=ys,
                z=values,
                name="Savings = 0 (pays back just at the horizon)",
                contours={"start": 0, "end": 0, "size": 1, "coloring": "none"},
                line={"color": MARKER_COLOR, "width": 2, "dash": "dash"},
                showscale=False,
                showlegend=True,
                hoverinfo="skip",
            )
    cx, cy = current
    fig.add_scatter(
        x=[cx],
        y=[cy],
        mode="markers",
        name=CURRENT_SCENARIO,
        marker={"symbol": "star", "size": 18, "color": "white", "line": {"color": MARKER_COLOR, "width": 2}},
        hovertemplate=f"{CURRENT_SCENARIO}<br>{x_title}: %{{x:,~g}}<br>{y_title}: %{{y:,~g}}<extra></extra>",
    )
    fig.add_annotation(
        x=cx, y=cy, text=f"<b>{CURRENT_SCENARIO}</b>", showarrow=True, arrowhead=2, ax=0, ay=-36, **LABEL_STYLE
    )
    fig.update_layout(
        title={"text": f"{name} over two inputs", "x": 0, "xanchor": "left"},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        hovermode="closest",
        legend=BOTTOM_LEGEND,
        xaxis={"title": {"text": x_title}, "tickformat": ",~g", **_few_ticks(xs)},
        yaxis={"title": {"text": y_title}, "tickformat": ",~g", **_few_ticks(ys)},
    )
    return fig


def _share_ticks(top: float) -> list[float]:
    """Ticks of a share axis [%] up to `top` (never past 100 %), at most six."""
    step = next(s for s in (1, 2, 5, 10, 20, 25, 50) if top / s <= 5)
    return [float(v) for v in np.arange(0, min(top, 100) + 1e-9, step)]


def break_even_histogram_figure(table: pd.DataFrame, horizon: int, height: int = 420) -> go.Figure:
    """Share of simulated futures per break-even month range (from `risk.break_even_histogram`), with the
    share that never pays back within the horizon as a separate grey bar, labelled even when it is 0 %.
    """
    total = max(int(table["draws"].sum()), 1)
    paid = table[table["from_month"].notna()]
    never = int(table.loc[table["from_month"].isna(), "draws"].sum())
    lo, hi = paid["from_month"].to_numpy(float), paid["to_month"].to_numpy(float)
    width = hi - lo
    whole = np.allclose(lo, np.round(lo)) and np.allclose(hi, np.round(hi))
    ranges = [
        (f"Month {a + 1:.0f}" if b - a == 1 else f"Months {a + 1:.0f}–{b:.0f}")
        if whole
        else f"{a:,.1f}–{b:,.1f} months"
        for a, b in zip(lo, hi)
    ]
    share = paid["draws"].to_numpy(float) / total * 100
    fig = go.Figure()
    fig.add_bar(
        x=(lo + hi) / 2,
        y=share,
        width=width * 0.92,
        name="Pays back in this month",
        marker_color=FAN_COLOR,
        customdata=np.column_stack([ranges, paid["draws"]]) if len(paid) else None,
        hovertemplate="%{customdata[0]}: %{y:.1f}% (%{customdata[1]:,} futures)<extra></extra>",
    )
    gap = float(width.max()) if len(width) else horizon / 24
    never_x = never_position(horizon)
    never_share = never / total * 100
    label = never_text(horizon)
    fig.add_bar(
        x=[never_x],
        y=[never_share],
        width=[max(gap * 1.8, horizon * 0.05)],
        name=label[0].upper() + label[1:],
        marker_color=NEVER_COLOR,
        customdata=[[never]],
        hovertemplate=f"{label[0].upper() + label[1:]}: %{{y:.1f}}% (%{{customdata[0]:,}} futures)<extra></extra>",
    )
    fig.add_annotation(
        x=never_x,
        y=never_share,
        yanchor="bottom",
        showarrow=False,
        yshift=4,
        text=f"<b>{never_share:.1f}%</b><br>never",
        font={"color": MARKER_COLOR, "size": 13},
    )
    top = max(float(share.max()) if len(share) else 0.0, never_share, 1.0)
    fig.update_layout(
        title={"text": "Break-even month of each simulated future", "x": 0, "xanchor": "left"},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        bargap=0,
        hovermode="closest",
        legend=BOTTOM_LEGEND,
        xaxis=_months_axis_with_never(horizon, MONTHS_AXIS),
        yaxis={
            "title": {"text": "Share of simulated futures [%]"},
            "range": [0, top * 1.25],
            "tickvals": _share_ticks(top * 1.25),
            "ticktext": [f"{v:g}%" for v in _share_ticks(top * 1.25)],
        },
    )
    return fig


def savings_fan_figure(
    bands: np.ndarray, currency: str, current: np.ndarray | None = None, height: int = 420
) -> go.Figure:
    """Cumulative savings at each month's end: the P10–P90 band, the median (P50), and optionally the
    current scenario's own curve (`current`, one value per month) for reference. `bands`: (3, horizon)."""
    bands = np.asarray(bands, float)
    t = np.arange(1, bands.shape[1] + 1)
    hover = money_hover(currency)
    traces = [
        {
            "type": "scatter",
            "x": t,
            "y": bands[2],
            "mode": "lines",
            "name": "P90",
            "showlegend": False,
            "line": {"color": FAN_COLOR, "width": 1},
            "hovertemplate": f"{hover}<extra>P90</extra>",
        },
        {
            "type": "scatter",
            "x": t,
            "y": bands[0],
            "mode": "lines",
            "name": "P10 – P90 (8 in 10 futures)",
            "fill": "tonexty",
            "fillcolor": "rgba(5, 150, 105, 0.2)",
            "line": {"color": FAN_COLOR, "width": 1},
            "hovertemplate": f"{hover}<extra>P10</extra>",
        },
        {
            "type": "scatter",
            "x": t,
            "y": bands[1],
            "mode": "lines",
            "name": "Median (P50)",
            "line": {"color": FAN_COLOR, "width": 3},
            "hovertemplate": f"{hover}<extra>P50</extra>",
        },
    ]
    if current is not None:
        traces.append(
            {
                "type": "scatter",
                "x": t,
                "y": np.asarray(current, float),
                "mode": "lines",
                "name": CURRENT_SCENARIO,
                "line": {"color": MARKER_COLOR, "width": 2, "dash": "dash"},
                "hovertemplate": f"{hover}<extra>{CURRENT_SCENARIO}</extra>",
            }
        )
    return _figure(
        traces,
        _layout(
            "Cumulative savings: P10, P50 and P90 of the simulated futures",
            currency,
            "Cumulative savings",
            height,
            shapes=[ZERO_LINE],
        ),
    )


# ── Carbon ─────────────────────────────────────────────────────────────────────────────────────────
def carbon_figures(a: Analysis, view: str = "cash", height: int = 380) -> tuple[go.Figure, go.Figure]:
    """Emissions of both sides: per month [kg CO₂e] and cumulative [t CO₂e], the carbon break-even marked.

    Per month, the edge line leaves out devices bought (a spike of their whole embodied emissions would flatten
    the rest); the cumulative curves are steps like the money curves, devices bought counting at the start of
    their month in the cash view, spread over their life in the accounting view."""
    kg, h = a.carbon(view), int(a.costs.horizon[0])
    month = np.arange(1, h + 1)
    edge_running = kg.edge_running_monthly[0, :h]
    lump = kg.edge_monthly[0, :h] - edge_running
    series = {"cloud": kg.cloud_monthly[0, :h], "edge": edge_running}
    names = {"cloud": "Cloud", "edge": "Edge (devices bought: see cumulative)" if lump.any() else "Edge"}
    monthly = [
        {
            "type": "scatter",
            "x": month,
            "y": series[side],
            "mode": "lines",
            "name": names[side],
            "line": {"color": SIDE_COLORS[side], "width": 3, "shape": "hvh"},
            "hovertemplate": f"%{{y:,.1f}} kg CO₂e<extra>{SIDES[side]}</extra>",
        }
        for side in SIDES
    ]
    per_month = _figure(
        monthly,
        _layout(
            "Emissions per month",
            "kg CO₂e",
            "Emissions per month",
            height,
            yaxis={"title": {"text": "Emissions per month [kg CO₂e]"}, "tickformat": ",.0f", "rangemode": "tozero"},
        ),
    )
    cumulative = []
    for side in SIDES:
        t, y = step_curve(series[side], lump if side == "edge" else np.zeros(h))
        cumulative.append(
            {
                "type": "scatter",
                "x": t,
                "y": y / 1000,
                "mode": "lines",
                "name": SIDES[side],
                "line": {"color": SIDE_COLORS[side], "width": 3},
                "hovertemplate": f"%{{y:,.2f}} t CO₂e<extra>{SIDES[side]}</extra>",
            }
        )
    be = float(a.carbon("cash").break_even_month[0])
    if view == "cash" and not math.isnan(be):
        y = float(np.interp(be, cumulative[0]["x"], cumulative[0]["y"]))
        cumulative.append(
            {
                "type": "scatter",
                "x": [be],
                "y": [y],
                "mode": "markers",
                "name": "Carbon break-even",
                "marker": {"color": MARKER_COLOR, "size": 12, "symbol": "diamond"},
                "hovertemplate": f"{carbon_break_even_text(be, h)}<extra></extra>",
            }
        )
    total = _figure(
        cumulative,
        _layout(
            "Cumulative emissions",
            "t CO₂e",
            "Cumulative emissions",
            height,
            yaxis={"title": {"text": "Cumulative emissions [t CO₂e]"}, "tickformat": ",.1f", "rangemode": "tozero"},
        ),
    )
    return per_month, total
