"""Cumulative costs, break-even, payback, ROI, NPV and TCO from a `Costs` evaluation.

Timing convention: capex ("lump" lines: hardware, installation) is paid at the start of its month
(month 0 = go-live, t = 0); every other cost accrues evenly through its month. Cumulative savings
S(t) = cloud(t) − edge(t) are therefore linear inside a month and jump down at each capex payment, so
the break-even time is found exactly, without iteration:

    S_start(m) = S_end(m−1) − capex(m)          S_end(m) = S_start(m) + cloud(m) − edge_opex(m)
    break-even = m + (−S_start(m)) / (cloud(m) − edge_opex(m))   for the first m with S_end(m) ≥ 0

It is 0 when the edge needs no capex and costs less from the start. When S never reaches 0 inside the
horizon the answer is "never", stored as NaN in arrays and None (JSON null) in summaries — a normal
result, not an error. NPV discounts capex at the start of its month and other flows at its end.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .costs import Costs, VIEWS


@dataclass(frozen=True)
class Finance:
    """Per-scenario results (arrays of shape (n,)) and the monthly series behind them ((n, M))."""
    view: str
    cloud_monthly: np.ndarray
    edge_monthly: np.ndarray          # including capex in the cash view
    edge_capex: np.ndarray            # lump payments per month (zeros in the accounting view)
    cloud_cumulative: np.ndarray      # at the end of each month
    edge_cumulative: np.ndarray
    break_even_month: np.ndarray      # fractional months from go-live; NaN = not within the horizon
    payback_months: np.ndarray        # break-even of the cash view
    cloud_total: np.ndarray           # TCO over each scenario's horizon
    edge_total: np.ndarray
    savings_total: np.ndarray
    capex_total: np.ndarray           # cash capex paid within the horizon
    npv_savings: np.ndarray
    roi_percent: np.ndarray           # savings_total / capex_total × 100; NaN when there is no capex
    horizon: np.ndarray

    @property
    def pays_back(self) -> np.ndarray:
        return ~np.isnan(self.break_even_month)


def break_even(opening_gap: np.ndarray, lump: np.ndarray, horizon: np.ndarray) -> np.ndarray:
    """First t (fractional months) where cumulative savings reach 0; NaN if not before `horizon`.

    opening_gap : (n, M) cloud cost minus edge accruing cost, per month [money/month]
    lump        : (n, M) edge capex paid at the start of each month [money]
    horizon     : (n,) months that count

    >>> break_even(np.array([[10., 10., 10.]]), np.array([[15., 0., 0.]]), np.array([3]))
    array([1.5])
    """
    s_end = np.cumsum(opening_gap - lump, axis=1)
    reached = s_end >= 0
    reached &= np.arange(s_end.shape[1])[None, :] < horizon[:, None]
    first = np.argmax(reached, axis=1)
    rows = np.arange(s_end.shape[0])
    gap = opening_gap[rows, first]
    s_start = s_end[rows, first] - gap
    with np.errstate(divide="ignore", invalid="ignore"):
        fraction = np.where(s_start >= 0, 0.0, -s_start / np.where(gap > 0, gap, 1.0))
    return np.where(reached.any(axis=1), first + np.clip(fraction, 0, 1), np.nan)


def _within(values: np.ndarray, horizon: np.ndarray) -> np.ndarray:
    """Zero the months past each row's horizon (a no-op when every horizon fills the grid)."""
    if np.all(horizon >= values.shape[1]):
        return values
    return np.where(np.arange(values.shape[1])[None, :] < horizon[:, None], values, 0.0)


def analyse(costs: Costs, view: str = "cash", discount_percent_per_year: np.ndarray | float = 0.0) -> Finance:
    """Finance metrics of every scenario in `costs`, in the cash or accounting view."""
    if view not in VIEWS:
        raise ValueError(f"view must be one of {VIEWS}, not {view!r}")
    h = costs.horizon
    cloud = _within(costs.total("cloud", view), h)
    edge_lump = _within(costs.total("edge", view, lump=True), h)
    edge_opex = _within(costs.total("edge", view, lump=False), h)
    edge = edge_opex + edge_lump
    gap = cloud - edge_opex
    be = break_even(gap, edge_lump, h)
    if view == "cash":
        capex, payback = edge_lump, be
    else:
        capex = _within(costs.total("edge", "cash", lump=True), h)
        payback = break_even(cloud - _within(costs.total("edge", "cash", lump=False), h), capex, h)

    cloud_cum, edge_cum = np.cumsum(cloud, axis=1), np.cumsum(edge, axis=1)
    cloud_total, edge_total = cloud_cum[:, -1], edge_cum[:, -1]
    capex_total = capex.sum(axis=1)
    monthly_rate = (1 + np.asarray(discount_percent_per_year, dtype=float) / 100) ** (1 / 12) - 1
    m = np.arange(costs.months)[None, :]
    start_factor = (1 + np.reshape(monthly_rate, (-1, 1))) ** -m.astype(float)
    end_factor = start_factor / (1 + np.reshape(monthly_rate, (-1, 1)))
    npv = (gap * end_factor).sum(axis=1) - (edge_lump * start_factor).sum(axis=1)
    savings = cloud_total - edge_total
    with np.errstate(divide="ignore", invalid="ignore"):
        roi = np.where(capex_total > 0, savings / capex_total * 100, np.nan)
    return Finance(view, cloud, edge, edge_lump, cloud_cum, edge_cum, be, payback, cloud_total, edge_total,
                   savings, capex_total, npv, roi, h)


def step_curve(accruing: np.ndarray, lump: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative cost of one scenario as (t, y) points: a vertical step at each capex, linear between.

    accruing, lump : (M,) costs per month. Returns t in months from go-live.
    """
    months = len(accruing)
    t = np.repeat(np.arange(months + 1, dtype=float), 2)[1:-1]          # 0,1,1,2,2,…,M
    end = np.cumsum(accruing + lump)
    start = end - accruing                                              # just after the month's capex
    y = np.empty(2 * months)
    y[0::2], y[1::2] = start, end
    return t, y
