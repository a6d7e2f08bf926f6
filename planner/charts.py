"""Plotly figures for the app, built by pure functions from analyses and tables (no Streamlit).

Money axes and hover labels follow `planner.ui.format.money`: '$12,345' for USD, '12,345 EUR' for
any other currency label. Time is months from go-live (t = 0); capex shows as a vertical step.
"""
from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.colors import qualitative

from .costs import side_components
from .finance import step_curve
from .report import SIDES, Analysis, break_even_text, column_name
from .ui.format import SYMBOLS

SIDE_COLORS = {"cloud": "#2563eb", "edge": "#059669"}
MARKER_COLOR = "#111827"
PALETTE = qualitative.D3 + qualitative.Bold          # saturated enough to read on white
MONTHS_AXIS = "Months from go-live"
LABEL_STYLE = {"font": {"color": MARKER_COLOR, "size": 13}, "bgcolor": "rgba(255,255,255,0.9)",
               "bordercolor": MARKER_COLOR, "borderpad": 4, "arrowcolor": MARKER_COLOR}


@dataclass(frozen=True)
class Curves:
    """Cumulative cost of one scenario over its horizon as step curves (t in months, y in currency)."""
    t: np.ndarray
    cloud: np.ndarray
    edge: np.ndarray
    break_even: float | None        # fractional months; None = not within the horizon
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
    t, cloud = step_curve(f.cloud_monthly[0, :h], np.zeros(h))
    _, edge = step_curve(f.edge_running_monthly[0, :h], capex)
    be = float(f.break_even_month[0])
    return Curves(t, cloud, edge, be if math.isfinite(be) else None, h, a.scenario.currency)


# ── Formatting ─────────────────────────────────────────────────────────────────────────────────────
def money_axis(currency: str) -> dict:
    """Plotly axis settings that print money like the app does."""
    symbol = SYMBOLS.get(currency)
    return {"tickformat": ",.0f", "tickprefix": symbol or "", "ticksuffix": "" if symbol else f" {currency}",
            "separatethousands": True}


def money_hover(currency: str, value: str = "%{y:,.0f}") -> str:
    symbol = SYMBOLS.get(currency)
    return f"{symbol}{value}" if symbol else f"{value} {currency}"


def _layout(fig: go.Figure, title: str, currency: str, y_title: str, height: int = 420) -> go.Figure:
    fig.update_layout(
        title={"text": title, "x": 0, "xanchor": "left"},
        height=height,
        margin={"l": 10, "r": 10, "t": 50, "b": 10},
        legend={"orientation": "h", "yanchor": "top", "y": -0.22, "x": 0, "xanchor": "left"},
        hovermode="x unified",
        xaxis={"title": {"text": MONTHS_AXIS}, "rangemode": "tozero"},
        yaxis={"title": {"text": f"{y_title} [{currency}]"}, **money_axis(currency)},
    )
    return fig


# ── Figures ────────────────────────────────────────────────────────────────────────────────────────
def cumulative_figure(c: Curves, title: str = "Cumulative cost: cloud vs edge", height: int = 420) -> go.Figure:
    """Cloud and edge cumulative cost with the break-even point marked and labelled."""
    fig = go.Figure()
    for side in ("cloud", "edge"):
        fig.add_scatter(x=c.t, y=getattr(c, side), mode="lines", name=SIDES[side],
                        line={"color": SIDE_COLORS[side], "width": 3},
                        hovertemplate=f"{money_hover(c.currency)}<extra>{SIDES[side]}</extra>")
    if c.break_even is not None:
        y = float(np.interp(c.break_even, c.t, c.cloud))
        fig.add_scatter(x=[c.break_even], y=[y], mode="markers", name="Break-even",
                        marker={"color": MARKER_COLOR, "size": 12, "symbol": "diamond"},
                        hovertemplate=f"{c.headline}<extra></extra>")
        late = c.break_even > c.horizon / 2               # label on the side with room
        fig.add_annotation(x=c.break_even, y=y, text="<b>" + c.headline.replace(" (", "<br>(") + "</b>",
                           showarrow=True, arrowhead=2, ax=-30 if late else 30, ay=-60,
                           xanchor="right" if late else "left", align="left", **LABEL_STYLE)
    else:
        fig.add_annotation(xref="paper", yref="paper", x=0.02, y=0.98, xanchor="left", yanchor="top",
                           text=f"<b>{c.headline}</b>", showarrow=False, **LABEL_STYLE)
    return _layout(fig, title, c.currency, "Cumulative cost", height)


def components_figure(table: pd.DataFrame, side: str, view: str, currency: str, height: int = 400) -> go.Figure:
    """Stacked monthly cost by component of one side, from `report.monthly_table` (all-zero lines left out)."""
    fig = go.Figure()
    colors = iter(PALETTE)
    for info in side_components(side, view):
        values = table[column_name(side, info.label, currency)]
        color = next(colors)
        if not np.any(values.to_numpy() != 0):
            continue
        fig.add_bar(x=table["month"], y=values, name=info.label, marker_color=color,
                    hovertemplate=f"{money_hover(currency)}<extra>{info.label}</extra>")
    fig.update_layout(barmode="stack", bargap=0.15)
    fig = _layout(fig, f"{SIDES[side]}: cost per month by component", currency, "Cost per month", height)
    fig.update_xaxes(title_text="Month")
    return fig


def comparison_figure(entries: Sequence[tuple[str, Curves]], measure: str = "savings",
                      height: int = 460) -> go.Figure:
    """Scenarios overlaid: cumulative savings (one line each) or cloud (dashed) and edge (solid) cost."""
    if measure not in ("savings", "costs"):
        raise ValueError(f"measure must be 'savings' or 'costs', not {measure!r}")
    currency = entries[0][1].currency if entries else "USD"
    fig = go.Figure()
    for (label, c), color in zip(entries, PALETTE):
        hover = money_hover(c.currency)
        if measure == "savings":
            fig.add_scatter(x=c.t, y=c.savings, mode="lines", name=label, line={"color": color, "width": 3},
                            hovertemplate=f"{hover}<extra>{label}</extra>")
            continue
        for side, dash in (("edge", "solid"), ("cloud", "dash")):
            fig.add_scatter(x=c.t, y=getattr(c, side), mode="lines", name=f"{label} · {SIDES[side]}",
                            legendgroup=label, line={"color": color, "width": 2.5, "dash": dash},
                            hovertemplate=f"{hover}<extra>{label} · {SIDES[side]}</extra>")
    if measure == "savings":
        fig.add_hline(y=0, line={"color": MARKER_COLOR, "width": 1})
        return _layout(fig, "Cumulative savings of the edge over the cloud", currency, "Cumulative savings", height)
    return _layout(fig, "Cumulative cost (cloud dashed, edge solid)", currency, "Cumulative cost", height)
