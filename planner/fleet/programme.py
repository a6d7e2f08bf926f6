"""The programme: every site of a fleet in one batch of the engine, a placement per site, the three plans.

    site row r, row-local month k (k = 0 at its go-live g_r), evaluated over M − g_r months
    programme month m:   plan_cost(m) = Σ_r count_r × cost_r(m − g_r)        (0 before go-live)
                         + the pooled cloud bills of the plan's sites in the cloud (`pool`: one bill per account)
    placement:           the advisor's rules, vectorised (hard constraints first, then the weighted vote)
    three plans:         all cloud; all edge; recommended (advisor's placement, or the site's pin)
    plan figures:        `finance.analyse_flows` of the programme series, savings measured against all cloud

The rows are the engine's batch (n rows × M programme months); nothing loops over sites in Python.
See docs/FORMULAS.md, "Fleet".
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np

from planner.advice import advisor
from planner.catalogs import catalog
from planner.fleet import pool
from planner.fleet.devices import (
    DeviceChoice,
    Upload,
    choose_devices,
    cloud_designs,
    feasible_upload,
    lookup,
    row_batch,
    row_inputs,
    with_devices,
)
from planner.fleet.inventory import PLACEMENTS, Fleet
from planner.model import costs, designs, finance
from planner.schema.scenario import ScenarioError


# ── Evaluation ──────────────────────────────────────────────────────────────────────────────────────
@dataclass(frozen=True)
class Placement:
    """Per site (n,): the advisor's placement before pins, the final one, and the deciding rule."""

    advised: np.ndarray  # index into PLACEMENTS
    final: np.ndarray
    hard: np.ndarray  # (n, len(HARD_RULES)) which hard constraints hold
    edge_votes: np.ndarray  # soft weights for the edge, for the cloud
    cloud_votes: np.ndarray
    power_needed_watts: np.ndarray  # per site, for the sized devices
    power_available_watts: np.ndarray
    device_watts: np.ndarray  # of one device


HARD_RULES = tuple(advisor.HARD_CASES)  # the hard constraints a site can meet, as its reason names them


@dataclass(frozen=True)
class AfterTax:
    """The three plans' figures after tax (`finance.tax_effect`'s rule, at the base's `tax_rate_percent`)."""

    npv_savings: np.ndarray  # (3,)
    irr_sign_changes: np.ndarray  # (3,)
    irr_rates: np.ndarray  # (3, k) %/year


@dataclass(frozen=True)
class Programme:
    fleet: Fleet
    count: np.ndarray  # (n,) sites per row
    go_live: np.ndarray  # (n,) programme month of go-live
    rows: finance.Finance  # per row, one site, row-local months (horizon M − go-live); its pooled cloud bills are
    # the site's pro-rata share of the all-cloud pool (`pool.attributed_lines`)
    devices: np.ndarray  # (n,) edge devices per site at go-live
    placement: Placement
    plans: finance.Finance  # the three plans (PLANS order), programme months, vs all cloud: the
    # figures of the sites each plan moves to the edge (a plan's TCO: plan_summary)
    cloud_monthly: np.ndarray  # (M,) the all-cloud plan's cost per month
    plan_opex: np.ndarray  # (3, M) each plan's cost per month besides its edge capex: its cloud sites'
    # (upfront commitments included) and its edge sites' running cost
    plan_capex: np.ndarray  # (3, M) edge capex paid at the start of each month
    plan_cloud_upfront: np.ndarray  # (3, M) upfront cloud commitments the plan's edge sites no longer pay
    # (at the start of each month: a negative capex in break-even, NPV, IRR)
    irr: np.ndarray  # (3,) %/year
    device: DeviceChoice  # the catalog device each row is costed with (the `device` column)
    irr_sign_changes: np.ndarray | None = None  # (3,) sign changes of each plan's cash flows
    irr_rates: np.ndarray | None = None  # (3, k) every IRR found [%/year] (finance.irr_all_percent)
    cloud_marginal: np.ndarray | None = None  # (n,) cloud TCO one site of each row adds to the all-cloud bills:
    # its own lines and its share of what its row adds to the pooled bills (what money votes with)
    upload: Upload | None = None  # the cloud upload each row is costed with, and the links that carry none
    cloud_design: designs.RowDesigns | None = None  # each searched row's cheapest feasible design (`cloud_designs`:
    # every row with fleet.cloud == "cheapest", those whose link cannot carry their own with "own"; −1: its own, also
    # where its link carries none, and for a row not searched), set on its columns before pooling
    cloud_inputs: dict[str, np.ndarray] | None = None  # the design inputs each row's cloud is costed with (n,)
    pools: pool.Pools | None = None  # the rows' cloud pools
    pooled_instance_kgco2e: np.ndarray | None = None  # (3, M) what each plan's pooled instances emit whatever their
    # load (`pool.instance_kgco2e`)
    after_tax: AfterTax | None = None  # the plans' after-tax NPV and IRR, when the base sets a tax rate

    @property
    def months(self) -> int:
        return self.fleet.months

    @property
    def edge(self) -> np.ndarray:
        return self.placement.final != 0

    @functools.cached_property
    def kgco2e_per_site(self) -> tuple[np.ndarray, np.ndarray]:
        """(cloud, edge) emissions of one site of each row over its months [kg CO₂e], cash view (devices' embodied
        emissions when bought), the cloud's stand-alone (its own instances): summed on request, not part of the
        batch's evaluation."""
        c = self.rows.costs
        within = np.arange(c.months)[None, :] < c.horizon[:, None]
        return tuple(costs.weighted_sums(c.terms(side, "cash", carbon=True), c.n, within) for side in ("cloud", "edge"))

    @functools.cached_property
    def plan_cloud_kgco2e(self) -> np.ndarray:
        """(3, M) each plan's cloud emissions per programme month [kg CO₂e]: its sites in the cloud, each with its own
        lines less what its own instances emit whatever their load, plus what the plan's pooled instances emit
        (`pool.instance_kgco2e`), as the instance bill is pooled."""
        c, M = self.rows.costs, self.months
        own = c.terms("cloud", "cash", carbon=True)
        if self.pools is not None:
            prices = self.pools.row_prices
            per_instance = -(prices.billed_hours * prices.instance_kgco2e_per_hour)[:, None]
            own = own + [t.scaled(per_instance) for t in c.quantities["instances"]]
        on_cloud = self.count[None, :] * np.vstack([np.ones(c.n), np.zeros(c.n), ~self.edge])
        pooled = 0.0 if self.pooled_instance_kgco2e is None else self.pooled_instance_kgco2e
        return _shift_sum_terms(own, self.go_live, on_cloud, M) + pooled


def evaluate(fleet: Fleet, search=designs.cheapest_per_row) -> Programme:
    """Every site of the fleet in one batch of the cost model, its placement, and the three plans. `search` finds the
    rows' cheapest cloud designs (`devices.cloud_designs`)."""
    inv, M, base = fleet.inventory, fleet.months, fleet.base
    n = inv.n
    if n == 0:
        raise ScenarioError("the inventory has no rows: add one row per site")
    rowwise = row_inputs(fleet)
    numbers, answer, pin, flavour = rowwise.numbers, rowwise.answer, rowwise.pin, rowwise.flavour
    count, go_live = numbers["count"], numbers["go_live_month"].astype(int)
    device = choose_devices(fleet, rowwise)
    overrides, choices = with_devices(fleet, device, rowwise)
    upload = feasible_upload(fleet, rowwise, choices)
    choices = choices | {"cloud_upload": upload.design}
    b = row_batch(base, overrides, choices)
    # The cloud side: each row's own design, or its cheapest feasible one (every row with `cheapest`, the rows whose
    # link cannot carry their own with `own`) set on its columns before pooling, so the pools, the plans, the money
    # vote and the uplink rule all price the same cloud.
    cheapest, cloud_inputs, upload = cloud_designs(fleet, overrides, choices, upload, search=search)
    if cheapest is not None:
        b = designs.with_designs(base, b, cheapest)
    evaluated = costs.evaluate(b, M)
    # The cloud's volume-priced bills are pooled per account: a site's own figures carry its pro-rata share of the
    # all-cloud pool, and money votes with what its sites add to that pool (marginal), not a stand-alone bill.
    pools = pool.make_pools(b, evaluated, _cloud_accounts(fleet))
    all_cloud = pool.plan_bills(pools, count, go_live, count[None, :], M)
    attributed = dataclasses.replace(
        evaluated, lines=evaluated.lines | pool.attributed_lines(pools, all_cloud, go_live)
    )
    rows = finance.analyse(attributed, "cash", b["discount_percent_per_year"])
    # Money votes with the site's own lines and what it adds to the pool: its cloud TCO less its pro-rata share of
    # the pooled bills (held within its months: the shares are 0 past the programme's end) plus its marginal.
    pooled_cash = [t for k in pool.POOLED if "cash" in costs.COMPONENT_BY_KEY[k].views for t in attributed.lines[k]]
    share = sum(t.amount[:, 0] * t.factor.sum(axis=1) for t in pooled_cash)
    marginal_cloud = rows.cloud_total - share + pool.marginal_totals(pools, all_cloud, count, go_live) / count
    devices = costs.terms_at(evaluated.quantities["devices"], n, np.zeros(n, int))  # at go-live, not the (n, M) grid
    placement = place(fleet, b, marginal_cloud, rows.edge_total, devices, answer, pin, flavour, upload)

    # Programme series: Σ count × row series shifted by go-live, per plan, summed term by term (`_shift_sum_terms`).
    # Row series over all M months: what a row spends after its horizon (M − go-live) shifts past the
    # programme's end and is dropped by the shift, so the horizon cut (`Finance._within`) is not needed.
    edge_rows = (placement.final != 0).astype(float)
    on_edge = np.vstack([0 * count, count, count * edge_rows])  # sites each plan runs on the edge
    on_cloud = np.vstack([count, 0 * count, count * (1 - edge_rows)])  # … and in the cloud

    def plan_series(side: str, lump: bool, weights: np.ndarray, without: tuple[str, ...] = ()) -> np.ndarray:
        """Σ weights × the side's row series (lumps or the rest), shifted by go-live (`_shift_sum_terms`)."""
        terms = [t for t in evaluated.terms(side, lump=lump, without=without) if np.any(t.amount)]
        return _shift_sum_terms(terms, go_live, weights, M)

    # What each plan pays for its sites in the cloud: their own lines, and the pooled bills of what it leaves there.
    bills = pool.plan_bills(pools, count, go_live, on_cloud, M)
    pooled_kg = pool.instance_kgco2e(pools, bills, go_live, on_cloud)
    stay_running = plan_series("cloud", False, on_cloud, pool.POOLED) + (bills.inference.sum(1) + bills.egress.sum(1))
    stay_upfront = plan_series("cloud", True, on_cloud, pool.POOLED) + bills.upfront.sum(1)
    # The cloud cost of the sites a plan moves to the edge: what the all-cloud plan pays beyond it.
    cloud_running, cloud_upfront = stay_running[0] - stay_running, stay_upfront[0] - stay_upfront
    edge_running, edge_capex = plan_series("edge", False, on_edge), plan_series("edge", True, on_edge)
    stay_cloud = stay_running + stay_upfront
    cloud_monthly = stay_cloud[0]  # plan 0 keeps every site in the cloud
    plan_opex = stay_cloud + edge_running
    # The plans' figures come from the sites each moves to the edge (the sites left in the cloud cost the same
    # in every plan): their cloud cost, its upfront commitments paid at the start of a month, is what is saved.
    plans = finance.analyse_flows(
        cloud_running,
        cloud_upfront,
        edge_running,
        edge_capex,
        base.discount_percent_per_year,
        base.discount_timing == "mid_month",
    )
    gap, net_lumps = cloud_running - edge_running, edge_capex - cloud_upfront
    plans = _from_first_flow(plans, gap, net_lumps)
    irr = finance.irr_percent(gap, net_lumps)
    changes, rates = finance.irr_all_percent(gap, net_lumps)
    after_tax = None
    if base.tax_rate_percent > 0:  # what tax adds to each plan's running gap, as `finance.tax_effect` for a scenario

        def deducted(side: str, weights: np.ndarray, without: tuple[str, ...] = ()) -> np.ndarray:
            """The side's deductible series: running lines as paid, and its lumps as `TAX_SPREAD` spreads them."""
            spread = [t for k in finance.TAX_SPREAD[side] if k not in without for t in evaluated.lines[k]]
            series = plan_series(side, False, weights, tuple(finance.UNTAXED) + without)
            return series + _shift_sum_terms(spread, go_live, weights, M)

        # the sites left in the cloud: their own lines, and the pooled bills' running part and commitment spread
        stay = (
            deducted("cloud", on_cloud, pool.POOLED)
            + bills.inference.sum(1)
            + bills.egress.sum(1)
            + bills.spread.sum(1)
        )
        effect = base.tax_rate_percent / 100 * (deducted("edge", on_edge) - (stay[0] - stay))
        after_tax = AfterTax(
            *finance.after_tax_figures(
                gap, net_lumps, effect, base.discount_percent_per_year, base.discount_timing == "mid_month"
            )
        )
    return Programme(
        fleet,
        count,
        go_live,
        rows,
        devices,
        placement,
        plans,
        cloud_monthly,
        plan_opex,
        edge_capex,
        cloud_upfront,
        irr,
        device,
        changes,
        rates,
        marginal_cloud,
        upload,
        cheapest,
        cloud_inputs,
        pools,
        pooled_kg,
        after_tax,
    )


def _from_first_flow(plans: finance.Finance, gap: np.ndarray, capex: np.ndarray) -> finance.Finance:
    """Break-even counted from a plan's first month with any flow: before its first go-live on the edge a
    plan saves nothing, and zero cumulative savings there is not a pay-back (a wave plan whose first
    sites stay in the cloud would otherwise 'break even' at month 0)."""
    net = gap - capex
    moving = net != 0
    first = np.where(moving.any(axis=1), np.argmax(moving, axis=1), 0)
    if not first.any():
        return plans
    be = plans.break_even_month.copy()
    for p in np.flatnonzero(first):  # one pass per plan (three), not per site
        start = first[p]
        rest = finance.break_even(
            net[p : p + 1, start:].copy(), lambda m: gap[p, start + m], np.array([net.shape[1] - start])
        )
        be[p] = start + rest[0]
    return dataclasses.replace(plans, break_even_month=be, payback_months=be)


def _shift_sum(values: np.ndarray, shift: np.ndarray, weights: np.ndarray, months: int) -> np.ndarray:
    """Σ_r weights[p, r] × values[r, m − shift[r]] for every plan p: (P, M) (`pool.pool_series` of one pool)."""
    return pool.pool_series(values, shift, weights, np.zeros(len(shift), int), 1, months)[:, 0]


def _shift_sum_terms(terms: list[costs.Component], shift: np.ndarray, weights: np.ndarray, months: int) -> np.ndarray:
    """`_shift_sum` of the terms' total (n, M), without building it: the terms whose factor every row shares are
    weighted and summed per go-live month, and their factors shifted once per go-live; a factor of its own per row
    (n, M) is read once by the sparse product, weighted by its amounts."""
    out = np.zeros((len(weights), months))
    shared, dense = costs._grouped(terms)
    if shared:
        n = len(shift)
        amounts = np.hstack([np.broadcast_to(a, (n, 1)) for a, _ in shared])  # (n, k)
        factors = np.vstack([np.broadcast_to(f, (1, months)) for _, f in shared])  # (k, M)
        for g, rows in pool.go_live_groups(shift):
            # small products without BLAS threads (see `costs.sum_terms`)
            out[:, g:] += np.einsum("pr,rk->pk", weights[:, rows], amounts[rows]) @ factors[:, : months - g]
    for amount, factor in dense:
        out += _shift_sum(factor, shift, weights * amount[:, 0], months)
    return out


def _cloud_accounts(fleet: Fleet) -> np.ndarray:
    """(n,) each row's cloud account: its `cloud_account` cell, blank for the fleet's one account."""
    table = fleet.inventory.table
    return table["cloud_account"].to_numpy(dtype=str) if "cloud_account" in table else np.full(fleet.inventory.n, "")


# ── Placement (the advisor's rules for every site at once) ─────────────────────────────────────────
def place(
    fleet: Fleet,
    b: costs.Batch,
    cloud_total: np.ndarray,
    edge_total: np.ndarray,
    devices: np.ndarray,
    answer,
    pin,
    flavour,
    upload: Upload,
) -> Placement:
    """Hard constraints first, then the weighted vote of the soft answers and of money, as `advisor.decide`.

    Money compares a site's edge TCO with `cloud_total` (n,): what the site adds to the cloud's bills (its own lines
    and its share of what its row adds to the all-cloud pool: `pool.marginal_totals`).

    The edge is costed with each row's device (`choose_devices`: its own scenario fields, the catalog device
    its `device` cell names, or the advisor's catalog search), sized by the cost model. The cloud side is the row's
    design the plans price: its own, or its cheapest feasible design (`cloud_designs`); the uplink rule reads that
    design's upload, carried where the design buys a link upgrade (`advisor.buys_link_upgrade`).
    """
    links = {r["id"]: r for r in catalog.load().connectivity}
    works = {r["id"]: r for r in catalog.load().workloads}
    connectivity, workload, privacy = answer("connectivity"), answer("workload"), answer("privacy")
    fps = b["analysed_fps"]
    wait_ms = np.where(fps > 0, 500 / np.where(fps > 0, fps, 1), 0.0)
    cloud_ms = advisor.cloud_path_ms(
        wait_ms,
        lookup(links, connectivity, "access_rtt_ms"),
        answer("region_distance_km"),
        b["image_kb"],
        answer("uplink_mbps"),
        lookup(works, workload, "cloud_inference_ms"),
    )
    sustained = upload.sustained_mbps
    cases = advisor.rule_cases(
        answer("data_origin"),
        answer("response_ms"),
        cloud_ms,
        wait_ms,
        lookup(links, connectivity, "reliable", lambda v: v == "yes").astype(bool),
        lookup(links, connectivity, "metered", lambda v: v == "yes").astype(bool),
        connectivity,
        privacy,
        answer("update_cadence"),
        np.where(upload.over_upgrade, 0.0, sustained / advisor.UPLINK_UTILISATION),  # as `advisor.uplink_factor`
        answer("uplink_mbps"),
    )
    rule_hard, vote, counted = advisor.rule_votes(cases)
    hard = np.column_stack([cases[rule] == case for rule, case in advisor.HARD_CASES.values()])
    power = devices / b["sites"] * b["device_watts"]
    costed = power <= answer("site_power_watts")  # a device that does not fit: money does not vote
    money, money_verdict = advisor.money_vote(cloud_total, edge_total, counted.sum(axis=1), costed)
    advised, _, _, edge_votes, cloud_votes = advisor.decide_sites(
        rule_hard.any(axis=1),
        np.column_stack([vote, money_verdict]),
        np.column_stack([counted, money]),
        money_verdict,
        privacy,
        costed,
    )
    pinned = np.isin(pin, PLACEMENTS)
    pin_index = np.select([pin == k for k in PLACEMENTS], range(len(PLACEMENTS)), 0)
    final = np.where(pinned, pin_index, advised)
    return Placement(
        advised, final, hard, edge_votes, cloud_votes, power, answer("site_power_watts"), b["device_watts"]
    )
