"""Cumulative costs, break-even, payback, ROI, NPV and TCO from a `Costs` evaluation.

Timing convention: capex ("lump" lines: hardware, installation, and on the cloud side the upfront part of
an instance commitment) is paid at the start of its month (month 0 = go-live, t = 0); every other cost
accrues evenly through its month. A cloud lump counts as a negative edge lump: capex(m) below is the edge's
capex less the cloud's upfront payments. Cumulative savings
S(t) = cloud(t) − edge(t) are therefore linear inside a month and jump down at each capex payment, so
the break-even time is found exactly, without iteration:

    S_start(m) = S_end(m−1) − capex(m)          S_end(m) = S_start(m) + cloud(m) − edge_opex(m)
    break-even = m + (−S_start(m)) / (cloud(m) − edge_opex(m))   for the first m with S_end(m) ≥ 0

It is 0 when the edge needs no capex and costs less from the start. When S never reaches 0 inside the
horizon the answer is "never", stored as NaN in arrays and None (JSON null) in summaries — a normal
result, not an error. NPV discounts capex at the start of its month and other flows at its end (or at its
middle, with `discount_timing` = mid_month); the monthly rate is (1 + annual rate)^(1/12) − 1, the annual
rate being an effective one.

Break-even, payback, NPV, IRR and discounted payback are on cash flows in every view: the accounting view
changes the P&L presentation (monthly costs, totals, charts, tables) and nothing else, so its break-even is
the cash one (the month the cash savings have repaid the capex).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from planner.model.costs import (
    CARBON_PRICE_KEYS,
    FLOWS,
    TERMINAL_KEYS,
    Component,
    Costs,
    WeightedSums,
    side_components,
    sum_terms,
    terms_at,
    weighted_sums,
)
from planner.schema.scenario import VIEWS

MIN_CAPEX = 0.01  # capex below a cent counts as none: ROI is undefined rather than astronomically large

# The discounting convention, stated in every output; `{when}` is DISCOUNT_WHEN[discount_timing].
DISCOUNT_CONVENTION = (
    "running flows discounted at the {when} of their month, capex at the start of its month; "
    "monthly rate (1 + annual rate)^(1/12) − 1 (annual effective rate)"
)
DISCOUNT_WHEN = {"end_of_month": "end", "mid_month": "middle"}


def discount_convention(discount_timing: str) -> str:
    """The discounting convention in words, as the reports state it."""
    return DISCOUNT_CONVENTION.format(when=DISCOUNT_WHEN[discount_timing])


class _SideSeries:
    """The monthly series of both sides, in the unit of `_monthly` (money for Finance, kg CO₂e for Carbon), zero
    past each scenario's horizon and built on request; lumps (capex, devices bought) as the view counts them."""

    cloud_total: np.ndarray
    edge_total: np.ndarray

    def _monthly(self, side: str, lump: bool | None = None) -> np.ndarray:
        raise NotImplementedError

    @property
    def savings_total(self) -> np.ndarray:
        """Cloud minus edge over the horizon: what the move to the edge saves (or avoids)."""
        return self.cloud_total - self.edge_total

    @property
    def cloud_monthly(self) -> np.ndarray:
        """(n, M) cloud per month."""
        return self._monthly("cloud")

    @property
    def edge_monthly(self) -> np.ndarray:
        """(n, M) edge per month, lumps included in the cash view."""
        return self._monthly("edge")

    @property
    def edge_running_monthly(self) -> np.ndarray:
        """(n, M) edge per month without lumps (what accrues evenly through the month)."""
        return self._monthly("edge", lump=False)

    @property
    def cloud_cumulative(self) -> np.ndarray:
        """(n, M) cumulative cloud at the end of each month."""
        return np.cumsum(self.cloud_monthly, axis=1)

    @property
    def edge_cumulative(self) -> np.ndarray:
        return np.cumsum(self.edge_monthly, axis=1)

    @property
    def cumulative_savings(self) -> np.ndarray:
        """(n, M) cloud cumulative − edge cumulative at the end of each month."""
        return self.cloud_cumulative - self.edge_cumulative


@dataclass(frozen=True)
class Finance(_SideSeries):
    """Per-scenario results, arrays of shape (n,); the monthly series ((n, M)) are built on request."""

    costs: Costs
    view: str
    break_even_month: np.ndarray  # fractional months from go-live, cash flows; NaN = not within the horizon
    payback_months: np.ndarray  # the same figure (the cash break-even) in every view
    cloud_total: np.ndarray  # TCO over each scenario's horizon
    edge_total: np.ndarray
    capex_total: np.ndarray  # cash capex paid within the horizon, the carbon price of devices not included
    npv_savings: np.ndarray | None  # of the cash flows, whatever the view; None unless asked for (`analyse`)
    savings_curve: np.ndarray | None = None  # (n, M) cumulative savings at each month's end, if kept
    discount_mid_month: np.ndarray | bool = False  # (n,) running flows discounted at mid-month, not month end

    @property
    def horizon(self) -> np.ndarray:
        return self.costs.horizon

    @property
    def pays_back(self) -> np.ndarray:
        return ~np.isnan(self.break_even_month)

    @property
    def roi_percent(self) -> np.ndarray:
        """Savings over the horizon ÷ capex paid in it × 100; NaN when there is no capex (under a cent)."""
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return np.where(self.capex_total >= MIN_CAPEX, self.savings_total / self.capex_total * 100, np.nan)

    def _monthly(self, side: str, lump: bool | None = None) -> np.ndarray:
        """(n, M) cost per month [money]."""
        return _within(self.costs.total(side, self.view, lump), self.horizon)

    @property
    def edge_capex(self) -> np.ndarray:
        """(n, M) capex paid at the start of each month (zeros in the accounting view)."""
        return self._monthly("edge", lump=True)

    @property
    def cloud_running_monthly(self) -> np.ndarray:
        """(n, M) cloud cost per month without upfront commitment payments (what accrues through the month)."""
        return self._monthly("cloud", lump=False)

    @property
    def cloud_upfront(self) -> np.ndarray:
        """(n, M) cloud commitment payments at the start of each month (zeros in the accounting view)."""
        return self._monthly("cloud", lump=True)

    @property
    def running_gap_monthly(self) -> np.ndarray:
        """(n, M) the month's savings that accrue through it: cloud − edge, both without lumps."""
        return self.cloud_running_monthly - self.edge_running_monthly

    @property
    def net_capex_monthly(self) -> np.ndarray:
        """(n, M) the lumps at the start of each month: edge capex − cloud upfront (zeros in the accounting view)."""
        return self.edge_capex - self.cloud_upfront

    def _cash_flows(self) -> tuple[np.ndarray, np.ndarray]:
        """(n, M) cash-view gap (cloud − edge running) and net lumps (edge capex − cloud upfront), zero past
        each horizon."""

        def cash(side, lump=None):
            return _within(self.costs.total(side, "cash", lump), self.horizon)

        return (
            cash("cloud", lump=False) - cash("edge", lump=False),
            cash("edge", lump=True) - cash("cloud", lump=True),
        )

    def discounted_payback_months(self, discount_percent_per_year) -> np.ndarray:
        """(n,) months until the discounted cash savings repay the capex, whatever the view; NaN if not within
        the horizon."""
        gap, capex = self._cash_flows()
        free = (self.cloud_total == 0) & (self.edge_total == 0)  # nothing to pay back, as for the break-even
        return np.where(
            free, np.nan, discounted_payback(gap, capex, discount_percent_per_year, self.discount_mid_month)
        )

    @property
    def irr_percent(self) -> np.ndarray:
        """(n,) IRR of the move to the edge [%/year], from the cash flows whatever the view; NaN if undefined."""
        return irr_percent(*self._cash_flows())

    def irr_all_percent(self) -> tuple[np.ndarray, np.ndarray]:
        """(n,) sign changes of the cash flows and (n, k) every IRR within the search bounds (`irr_all_percent`)."""
        return irr_all_percent(*self._cash_flows())

    @property
    def taxed(self) -> np.ndarray:
        """(n,) bool: a corporate tax rate is set, so the after-tax figures apply."""
        return np.broadcast_to(np.asarray(self.costs.tax_rate_percent, dtype=float) > 0, self.horizon.shape)

    def after_tax_flows(self) -> tuple[np.ndarray, np.ndarray]:
        """(n, M) the cash flows after tax: the running gap with `tax_effect`, the lumps as paid (zero past each
        horizon)."""
        gap, lumps = self._cash_flows()
        return gap + _within(tax_effect(self.costs), self.horizon), lumps

    def npv_after_tax(self, discount_percent_per_year) -> np.ndarray:
        """(n,) NPV of the savings after tax, discounted as `npv_savings`."""
        gap, lumps = discounted_flows(*self.after_tax_flows(), discount_percent_per_year, self.discount_mid_month)
        return gap.sum(axis=1) - lumps.sum(axis=1)

    def irr_all_percent_after_tax(self) -> tuple[np.ndarray, np.ndarray]:
        """`irr_all_percent` of the cash flows after tax."""
        return irr_all_percent(*self.after_tax_flows())


def tax_effect(costs: Costs) -> np.ndarray:
    """(n, M) what tax adds to the monthly savings (cloud − edge), at `tax_rate_percent` t:
        t × (edge_deductible(m) − cloud_deductible(m)) + t × (depreciation(m) − commitment_spread(m))
    Running costs are deductible as paid (the cash view's accruing lines, but the internal carbon price, which
    nobody is paid, and the value kept at the horizon, which is untaxed at book value); capex is deducted through
    its straight-line depreciation over the useful life (the edge's tax shield: devices and installation, spares,
    installation visits: `TAX_SPREAD`), an upfront commitment over its term. Tax is paid in the month it arises,
    and a month's loss offsets other profit of the business."""
    rate = np.asarray(costs.tax_rate_percent, dtype=float) / 100
    if not np.any(rate):
        return np.zeros((costs.n, costs.months))

    def deductible(side: str, sign: float) -> list[Component]:
        keys = [c.key for c in side_components(side, "cash", costs.registry) if not c.lump and c.key not in UNTAXED]
        keys += TAX_SPREAD[side]
        return [Component(sign * t.amount, t.factor) for k in keys for t in costs.lines[k]]

    terms = deductible("edge", 1.0) + deductible("cloud", -1.0)
    return np.reshape(rate, (-1, 1)) * sum_terms(terms, costs.n, costs.months)


UNTAXED = frozenset(CARBON_PRICE_KEYS + TERMINAL_KEYS)  # running lines tax does not deduct (`tax_effect`)
# Lumps deducted as these accounting lines spread them: the edge's devices and installation, its spares pool and
# its installation visits over the useful life; an upfront commitment over its term.
TAX_SPREAD = {"edge": ["depreciation", "spares_depreciation", "site_visits_spread"], "cloud": ["commitment_spread"]}


def after_tax_figures(
    gap: np.ndarray,
    lumps: np.ndarray,
    tax_effect_monthly: np.ndarray,
    discount_percent_per_year,
    mid_month: np.ndarray | bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(n,) NPV after tax, (n,) sign changes and (n, k) IRRs of cash flows (n, M) whose running `gap` tax changes
    by `tax_effect_monthly` (`tax_effect`'s rule), discounted and searched as the pre-tax ones: for flows that are
    not one scenario's lines (a fleet programme's plans)."""
    taxed = gap + tax_effect_monthly
    discounted_gap, discounted_lumps = discounted_flows(taxed, lumps, discount_percent_per_year, mid_month)
    changes, rates = irr_all_percent(taxed, lumps)
    return discounted_gap.sum(axis=1) - discounted_lumps.sum(axis=1), changes, rates


def break_even(net: np.ndarray, gap_at, horizon: np.ndarray) -> np.ndarray:
    """First t (fractional months) where cumulative savings reach 0; NaN if not before `horizon`.

    net     : (n, M) savings per month, capex included: cloud − edge_opex − capex [money/month];
              overwritten with the cumulative savings
    gap_at  : month indices (n,) → cloud − edge_opex in that month (n,) [money/month]
    horizon : (n,) months that count

    >>> break_even(np.array([[-5., 10., 10.]]), lambda m: np.full(1, 10.), np.array([3]))  # capex 15
    array([1.5])
    """
    s_end = np.cumsum(net, axis=1, out=net)  # in place: `net` is not needed after this
    # A running sum carries rounding errors of about 1e-16 of the amounts summed: savings that come
    # to exactly 0 at a month's end (by hand) may land a hair below 0 here, which is still break-even.
    tolerance = 1e-9 * np.maximum(s_end.max(axis=1), -s_end.min(axis=1))[:, None]
    reached = s_end >= -tolerance
    if np.any(horizon < net.shape[1]):
        reached &= np.arange(net.shape[1])[None, :] < horizon[:, None]
    first = np.argmax(reached, axis=1)
    rows = np.arange(net.shape[0])
    return np.where(
        reached[rows, first], crossing_time(first, s_end[rows, first], gap_at(first)), np.nan
    )  # argmax of no True is 0


def crossing_time(month: np.ndarray, s_end: np.ndarray, gap: np.ndarray) -> np.ndarray:
    """When cumulative savings reach 0 within `month`, given them at its end (`s_end`, ≥ 0) and the month's gap:
    month + (−S_start)/gap with S_start = s_end − gap, at the month's start when S_start ≥ 0 [fractional months]."""
    s_start = s_end - gap
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):  # a tiny gap: a huge ratio, clipped to 1
        fraction = -s_start / np.where(gap > 0, gap, 1.0)  # a gap ≤ 0 can only reach 0 at the start
    return month + np.clip(fraction, 0, 1)


class SavingsPath(NamedTuple):
    """Month by month, the figures behind a break-even (n, M)."""

    savings_end: np.ndarray  # cumulative savings at each month's end: Σ (gap − lumps)
    started: np.ndarray  # 1 from the first month with any flow (gap − lumps ≠ 0), else 0
    crossing: np.ndarray  # `crossing_time` in each month that ends with savings ≥ 0 (once started), else NaN


def savings_path(gap: np.ndarray, lumps: np.ndarray, from_first_flow: bool = False) -> SavingsPath:
    """The cumulative savings of `gap` (accruing through each month) less `lumps` (paid at its start), and the
    break-even time within each month that ends with them ≥ 0: the earliest is the break-even (`break_even`,
    which also forgives a rounding error of 1e-9 of the amounts). `from_first_flow`: only once a flow has started,
    as a fleet plan's break-even."""
    gap, lumps = np.atleast_2d(gap), np.atleast_2d(lumps)
    s_end = np.cumsum(gap - lumps, axis=1)
    started = np.maximum.accumulate(gap - lumps != 0, axis=1).astype(float)
    reached = (s_end >= 0) & (started == 1) if from_first_flow else s_end >= 0
    month = np.arange(gap.shape[1], dtype=float)[None, :]
    return SavingsPath(s_end, started, np.where(reached, crossing_time(month, s_end, gap), np.nan))


def _within(values: np.ndarray, horizon: np.ndarray) -> np.ndarray:
    """Zero the months past each row's horizon (a no-op when every horizon fills the grid)."""
    if np.all(horizon >= values.shape[1]):
        return values
    return np.where(np.arange(values.shape[1])[None, :] < horizon[:, None], values, 0.0)


def discount_factors(
    discount_percent_per_year, months: int, mid_month: np.ndarray | bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Present-value factors (1 or n, M) of capex, at the start of each month, and of running flows, at its end
    ((1+r)^−((m+1)/12)) or, where `mid_month`, at its middle ((1+r)^−((m+½)/12))."""
    rate = np.atleast_1d(np.asarray(discount_percent_per_year, dtype=float))
    rate = rate[:1] if np.all(rate == rate[0]) else rate
    log_monthly = np.log1p(rate / 100)[:, None] / 12
    m = np.arange(months + 1, dtype=float)[None, :]
    factors = np.exp(-log_monthly * m)
    at_start, at_end = factors[:, :-1], factors[:, 1:]
    mid = np.atleast_1d(np.asarray(mid_month, dtype=bool))
    if mid.any():  # half a month earlier: × (1 + monthly rate)^½
        at_end = at_end * np.where(mid[:, None], np.exp(log_monthly / 2), 1.0)
    return at_start, at_end


def _within_horizon(costs: Costs) -> np.ndarray:
    """(n, M) or (1, M) mask of the months within each scenario's horizon."""
    h = costs.horizon
    return np.arange(costs.months)[None, :] < (h[:, None] if np.any(h < costs.months) else costs.months)


def total(costs: Costs, side: str, view: str = "cash", within: np.ndarray | None = None) -> np.ndarray:
    """(n,) one side's cost over each scenario's horizon: `Finance.cloud_total` / `edge_total` alone."""
    return weighted_sums(costs.terms(side, view), costs.n, _within_horizon(costs) if within is None else within)


def capex_terms(costs: Costs) -> list[Component]:
    """The edge's capex: its cash lumps but the internal carbon price of the devices bought, which is its own line
    (a cost at purchase in the break-even and NPV, not money invested: out of ROI's denominator)."""
    return [
        t
        for c in side_components("edge", "cash", costs.registry)
        if c.lump and c.key not in CARBON_PRICE_KEYS
        for t in costs.lines[c.key]
    ]


def analyse(
    costs: Costs,
    view: str = "cash",
    discount_percent_per_year: np.ndarray | float = 0.0,
    keep_savings_curve: bool = False,
    npv: bool = True,
) -> Finance:
    """Finance metrics of every scenario in `costs`, in the cash or accounting view.

    Only one (n, M) grid is built — monthly net savings, accumulated in place for the break-even
    search (kept as `savings_curve` on request); totals and NPV are weighted sums of the cost terms.
    What to compute beyond the break-even, totals and capex is the caller's request: the savings curve
    (`keep_savings_curve`) and the NPV (`npv`; without it `npv_savings` is None).
    """
    if view not in VIEWS:
        raise ValueError(f"view must be one of {VIEWS}, not {view!r}")
    n, h = costs.n, costs.horizon

    def flows(v: str):
        """Running gap (cloud − edge running) and net lumps (edge capex − cloud upfront) of one view."""
        return (
            costs.terms("cloud", v, lump=False) + costs.terms("edge", v, lump=False, sign=-1.0),
            costs.terms("edge", v, lump=True) + costs.terms("cloud", v, lump=True, sign=-1.0),
        )

    gap, lump = flows("cash")  # break-even, payback and NPV are on cash flows in every view
    be, curve = _crossing(gap, [], lump, n, costs.months, h)
    if keep_savings_curve and view != "cash":  # the chart's cumulative savings are the view's P&L
        view_gap, view_lump = flows(view)
        curve = np.cumsum(
            sum_terms(view_gap + [Component(-t.amount, t.factor) for t in view_lump], n, costs.months), axis=1
        )
    payback = be
    within = _within_horizon(costs)
    weights = {"within": within}
    if npv:
        at_start, at_end = discount_factors(discount_percent_per_year, costs.months, costs.discount_mid_month)
        weights |= {"at_end": at_end * within, "at_start": at_start * within}
    sums = WeightedSums(n, **weights)  # every grid summed once against every weight
    npv_savings = sums(gap, "at_end") - sums(lump, "at_start") if npv else None
    cloud_total, edge_total = (sums(costs.terms(side, view), "within") for side in ("cloud", "edge"))
    free = (cloud_total == 0) & (edge_total == 0)  # nothing spent on either side: nothing to pay back
    if np.any(free):
        be, payback = np.where(free, np.nan, be), np.where(free, np.nan, payback)
    return Finance(
        costs,
        view,
        be,
        payback,
        cloud_total=cloud_total,
        edge_total=edge_total,
        capex_total=sums(capex_terms(costs), "within"),
        npv_savings=npv_savings,
        savings_curve=curve if keep_savings_curve else None,
        discount_mid_month=costs.discount_mid_month,
    )


def analyse_flows(
    cloud_running: np.ndarray,
    cloud_upfront: np.ndarray,
    edge_running: np.ndarray,
    edge_capex: np.ndarray,
    discount_percent_per_year: np.ndarray | float = 0.0,
    discount_mid_month: bool = False,
) -> Finance:
    """Finance metrics (cash view) of n whole cash flows (n, M) of both sides: what accrues through each month
    and what is paid at its start. The same rules as `analyse` of cost lines, for flows that are not one
    scenario's lines (a fleet programme's plans); the horizon is every month given."""
    n, months = edge_capex.shape
    ones = np.ones((n, 1))
    flows = {
        "cloud_running": cloud_running,
        "cloud_upfront": cloud_upfront,
        "edge_running": edge_running,
        "edge_capex": edge_capex,
    }
    lines = {key: (Component(ones, series),) for key, series in flows.items()}
    return analyse(
        Costs(n, months, np.full(n, months), lines, {}, registry=FLOWS, discount_mid_month=discount_mid_month),
        "cash",
        discount_percent_per_year,
    )


@dataclass(frozen=True)
class Carbon(_SideSeries):
    """Emissions of both sides [kg CO₂e], per scenario (n,); the monthly series (n, M) are built on request.

    The view decides when a device's embodied emissions count, as it decides when its price is paid: when
    it is bought (cash) or spread over its useful life (accounting). The carbon break-even always counts
    them when bought: it is the month in which the edge's lower operating emissions have paid back the
    emissions of making its devices (NaN: not within the horizon), found like the money break-even.
    """

    costs: Costs
    view: str
    cloud_total: np.ndarray  # kg CO₂e over each scenario's horizon
    edge_total: np.ndarray
    break_even_month: np.ndarray | None  # None unless asked for (`carbon`)

    def _monthly(self, side: str, lump: bool | None = None, view: str | None = None) -> np.ndarray:
        """(n, M) emissions per month [kg CO₂e]."""
        return _within(
            sum_terms(self.costs.terms(side, view or self.view, lump, carbon=True), self.costs.n, self.costs.months),
            self.costs.horizon,
        )

    @property
    def break_even_flows(self) -> tuple[np.ndarray, np.ndarray]:
        """(n, M) the flows of the carbon break-even, whatever the view: cloud − edge running (cash view), and the
        devices' embodied emissions when bought."""
        return (
            self.cloud_monthly - self._monthly("edge", lump=False, view="cash"),
            self._monthly("edge", lump=True, view="cash"),
        )


def carbon(costs: Costs, view: str = "cash", break_even: bool = True) -> Carbon:
    """Carbon totals of every scenario in `costs` in one view, and the carbon break-even (see `Carbon`) when asked
    for (`break_even`; without it `break_even_month` is None)."""
    if view not in VIEWS:
        raise ValueError(f"view must be one of {VIEWS}, not {view!r}")
    n, h = costs.n, costs.horizon

    def terms(side, v=view, lump=None):
        return costs.terms(side, v, lump, carbon=True)

    within = np.arange(costs.months)[None, :] < (h[:, None] if np.any(h < costs.months) else costs.months)
    sums = WeightedSums(n, within=within)
    cloud_total, edge_total = sums(terms("cloud"), "within"), sums(terms("edge"), "within")
    if not break_even:
        return Carbon(costs, view, cloud_total, edge_total, None)
    be = _blocked_break_even(
        terms("cloud"), terms("edge", "cash", False), terms("edge", "cash", True), n, costs.months, h
    )
    if view != "cash":
        cash_cloud, cash_edge = sums(terms("cloud", "cash"), "within"), sums(terms("edge", "cash"), "within")
    else:
        cash_cloud, cash_edge = cloud_total, edge_total
    be = np.where((cash_cloud == 0) & (cash_edge == 0), np.nan, be)  # nothing emitted: nothing to pay back
    return Carbon(costs, view, cloud_total, edge_total, be)


def _crossing(
    cloud: list[Component], opex: list[Component], lump: list[Component], n: int, months: int, horizon: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Break-even of cumulative `cloud` − `opex` − `lump` terms, and the (n, M) cumulative savings."""

    def minus(terms):
        return [Component(-t.amount, t.factor) for t in terms]

    gap = cloud + minus(opex)
    net = sum_terms(gap + minus(lump), n, months)
    return break_even(net, lambda m: terms_at(gap, n, m), horizon), net  # net now holds cumulative savings


BLOCK_CELLS = 262_144  # rows × months per block: its float grids (2 MB each) stay in the CPU cache


def _blocked_break_even(
    cloud: list[Component], opex: list[Component], lump: list[Component], n: int, months: int, horizon: np.ndarray
) -> np.ndarray:
    """`_crossing`'s break-even, a block of rows at a time: the same figures without writing an (n, M) grid to
    memory (only the break-even is needed, not the savings curve). Used for carbon, whose terms are per-scenario
    amounts × shared factors: about twice as fast as the whole grid there (the money terms' per-scenario tier
    grids gain nothing from it)."""
    rows = max(1, BLOCK_CELLS // max(months, 1))
    out = np.empty(n)
    for start in range(0, n, rows):
        block = slice(start, min(start + rows, n))
        cut = _row_slicer(block)
        out[block] = _crossing(cut(cloud), cut(opex), cut(lump), block.stop - block.start, months, horizon[block])[0]
    return out


def _row_slicer(block: slice):
    """Terms restricted to the rows of `block`; a factor shared by several terms stays one object, so
    `sum_terms` still groups them."""
    made: dict[int, np.ndarray] = {}

    def rows_of(x: np.ndarray) -> np.ndarray:
        if x.shape[0] == 1:
            return x
        if id(x) not in made:
            made[id(x)] = x[block]
        return made[id(x)]

    return lambda terms: [Component(rows_of(t.amount), rows_of(t.factor)) for t in terms]


def discounted_payback(
    gap: np.ndarray, capex: np.ndarray, discount_percent_per_year, mid_month: np.ndarray | bool = False
) -> np.ndarray:
    """Discounted payback [fractional months]: the break-even of the discounted cash flows; NaN if not reached.

    gap   : (n, M) cloud − edge running cost per month, discounted at the end (or middle) of its month [money/month]
    capex : (n, M) capex paid at the start of each month, discounted at that start [money]

    Within a month the discounted saving is taken to accrue evenly, as the break-even does undiscounted.

    >>> discounted_payback(np.array([[0., 0., 121.]]), np.array([[100., 0., 0.]]), 0.0)  # capex 100, 121 in month 3
    array([2.82644628])
    """
    discounted_gap, discounted_capex = discounted_flows(gap, capex, discount_percent_per_year, mid_month)
    rows = np.arange(discounted_gap.shape[0])
    return break_even(
        discounted_gap - discounted_capex,
        lambda m: discounted_gap[rows, m],
        np.full(discounted_gap.shape[0], discounted_gap.shape[1]),
    )


def discounted_flows(
    gap: np.ndarray, capex: np.ndarray, discount_percent_per_year, mid_month: np.ndarray | bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """(n, M) `gap` discounted at the end (or middle) of its month and `capex` at its start (see
    `discounted_payback`)."""
    gap, capex = np.atleast_2d(gap), np.atleast_2d(capex)
    at_start, at_end = discount_factors(discount_percent_per_year, gap.shape[1], mid_month)
    return gap * at_end, capex * at_start


IRR_SEARCH_LOG_MONTHLY = (-2.0, 20.0)  # ln(1 + monthly rate) searched: about −100 % to 10^104 % a year


def irr_percent(gap: np.ndarray, capex: np.ndarray, iterations: int = 80) -> np.ndarray:
    """Internal rate of return of the move to the edge, annualised [%/year]; NaN where undefined.

    gap   : (n, M) cloud − edge running cost per month, accruing through the month [money/month]
    capex : (n, M) capex paid at the start of each month [money]

    With the timing convention of `analyse` (capex at t = m, the month's gap at t = m + 1) the cash
    flows are c_t = gap_{t−1} − capex_t, and the IRR is the annual discount rate at which the NPV of
    savings is zero: Σ c_t (1 + irr)^(−t/12) = 0. It is found by bisection on ρ = ln(1 + irr) / 12 for
    every row at once. Undefined (NaN) when the flows never change sign, or when the NPV does not change
    sign over the searched range (e.g. savings that never repay the capex).

    >>> irr_percent(np.array([[0., 110.]]), np.array([[100., 0.]])).round(4)  # −100 now, +110 after 2 months: 1.1^6 − 1
    array([77.1561])
    """
    flows = cash_flows(gap, capex)
    n, months = flows.shape[0], flows.shape[1] - 1
    t = np.arange(months + 1, dtype=float)

    def npv(rho):
        return (flows * np.exp(-rho[:, None] * t)).sum(axis=1)

    lo, hi = (np.full(n, bound) for bound in IRR_SEARCH_LOG_MONTHLY)
    with np.errstate(over="ignore", invalid="ignore"):
        npv_lo, npv_hi = npv(lo), npv(hi)
        defined = (flows.min(axis=1) < 0) & (flows.max(axis=1) > 0) & (np.sign(npv_lo) * np.sign(npv_hi) < 0)
        for _ in range(iterations):
            mid = (lo + hi) / 2
            same_as_lo = np.sign(npv(mid)) == np.sign(npv_lo)
            lo, hi = np.where(same_as_lo, mid, lo), np.where(same_as_lo, hi, mid)
        return np.where(defined, np.expm1(12 * (lo + hi) / 2) * 100, np.nan)


def cash_flows(gap: np.ndarray, capex: np.ndarray) -> np.ndarray:
    """(n, M + 1) the flows of `irr_percent`: c_t = gap(t−1) − capex(t), t = 0…M."""
    gap, capex = np.atleast_2d(gap), np.atleast_2d(capex)
    flows = np.zeros((gap.shape[0], gap.shape[1] + 1))
    flows[:, :-1] -= capex
    flows[:, 1:] += gap
    return flows


def sign_changes(flows: np.ndarray) -> np.ndarray:
    """(n,) how many times each row of cash flows changes sign, zeros skipped."""
    signs = np.sign(flows)
    last_nonzero = np.maximum.accumulate(np.where(signs != 0, np.arange(flows.shape[1]), 0), axis=1)
    filled = np.take_along_axis(signs, last_nonzero, axis=1)
    return (filled[:, 1:] * filled[:, :-1] < 0).sum(axis=1)


# ρ = ln(1 + monthly rate) at which several IRRs are looked for: dense near 0 (steps of about 10⁻⁴ a month),
# coarse towards the search bounds.
IRR_GRID = 0.01 * np.sinh(
    np.linspace(np.arcsinh(IRR_SEARCH_LOG_MONTHLY[0] / 0.01), np.arcsinh(IRR_SEARCH_LOG_MONTHLY[1] / 0.01), 4001)
)
IRR_GRID_CELLS = 4_000_000  # rows × grid points × months evaluated at once


def irr_all_percent(gap: np.ndarray, capex: np.ndarray, iterations: int = 80) -> tuple[np.ndarray, np.ndarray]:
    """Every IRR of each row within the search bounds, for flows that change sign more than once.

    Returns (sign changes (n,), rates (n, k) [%/year] ascending, NaN-padded). With one sign change the rate is
    unique (Descartes' rule of signs) and is `irr_percent`'s; with several, the NPV of the flows is evaluated on a
    grid of ρ = ln(1 + monthly rate) over the search bounds and each sign change of it refined by bisection, all
    rows and brackets at once. Two rates closer than the grid's step may be missed (the NPV only touches 0).
    """
    flows = cash_flows(gap, capex)
    n, months = flows.shape
    changes = sign_changes(flows)
    single = irr_percent(gap, capex, iterations)
    several = np.flatnonzero(changes > 1)
    if not several.size:
        return changes, single[:, None]
    t = np.arange(months, dtype=float)
    with np.errstate(over="ignore", invalid="ignore"):
        discount = np.exp(-IRR_GRID[:, None] * t)  # (G, T)
        rows_per_block = max(1, IRR_GRID_CELLS // (len(IRR_GRID) * months))
        found_rows, found_lo, found_hi = [], [], []
        for start in range(0, several.size, rows_per_block):  # blocks of rows bound the memory, not a loop per row
            rows = several[start : start + rows_per_block]
            signs = np.sign(flows[rows] @ discount.T)  # (r, G)
            crossing = signs[:, :-1] * signs[:, 1:] < 0
            exact = signs == 0
            r, j = np.nonzero(crossing)
            r0, j0 = np.nonzero(exact)
            found_rows += [rows[r], rows[r0]]
            found_lo += [IRR_GRID[j], IRR_GRID[j0]]
            found_hi += [IRR_GRID[j + 1], IRR_GRID[j0]]
        row, lo, hi = (np.concatenate(x) for x in (found_rows, found_lo, found_hi))

        def npv(rho):
            return (flows[row] * np.exp(-rho[:, None] * t)).sum(axis=1)

        npv_lo = np.sign(npv(lo))
        for _ in range(iterations):
            mid = (lo + hi) / 2
            same_as_lo = np.sign(npv(mid)) == npv_lo
            lo, hi = np.where(same_as_lo, mid, lo), np.where(same_as_lo, hi, mid)
        rates = np.expm1(12 * (lo + hi) / 2) * 100
    order = np.lexsort((rates, row))
    row, rates = row[order], rates[order]
    rank = np.arange(row.size) - np.searchsorted(row, row)  # position among its row's rates
    out = np.full((n, max(1, int(rank.max(initial=0)) + 1)), np.nan)
    out[:, 0] = np.where(changes > 1, np.nan, single)
    out[row, rank] = rates
    return changes, out


def step_curve(accruing: np.ndarray, lump: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Cumulative cost of one scenario as (t, y) points: a vertical step at each capex, linear between.

    accruing, lump : (M,) costs per month. Returns t in months from go-live.
    """
    months = len(accruing)
    t = np.repeat(np.arange(months + 1, dtype=float), 2)[1:-1]  # 0,1,1,2,2,…,M
    end = np.cumsum(accruing + lump)
    start = end - accruing  # just after the month's capex
    y = np.empty(2 * months)
    y[0::2], y[1::2] = start, end
    return t, y
